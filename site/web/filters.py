"""Every app-wide template filter, global and context processor, registered in one place."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask import Flask

from ..clock import utcnow
from . import formatting
from .page_cache import is_shared_render


def _zone(zone: str | ZoneInfo) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def when(moment: datetime, zone: str) -> str:
    """Tuesday, December 8, 2026 at 9:30 AM CST."""
    return formatting.when(moment, _zone(zone))


def clock(moment: datetime, zone: str) -> str:
    """9:30 AM."""
    return formatting.clock(moment, _zone(zone))


def clock_seconds(moment: datetime, zone: str) -> str:
    """9:02:11 AM."""
    return formatting.clock_seconds(moment, _zone(zone))


def zone_abbr(moment: datetime, zone: str) -> str:
    """CST, EDT …"""
    return formatting.zone_abbreviation(moment, _zone(zone))


def in_zone(moment: datetime, zone: str) -> str:
    """Tue Dec 8, 10:00 AM CST."""
    return formatting.short_when(moment, _zone(zone))


def local_date(moment: datetime, zone: str | ZoneInfo) -> str:
    """March 1, 2026, in the zone."""
    return formatting.local_date(moment, _zone(zone))


def article_date(day: date) -> str:
    """July 4, 2026."""
    return formatting.long_date(day)


def layout_values() -> dict:
    """Values every page's layout needs: the year, how often the seat widget asks for news."""
    return {
        "now_year": utcnow().year,
        "seat_poll_seconds": current_app.config["SEAT_WIDGET_POLL_SECONDS"],
    }


FILTERS = {
    "when": when,
    "clock": clock,
    "clock_seconds": clock_seconds,
    "zone_abbr": zone_abbr,
    "zone_info": ZoneInfo,
    "in_zone": in_zone,
    "local_date": local_date,
    "day_name": formatting.day_name,
    "article_date": article_date,
    "iso_datetime": formatting.iso_midnight,
    "zone_name": formatting.zone_name,
    "money": formatting.money,
    "duration": formatting.duration,
    "elapsed": formatting.elapsed,
}
GLOBALS = {
    "start_param": formatting.iso_utc,
    # Whether this render may be kept for everyone, so must carry no CSRF token.
    "is_shared_render": is_shared_render,
}


def init_app(app: Flask) -> None:
    """Offer the filters and globals to every template."""
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(GLOBALS)
    app.context_processor(layout_values)
