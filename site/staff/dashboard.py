"""What the admin dashboard shows: seats filled, waitlists, today's calls, calls per week.

The charts are drawn on the server as SVG: these give each bar its numbers and geometry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC

from sqlalchemy import func
from sqlalchemy import select

from ..calls.call_admin import CallFilter
from ..clock import utcnow
from ..extensions import db
from ..markets.market_admin import MarketRow
from ..models import Booking
from ..models import CANCELLED
from ..models import WaitlistEntry


@dataclass(frozen=True)
class FillBar:
    """One market's bar in the seat-fill chart."""

    name: str
    cap: int
    seated: int
    held: int
    waiting: int
    y: int
    seated_width: float
    held_width: float

    @property
    def in_use(self) -> int:
        return self.seated + self.held

    @property
    def percent(self) -> int:
        """Seats in use as a share of the cap (over 100 when the cap was lowered under them)."""
        return round(100 * self.in_use / self.cap) if self.cap else (100 if self.in_use else 0)

    @property
    def segments(self) -> list[tuple[float, float, str]]:
        """The bar's parts for the chart macro: (x, width, CSS class)."""
        return [
            (0, self.seated_width, "fill-seated"),
            (self.seated_width, self.held_width, "fill-held"),
        ]

    @property
    def value(self) -> str:
        return f"{self.percent}%"


def totals(rows: list[MarketRow]) -> dict[str, int]:
    """Seats and waiting across every market, for the dashboard's summary."""
    return {
        "cap": sum(r.availability.cap for r in rows),
        "seated": sum(r.availability.seated for r in rows),
        "held": sum(r.availability.held for r in rows),
        "full": sum(1 for r in rows if r.availability.full),
        "waiting": sum(r.availability.waiting for r in rows),
        "waiting_markets": sum(1 for r in rows if r.availability.waiting),
    }


CHART_BAR_WIDTH = 320  # the width a full market's bar takes, in SVG units
CHART_ROW = 24


def seat_fill(rows: list[MarketRow]) -> list[FillBar]:
    """Bars for the dashboard chart: seated and held against the cap, fullest first."""

    def fill(r: MarketRow) -> float:
        a = r.availability
        if a.cap:
            return a.in_use / a.cap
        return float("inf") if a.in_use else 0.0  # no seats at all: last, unless some are used

    ordered = sorted(rows, key=lambda r: (-fill(r), r.market.name))
    bars = []
    for index, r in enumerate(ordered):
        a = r.availability
        scale = CHART_BAR_WIDTH / max(a.cap, a.in_use, 1)
        bars.append(
            FillBar(
                name=r.market.name,
                cap=a.cap,
                seated=a.seated,
                held=a.held,
                waiting=a.waiting,
                y=index * CHART_ROW,
                seated_width=round(a.seated * scale, 1),
                held_width=round(a.held * scale, 1),
            )
        )
    return bars


@dataclass(frozen=True)
class WaitBar:
    """One market's bar in the waitlist chart: people waiting, and offers out to the list."""

    market_id: int
    name: str
    cap: int
    waiting: int
    offered: int
    y: int
    waiting_width: float
    offered_width: float

    @property
    def segments(self) -> list[tuple[float, float, str]]:
        """The bar's parts for the chart macro: (x, width, CSS class)."""
        return [
            (0, self.waiting_width, "fill-seated"),
            (self.waiting_width, self.offered_width, "fill-held"),
        ]

    @property
    def value(self) -> str:
        return str(self.waiting)


def waitlist_chart(rows: list[MarketRow], top: int = 10) -> list[WaitBar]:
    """Bars for the dashboard's waitlist chart: the longest queues first, to one scale."""
    offered = dict(
        db.session.execute(
            select(WaitlistEntry.market_id, func.count(WaitlistEntry.id))
            .where(WaitlistEntry.status.in_((WaitlistEntry.OFFERED, WaitlistEntry.BOOKED)))
            .group_by(WaitlistEntry.market_id)
        ).all()
    )
    lines = [
        (r, offered.get(r.market.id, 0))
        for r in rows
        if r.availability.waiting or offered.get(r.market.id)
    ]
    lines.sort(key=lambda line: (-line[0].availability.waiting, -line[1], line[0].market.name))
    lines = lines[:top]
    longest = max((r.availability.waiting + out for r, out in lines), default=1)
    scale = CHART_BAR_WIDTH / longest
    return [
        WaitBar(
            market_id=r.market.id,
            name=r.market.name,
            cap=r.availability.cap,
            waiting=r.availability.waiting,
            offered=out,
            y=index * CHART_ROW,
            waiting_width=round(r.availability.waiting * scale, 1),
            offered_width=round(out * scale, 1),
        )
        for index, (r, out) in enumerate(lines)
    ]


def todays_calls(now: datetime | None = None) -> list[Booking]:
    """Today's calls (UTC day), cancelled ones left out, by time."""
    now = now or utcnow()
    chosen = CallFilter("all", day=now.date())
    query = chosen.query(now).where(Booking.status != CANCELLED)
    return list(db.session.scalars(query.order_by(None).order_by(Booking.starts_at)))


@dataclass(frozen=True)
class WeekBar:
    """Calls in one week (Monday to Sunday, UTC) for the dashboard chart."""

    monday: date
    count: int
    x: int
    height: float
    current: bool


def calls_per_week(weeks_back: int = 8, weeks_ahead: int = 3, now: datetime | None = None):
    """Calls that were not cancelled, per week around this one, scaled for an SVG chart."""
    now = now or utcnow()
    this_monday = now.date() - timedelta(days=now.weekday())
    first = this_monday - timedelta(weeks=weeks_back)
    start = datetime.combine(first, time(0), tzinfo=UTC)
    end = start + timedelta(weeks=weeks_back + weeks_ahead + 1)
    counts: dict[date, int] = {}
    starts = db.session.scalars(
        select(Booking.starts_at).where(
            Booking.starts_at >= start, Booking.starts_at < end, Booking.status != CANCELLED
        )
    )
    for moment in starts:
        monday = moment.date() - timedelta(days=moment.weekday())
        counts[monday] = counts.get(monday, 0) + 1
    top = max(counts.values(), default=0) or 1
    bars = []
    for index in range(weeks_back + weeks_ahead + 1):
        monday = first + timedelta(weeks=index)
        count = counts.get(monday, 0)
        bars.append(
            WeekBar(monday, count, index * 44, round(120 * count / top, 1), monday == this_monday)
        )
    return bars
