"""Calendar invites: the fields docs/product.md lists, parsed back with icalendar."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

import icalendar
import pytest

from mortgage_connect.calls.invites import CANCEL
from mortgage_connect.calls.invites import Invite
from mortgage_connect.calls.invites import render_ics
from mortgage_connect.calls.invites import REQUEST

STARTS = datetime(2027, 3, 15, 9, 30, tzinfo=ZoneInfo("America/Chicago"))


def invite(**changes) -> Invite:
    fields = dict(
        uid="booking-7@mortgageconnect.example",
        sequence=0,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(minutes=20),
        summary="20-minute call: Dallas–Fort Worth",
        description="Reschedule or cancel: http://localhost/book/manage/token, ok; fine",
        location="https://meet.example.com/ana-lee",
        organizer_name="Ana Lee",
        organizer_email="ana@mortgageconnect.example",
        attendee_name="Pat O'Brien",
        attendee_email="pat@example.com",
        url="http://localhost/book/manage/token",
    )
    fields.update(changes)
    return Invite(**fields)


def event_of(ics: str):
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_request_has_every_field():
    ics = render_ics(invite())
    calendar, event = event_of(ics)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == "booking-7@mortgageconnect.example"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    # UTC times: 9:30 in Chicago in March (CDT) is 14:30 UTC.
    assert event.decoded("DTSTART") == datetime(2027, 3, 15, 14, 30, tzinfo=UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=20)
    assert "DTSTART:20270315T143000Z" in ics
    assert str(event["SUMMARY"]) == "20-minute call: Dallas–Fort Worth"
    assert "http://localhost/book/manage/token" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "https://meet.example.com/ana-lee"
    assert str(event["ORGANIZER"]) == "mailto:ana@mortgageconnect.example"
    assert event["ORGANIZER"].params["CN"] == "Ana Lee"
    assert str(event["ATTENDEE"]) == "mailto:pat@example.com"
    assert event["ATTENDEE"].params["CN"] == "Pat O'Brien"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert "DTSTAMP" in event


def test_reschedule_keeps_the_uid_and_raises_the_sequence():
    moved = STARTS + timedelta(days=1)
    _, first = event_of(render_ics(invite()))
    _, second = event_of(
        render_ics(invite(sequence=1, starts_at=moved, ends_at=moved + timedelta(minutes=20)))
    )
    assert str(first["UID"]) == str(second["UID"])
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert second.decoded("DTSTART") == moved.astimezone(UTC)


def test_cancel():
    calendar, event = event_of(render_ics(invite(sequence=2), method=CANCEL))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "booking-7@mortgageconnect.example"
    assert int(event["SEQUENCE"]) == 2


def test_text_is_escaped_and_lines_folded():
    ics = render_ics(invite(description="Line one\nLine two, with; punctuation " + "x" * 200))
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    _, event = event_of(ics)
    assert str(event["DESCRIPTION"]).startswith("Line one\nLine two, with; punctuation")


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        render_ics(invite(), method="PUBLISH")
    assert REQUEST == "REQUEST"
