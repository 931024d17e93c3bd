"""Dates and times read from visitors: parsed in one place, and never far enough out that a zone
change or a few days of arithmetic overflows."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mortgage_connect.calls import slots
from mortgage_connect.web.date_input import FIRST_DAY
from mortgage_connect.web.date_input import LAST_DAY
from mortgage_connect.web.date_input import OutOfRange
from mortgage_connect.web.date_input import parse_day
from mortgage_connect.web.date_input import parse_local_moment
from mortgage_connect.web.date_input import parse_moment
from mortgage_connect.web.date_input import parse_month

CHICAGO = ZoneInfo("America/Chicago")
# The zones furthest ahead of and behind UTC.
EXTREMES = [ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12")]


def test_good_values_are_read():
    assert parse_day(" 2026-12-08 ") == date(2026, 12, 8)
    assert parse_month("2026-12") == (2026, 12)
    assert parse_moment("2026-12-08T15:30:00Z") == datetime(2026, 12, 8, 15, 30, tzinfo=UTC)
    assert parse_moment("2026-12-08T09:30:00-06:00") == datetime(2026, 12, 8, 15, 30, tzinfo=UTC)
    assert parse_local_moment("2026-12-24T09:00", CHICAGO) == datetime(
        2026, 12, 24, 15, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("parse", "value"),
    [
        (parse_day, "9999-12-31"),
        (parse_day, "0001-01-01"),
        (parse_day, "1899-12-31"),
        (parse_day, "2201-01-01"),
        (parse_month, "9999-12"),
        (parse_month, "0001-01"),
        (parse_moment, "9999-12-31T23:59:59Z"),
        (parse_moment, "9999-12-31T23:59:59-14:00"),
        (parse_moment, "0001-01-01T00:00:00+01:00"),
        (parse_moment, "2201-01-01T00:00:00Z"),
        (lambda v: parse_local_moment(v, EXTREMES[0]), "0001-01-01T00:00"),
        (lambda v: parse_local_moment(v, CHICAGO), "9999-12-31T23:59"),
    ],
)
def test_dates_out_of_range_are_refused_with_a_message(parse, value):
    with pytest.raises(OutOfRange) as refused:
        parse(value)
    assert refused.value.message == "Use a date from 1900 to 2200."


@pytest.mark.parametrize(
    ("parse", "value"),
    [
        (parse_day, "2026-02-30"),
        (parse_day, "2026-12-08T10:00"),
        (parse_day, ""),
        (parse_day, None),
        (parse_day, "2026-12-08\x00"),
        (parse_month, "2026-13"),
        (parse_moment, "2026-12-08T15:30:00"),  # no offset: which 3:30 PM?
        (parse_moment, "9" * 5000),
        (lambda v: parse_local_moment(v, CHICAGO), "2026-12-24T09:00Z"),
        (lambda v: parse_local_moment(v, CHICAGO), "09:00"),
    ],
)
def test_garbled_values_are_refused(parse, value):
    with pytest.raises(ValueError):
        parse(value)


def test_the_edges_survive_zones_and_a_week_of_arithmetic():
    week = timedelta(days=7)
    for tz in EXTREMES:
        for day in (FIRST_DAY - week, LAST_DAY + week):
            slots.day_bounds(day, tz)
        for text in (f"{FIRST_DAY}T00:00:00+23:59", f"{LAST_DAY}T23:59:59-23:59"):
            moment = parse_moment(text)
            slots.day_bounds(moment.astimezone(tz).date() + week, tz)
            slots.day_bounds(moment.astimezone(tz).date() - week, tz)


@given(st.text(max_size=45) | st.from_regex(r"\d{1,5}-\d\d(-\d\d)?(T\d\d:\d\d(:\d\d)?)?[Z+-]?"))
def test_any_text_is_a_value_in_range_or_a_value_error(text):
    for parse in (parse_day, parse_month, parse_moment, lambda v: parse_local_moment(v, CHICAGO)):
        try:
            parsed = parse(text)
        except ValueError:
            continue
        if isinstance(parsed, tuple):
            day = date(*parsed, 1)
        else:
            day = parsed.date() if isinstance(parsed, datetime) else parsed
        assert FIRST_DAY - timedelta(days=1) <= day <= LAST_DAY + timedelta(days=1)
