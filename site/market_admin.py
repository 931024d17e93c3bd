"""What the admin's market screens read and do: capacity's numbers and changes, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from . import audit
from . import capacity
from . import market_search
from . import waitlist
from .audit_watch import acting_as
from .clock import utcnow
from .extensions import db
from .models import PriceSheet
from .models import Seat
from .models import WaitlistEntry
from .paging import Page


@dataclass(frozen=True)
class MarketRow:
    """One line of the markets table: the seat numbers and the price in effect."""

    availability: capacity.Availability
    sheet: PriceSheet | None

    @property
    def market(self):
        return self.availability.market


@dataclass(frozen=True)
class MarketTable:
    """One page of the markets table."""

    rows: list[MarketRow]
    page: Page


def current_sheets(
    now: datetime | None = None, market_ids: list[int] | None = None
) -> dict[int, PriceSheet]:
    """The price sheet in effect for every market (or those given), in one query."""
    now = now or utcnow()
    in_effect = [PriceSheet.effective_at <= now]
    if market_ids is not None:
        in_effect.append(PriceSheet.market_id.in_(market_ids))
    ranked = (
        select(
            PriceSheet.id,
            func.row_number()
            .over(
                partition_by=PriceSheet.market_id,
                order_by=(PriceSheet.effective_at.desc(), PriceSheet.id.desc()),
            )
            .label("rank"),
        )
        .where(*in_effect)
        .subquery()
    )
    sheets = db.session.scalars(
        select(PriceSheet).join(ranked, ranked.c.id == PriceSheet.id).where(ranked.c.rank == 1)
    )
    return {sheet.market_id: sheet for sheet in sheets}


def overview(now: datetime | None = None) -> list[MarketRow]:
    """Every market with its counts and current price, by name."""
    now = now or utcnow()
    sheets = current_sheets(now)
    return [MarketRow(a, sheets.get(a.market.id)) for a in capacity.all_availability(now)]


def table_page(
    page: int | None, per_page: int = market_search.PER_PAGE, now: datetime | None = None
) -> MarketTable:
    """One page of the markets table, by name: three queries, however many markets there are."""
    now = now or utcnow()
    found = market_search.search_markets(page=page, per_page=per_page, now=now)
    sheets = current_sheets(now, [a.market.id for a in found.results])
    rows = [MarketRow(a, sheets.get(a.market.id)) for a in found.results]
    return MarketTable(rows, found.page)


def row(market_id: int, now: datetime | None = None) -> MarketRow | None:
    """One market's line, or None when there is no such market."""
    now = now or utcnow()
    availability = capacity.availability_by_id(market_id, now)
    if availability is None:
        return None
    return MarketRow(availability, capacity.current_sheet(market_id, now))


def set_cap(actor: audit.Actor, market_id: int, cap: int, expected_version: int | None):
    """Change the cap on the version the editor saw; audited in the same transaction."""
    with acting_as(actor):
        return capacity.set_cap(market_id, cap, expected_version=expected_version)


def change_prices(actor: audit.Actor, market_id: int, values: dict, expected_version: int | None):
    """Put a new price sheet in effect now; audited in the same transaction."""
    with acting_as(actor):
        return capacity.change_prices(market_id, expected_version=expected_version, **values)


def create_market(actor: audit.Actor, **values):
    """Add a market with its first price sheet; audited in the same transaction."""
    with acting_as(actor):
        return capacity.create_market(**values)


def seat(actor: audit.Actor, market_id: int, **person):
    """Seat a loan officer (under the market's lock); audited."""
    with acting_as(actor):
        return capacity.seat(market_id, **person)


def hold(actor: audit.Actor, market_id: int, hours: int, **person):
    """Hold a seat for someone for some hours (under the market's lock); audited."""
    with acting_as(actor):
        return capacity.hold(market_id, hours=hours, **person)


def release(actor: audit.Actor, seat_id: int, kind: str):
    """Release a seated loan officer or a hold; audited."""
    with acting_as(actor):
        if kind == "hold":
            return capacity.release_hold(seat_id)
        return capacity.release_seat(seat_id)


@dataclass(frozen=True)
class QueueLine:
    """One person on a market's waitlist, with their place (None while holding an offer)."""

    entry: WaitlistEntry
    place: int | None


def queue(market_id: int) -> list[QueueLine]:
    """The market's waitlist as staff see it: offers and people waiting, in order of joining."""
    entries = db.session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.market_id == market_id,
            WaitlistEntry.status.in_(WaitlistEntry.ACTIVE),
        )
        .order_by(WaitlistEntry.id)
    )
    lines, place = [], 0
    for entry in entries:
        if entry.status == WaitlistEntry.WAITING:
            place += 1
            lines.append(QueueLine(entry, place))
        else:
            lines.append(QueueLine(entry, None))
    return lines


def get_entry(entry_id: int) -> WaitlistEntry | None:
    """A waitlist entry (active or not) by id, or None."""
    return db.session.get(WaitlistEntry, entry_id)


def offer_next(actor: audit.Actor, market_id: int) -> capacity.QueueChanges:
    """Settle the queue now: overdue offers end, free seats go to the first waiting; audited."""
    with acting_as(actor):
        return capacity.advance_queue(market_id)


def remove_entry(actor: audit.Actor, entry_id: int) -> WaitlistEntry:
    """Take someone off the waitlist (with any seat held for them); audited."""
    with acting_as(actor):
        return waitlist.remove(entry_id)


def get_seat(seat_id: int) -> Seat | None:
    """A seat or hold (released or not) by id, or None."""
    return db.session.get(Seat, seat_id)


def market_history(market_id: int, limit: int = 20):
    """The market's latest audited changes."""
    return audit.page(1, limit, entity_type="market", entity_id=market_id).items


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
