"""Every calendar: Google Calendar, Outlook.com, Office 365 and an .ics for Apple Calendar and
the rest, on the confirmation page and in the confirmation email, with the right times and text."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from datetime import UTC
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import icalendar
import pytest
from sqlalchemy import select

from mortgage_connect.calls import mail
from mortgage_connect.extensions import db
from mortgage_connect.models import Booking
from mortgage_connect.models import OutboxMessage
from tests.factories import form_data
from tests.factories import free_times
from tests.factories import make_host
from tests.factories import make_market

pytestmark = pytest.mark.clock

OUTLOOK = {
    "Outlook.com": "outlook.live.com",
    "Office 365": "outlook.office.com",
}


@pytest.fixture
def booked(client, app):
    """A call booked through the form: (booking, manage path)."""
    make_market()
    make_host()
    start = free_times()[2]
    response = client.post(
        "/book/dallas-fort-worth/details", data=form_data(start, uuid.uuid4().hex)
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    made = db.session.scalars(select(Booking)).one()
    return made, response.headers["Location"].split("?")[0]


def iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def query(url: str) -> dict[str, str]:
    """A link's query string, one value per name."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values()), parsed
    return {name: values[0] for name, values in parsed.items()}


def check_google(url: str, made: Booking, manage: str) -> None:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    q = query(url)
    stamp = "%Y%m%dT%H%M%SZ"
    starts, ends = made.starts_at.astimezone(UTC), made.ends_at.astimezone(UTC)
    assert q["action"] == "TEMPLATE"
    assert q["dates"] == f"{starts.strftime(stamp)}/{ends.strftime(stamp)}"
    assert q["text"] == "Mortgage Connect Pro: 20-minute call about Dallas–Fort Worth"
    assert q["location"] == "https://meet.example.com/ana"
    assert manage in q["details"] and "https://meet.example.com/ana" in q["details"]


def check_outlook(url: str, host: str, made: Booking, manage: str) -> None:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        host,
        "/calendar/0/deeplink/compose",
    )
    q = query(url)
    assert q["path"] == "/calendar/action/compose"
    assert q["rru"] == "addevent"
    assert q["startdt"] == iso(made.starts_at)
    assert q["enddt"] == iso(made.starts_at + timedelta(minutes=20))
    assert q["subject"] == "Mortgage Connect Pro: 20-minute call about Dallas–Fort Worth"
    assert q["location"] == "https://meet.example.com/ana"
    assert "Your call with Ana Lee about exclusive leads in Dallas–Fort Worth." in q["body"]
    assert manage in q["body"] and "https://meet.example.com/ana" in q["body"]
    assert "+" not in q["body"].replace("Join:", "")  # spaces travel as %20, never as "+"


def test_the_service_gives_a_link_for_each_web_calendar(booked):
    made, path = booked
    token = path.rsplit("/", 1)[1]
    links = {link.name: link.url for link in mail.calendar_links(made, token)}
    assert list(links) == ["Google Calendar", "Outlook.com", "Office 365"]
    manage = "http://localhost" + path
    check_google(links["Google Calendar"], made, manage)
    for name, host in OUTLOOK.items():
        check_outlook(links[name], host, made, manage)


def test_the_confirmation_page_offers_every_calendar(client, booked):
    made, path = booked
    html = client.get(path + "?booked=1").get_data(as_text=True)
    section = html[html.index("Add it to your calendar") :]
    hrefs = {
        unescape(re.sub(r"<[^>]+>", "", text)).strip(): unescape(href)
        for href, text in re.findall(r'<a[^>]* href="([^"]+)"[^>]*>(.*?)</a>', section)
    }
    manage = "http://localhost" + path
    check_google(hrefs["Add to Google Calendar"], made, manage)
    check_outlook(hrefs["Add to Outlook.com"], "outlook.live.com", made, manage)
    check_outlook(hrefs["Add to Office 365"], "outlook.office.com", made, manage)
    ics_name = "Apple Calendar or another calendar (.ics file)"
    assert hrefs[ics_name] == path + "/invite.ics"
    event = icalendar.Calendar.from_ical(client.get(hrefs[ics_name]).data).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == made.starts_at
    # Once cancelled, the page offers no calendar.
    assert client.post(path + "/cancel").status_code == 303
    html = client.get(path).get_data(as_text=True)
    assert "outlook.live.com" not in html and "outlook.office.com" not in html


def test_the_confirmation_email_offers_every_calendar(booked):
    made, path = booked
    confirmation = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "pat@example.com")
    ).one()
    manage = "http://localhost" + path
    text = confirmation.text_body
    found = dict(re.findall(r"^Add to ([^:]+): (\S+)$", text, re.M))
    check_google(found["Google Calendar"], made, manage)
    check_outlook(found["Outlook.com"], "outlook.live.com", made, manage)
    check_outlook(found["Office 365"], "outlook.office.com", made, manage)
    assert "Apple Calendar or another calendar: open the attached invite.ics" in text
    assert f"{manage}/invite.ics" in text
    html = unescape(confirmation.html_body)
    links = dict(
        (label, href) for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', html)
    )
    check_google(links["Google Calendar"], made, manage)
    check_outlook(links["Outlook.com"], "outlook.live.com", made, manage)
    check_outlook(links["Office 365"], "outlook.office.com", made, manage)
    assert links["Apple Calendar or another (.ics)"] == f"{manage}/invite.ics"
    (attachment,) = confirmation.attachments
    assert attachment["filename"] == "invite.ics"


def test_a_moved_call_links_its_new_time(client, booked):
    made, path = booked
    new_start = free_times(days_ahead=3)[1]
    moved = client.post(f"{path}/reschedule/confirm", data={"start": iso(new_start)})
    assert moved.status_code == 303
    db.session.rollback()
    made = db.session.get(Booking, made.id)
    assert made.starts_at == new_start
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == "pat@example.com")
        .order_by(OutboxMessage.id.desc())
    ).first()
    found = dict(re.findall(r"^Add to ([^:]+): (\S+)$", message.text_body, re.M))
    check_outlook(found["Office 365"], "outlook.office.com", made, "http://localhost" + path)
