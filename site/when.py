"""Dates and times in words, in a named zone ("Tuesday, December 8, 2026 at 9:30 AM CST")."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo


def day_name(day: date) -> str:
    """Tuesday, December 8, 2026."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def clock(moment: datetime, tz: ZoneInfo) -> str:
    """9:30 AM (in the zone)."""
    local = moment.astimezone(tz)
    return f"{local.hour % 12 or 12}:{local:%M} {local:%p}"


def zone_abbreviation(moment: datetime, tz: ZoneInfo) -> str:
    """CST, EDT … or the UTC offset where the zone has no abbreviation (+0530)."""
    name = moment.astimezone(tz).strftime("%Z")
    return name if name and name[0] not in "+-" else "UTC" + moment.astimezone(tz).strftime("%z")


def when(moment: datetime, tz: ZoneInfo) -> str:
    """Tuesday, December 8, 2026 at 9:30 AM CST."""
    local = moment.astimezone(tz)
    return f"{day_name(local.date())} at {clock(moment, tz)} {zone_abbreviation(moment, tz)}"


def zone_label(name: str) -> str:
    """America/New_York → New York (America)."""
    if "/" not in name:
        return name
    region, _, place = name.partition("/")
    return f"{place.replace('_', ' ').replace('/', ' – ')} ({region})"
