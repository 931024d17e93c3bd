"""Dates and times read from a query string or a form: parsed, and kept within the years the
site works with, so converting them between zones and adding days to them never overflows.

Every view that reads a day, a month or a moment from a visitor reads it here. Each parser
raises ValueError for text that isn't the thing asked for, and OutOfRange (a ValueError too)
for a real date too far off; `except ValueError` catches both.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import UTC
from zoneinfo import ZoneInfo

# Far inside what datetime can hold (years 1 to 9999), so a zone change (less than a day) and
# days or weeks of arithmetic stay representable; no call, time off or holiday is further out.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
MAX_LENGTH = 40  # longer text is not a date, whatever it holds


class OutOfRange(ValueError):
    """A real date, but outside FIRST_DAY to LAST_DAY; the message is fit to show."""

    def __init__(self, day: date):
        self.message = f"Use a date from {FIRST_DAY.year} to {LAST_DAY.year}."
        super().__init__(f"{day.isoformat()}: {self.message}")


def _text(value: str | None) -> str:
    text = (value or "").strip()
    if not text or len(text) > MAX_LENGTH:
        raise ValueError("no date, or far too long for one")
    return text


def _within(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(day)


def parse_day(value: str | None) -> date:
    """A day written YYYY-MM-DD."""
    text = _text(value)
    if len(text) != 10:
        raise ValueError(f"not YYYY-MM-DD: {text!r}")
    day = date.fromisoformat(text)
    _within(day)
    return day


def parse_month(value: str | None) -> tuple[int, int]:
    """A month written YYYY-MM, as (year, month)."""
    first = datetime.strptime(_text(value), "%Y-%m").date()
    _within(first)
    return first.year, first.month


def parse_moment(value: str | None) -> datetime:
    """A moment in ISO 8601 with its UTC offset ("2026-12-08T15:30:00Z"), in UTC."""
    moment = datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a moment needs its UTC offset")
    # Checked before converting: an offset moves the date by less than a day.
    _within(moment.date())
    return moment.astimezone(UTC)


def parse_local_moment(value: str | None, zone: ZoneInfo) -> datetime:
    """A wall-clock time without an offset ("2026-12-24T09:00", as a datetime-local input
    sends it) in the given zone, in UTC."""
    text = _text(value)
    moment = datetime.fromisoformat(text) if len(text) >= 10 else None
    if moment is None or moment.tzinfo is not None:
        raise ValueError(f"not a local date and time: {text!r}")
    _within(moment.date())
    return moment.replace(tzinfo=zone).astimezone(UTC)
