"""The calendar widget booking and rescheduling share: the month grid with its free days, the
chosen day's times and the time-zone picker, read from the request's month, day and tz."""

from __future__ import annotations

import calendar as calendar_module
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import request

from .. import booking
from .. import secret_links
from ..clock import utcnow
from ..web import date_input
from . import slots

US_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
]


def chosen_zone(default: str) -> tuple[str, str | None]:
    """The visitor's zone from ?tz=, else the default; and a message for an unknown one."""
    asked = request.values.get("tz", "", type=str).strip()
    if not asked:
        return default, None
    if slots.parse_zone(asked) is None:
        return (
            default,
            f"We don't know the time zone “{asked[:64]}”, so times are shown in {default}.",
        )
    return asked, None


def _month() -> tuple[int, int] | None:
    """?month=YYYY-MM, or None."""
    try:
        return date_input.parse_month(request.args.get("month", "", type=str))
    except ValueError:
        return None


def _day() -> date | None:
    """?day=YYYY-MM-DD, or None."""
    try:
        return date_input.parse_day(request.args.get("day", "", type=str))
    except ValueError:
        return None


@dataclass
class Widget:
    """Everything the calendar templates show."""

    tz: str
    year: int
    month: int
    weeks: list
    counts: dict
    day: date | None
    slots: list
    prev_month: str | None
    next_month: str | None
    page_endpoint: str
    times_endpoint: str
    pick_endpoint: str
    args: dict
    zone_notice: str | None
    month_notice: str | None
    zones_us: list
    zones_all: tuple

    @property
    def title(self) -> str:
        return f"{calendar_module.month_name[self.month]} {self.year}"

    @property
    def month_param(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def build_widget(
    *,
    default_zone: str,
    page_endpoint: str,
    times_endpoint: str,
    pick_endpoint: str,
    args: dict,
    exclude_booking: int | None = None,
    current: datetime | None = None,
) -> Widget:
    """Read month, day and zone from the request and compute the month and the day's times."""
    tz_name, zone_notice = chosen_zone(default_zone)
    tz = ZoneInfo(tz_name)
    now = utcnow()
    rules = booking.rules()
    # The months holding bookable time in this zone: from the first moment a call may start
    # (the minimum notice) to the horizon, which is exclusive.
    first_day = rules.earliest(now).astimezone(tz).date()
    last_day = (rules.latest(now) - timedelta(microseconds=1)).astimezone(tz).date()
    first_month = (first_day.year, first_day.month)
    last_month = (last_day.year, last_day.month)
    chosen = _month()
    day = _day()
    if chosen is None and day is not None:
        chosen = (day.year, day.month)
    asked = chosen
    if chosen is None or not first_month <= chosen <= last_month:
        chosen = first_month
    year, month = chosen
    starts = booking.month_starts(year, month, tz, now, exclude_booking=exclude_booking)
    counts = slots.count_per_day(starts, tz)
    month_notice = None
    if not counts and chosen == first_month and first_month < last_month:
        # Nothing left this month (its last evening, or in a zone already past midnight):
        # open on the next month rather than on an empty grid, and say so if it was asked for.
        year, month = _shift(year, month, 1)
        starts = booking.month_starts(year, month, tz, now, exclude_booking=exclude_booking)
        counts = slots.count_per_day(starts, tz)
        if asked == chosen:
            month_notice = (
                f"No times are left in {calendar_module.month_name[chosen[1]]}, "
                f"so here is {calendar_module.month_name[month]}."
            )
    if day not in counts:
        # No day asked for, or none free on it (a zone change moves days): the first free day.
        day = min(counts) if counts else None
    times = slots.on_day(starts, day, tz) if day else []
    times = [t for t in times if t != current]  # moving to the time you have changes nothing
    prev = _shift(year, month, -1)
    nxt = _shift(year, month, 1)
    weeks = calendar_module.Calendar(firstweekday=6).monthdatescalendar(year, month)
    return Widget(
        tz=tz_name,
        year=year,
        month=month,
        weeks=weeks,
        counts=counts,
        day=day,
        slots=times,
        prev_month=f"{prev[0]:04d}-{prev[1]:02d}" if prev >= first_month else None,
        next_month=f"{nxt[0]:04d}-{nxt[1]:02d}" if nxt <= last_month else None,
        page_endpoint=page_endpoint,
        times_endpoint=times_endpoint,
        pick_endpoint=pick_endpoint,
        args=args,
        zone_notice=zone_notice,
        month_notice=month_notice,
        zones_us=US_ZONES,
        zones_all=slots.time_zone_names(),
    )


def widget_args() -> dict:
    """The calendar's own query values (month, day, tz, offer), short, for a redirect."""
    args = {k: request.args[k][:64] for k in ("month", "day", "tz") if request.args.get(k)}
    if request.args.get("offer"):
        args["offer"] = request.args["offer"][: secret_links.MAX_LENGTH]
    return args


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1
