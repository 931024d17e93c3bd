"""What the admin's market screens read and do: capacity's numbers and changes, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from .. import audit
from .. import capacity
from ..audit import acting_as
from ..clock import utcnow
from ..extensions import db
from ..models import PriceSheet
from ..models import Seat
from ..paging import Page
from ..staff import audit_log
from . import search


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
    page: int | None, per_page: int = search.PER_PAGE, now: datetime | None = None
) -> MarketTable:
    """One page of the markets table, by name: three queries, however many markets there are."""
    now = now or utcnow()
    found = search.search_markets(page=page, per_page=per_page, now=now)
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


def get_seat(seat_id: int) -> Seat | None:
    """A seat or hold (released or not) by id, or None."""
    return db.session.get(Seat, seat_id)


def market_history(market_id: int, limit: int = 20):
    """The market's latest audited changes."""
    return audit_log.page(1, limit, entity_type="market", entity_id=market_id).items
