"""Values in words for people: dates and times in a named zone ("Tuesday, December 8, 2026 at
9:30 AM CST"), money in dollars, time zones as people say them. Pure functions; web/filters.py
offers them to every template, and the mail a service writes uses them too."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

# How people say the US zones; other zones are shown by their IANA name.
ZONE_NAMES = {
    "America/New_York": "Eastern Time",
    "America/Detroit": "Eastern Time",
    "America/Indiana/Indianapolis": "Eastern Time",
    "America/Kentucky/Louisville": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Phoenix": "Mountain Time, no daylight saving",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
    "America/Puerto_Rico": "Atlantic Time",
}


def day_name(day: date) -> str:
    """Tuesday, December 8, 2026."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def long_date(day: date) -> str:
    """December 8, 2026."""
    return f"{day:%B} {day.day}, {day.year}"


def clock(moment: datetime, tz: ZoneInfo) -> str:
    """9:30 AM (in the zone)."""
    local = moment.astimezone(tz)
    return f"{local.hour % 12 or 12}:{local:%M} {local:%p}"


def clock_seconds(moment: datetime, tz: ZoneInfo) -> str:
    """9:02:11 AM (in the zone): for logs, where the second counts."""
    local = moment.astimezone(tz)
    return f"{local.hour % 12 or 12}:{local:%M:%S} {local:%p}"


def zone_abbreviation(moment: datetime, tz: ZoneInfo) -> str:
    """CST, EDT … or the UTC offset where the zone has no abbreviation (+0530)."""
    name = moment.astimezone(tz).strftime("%Z")
    return name if name and name[0] not in "+-" else "UTC" + moment.astimezone(tz).strftime("%z")


def when(moment: datetime, tz: ZoneInfo) -> str:
    """Tuesday, December 8, 2026 at 9:30 AM CST."""
    local = moment.astimezone(tz)
    return f"{day_name(local.date())} at {clock(moment, tz)} {zone_abbreviation(moment, tz)}"


def short_when(moment: datetime, tz: ZoneInfo) -> str:
    """Tue Dec 8, 10:00 AM CST."""
    local = moment.astimezone(tz)
    return f"{local:%a %b} {local.day}, {local:%I:%M %p %Z}".replace(" 0", " ")


def local_date(moment: datetime, tz: ZoneInfo) -> str:
    """A moment as its date in a zone: "March 1, 2026"."""
    return long_date(moment.astimezone(tz).date())


def duration(minutes: int) -> str:
    """A span of time as people say it ahead of an event: "24 hours", "1 hour", "90 minutes"."""
    if minutes % 60:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


def elapsed(span: timedelta) -> str:
    """A short span in words, to the second: "4 seconds", "2 minutes 42 seconds", "1 hour"."""
    seconds = int(span.total_seconds())
    parts = []
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}" + ("" if count == 1 else "s"))
    return " ".join(parts) or "0 seconds"


def iso_utc(moment: datetime) -> str:
    """2026-12-08T15:30:00Z: how a moment travels in links and forms."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_midnight(day: date) -> str:
    """A date as an RFC 3339 timestamp at midnight UTC, for Atom and Open Graph."""
    return f"{day.isoformat()}T00:00:00Z"


def zone_name(zone: str) -> str:
    """A time zone as people say it, with its IANA name: "Central Time (America/Chicago)"."""
    spoken = ZONE_NAMES.get(zone)
    return f"{spoken} ({zone})" if spoken else zone


def money(cents: int) -> str:
    """Whole cents as dollars: 8500 -> "$85", 8550 -> "$85.50", 150000 -> "$1,500"."""
    dollars, rest = divmod(int(cents), 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"
