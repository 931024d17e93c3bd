"""What the admin's calls screens read and do: the list and its filters, CSV, outcomes, cancel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from .. import booking as booking_service
from ..audit import acting_as
from ..clock import utcnow
from ..database import write_transaction
from ..domain import DomainError
from ..domain import NotFound
from ..extensions import db
from ..models import Booking
from ..models import CANCELLED
from ..models import COMPLETED
from ..models import Host
from ..models import Market
from ..models import NO_SHOW
from ..paging import Paged
from ..paging import paginate

OUTCOMES = {COMPLETED: "completed", NO_SHOW: "no-show"}


class CallError(DomainError):
    """A change the call's state doesn't allow."""


@dataclass(frozen=True)
class CallFilter:
    """Which calls to list: upcoming, past or all; by market, host and (UTC) day."""

    when: str = "upcoming"
    market_id: int | None = None
    host_id: int | None = None
    day: date | None = None

    def query(self, now: datetime) -> Select:
        """The bookings this filter selects, in the order they are shown."""
        query = select(Booking).options(selectinload(Booking.market), selectinload(Booking.host))
        if self.when == "upcoming":
            query = query.where(Booking.starts_at >= now).order_by(Booking.starts_at, Booking.id)
        elif self.when == "past":
            query = query.where(Booking.starts_at < now)
            query = query.order_by(Booking.starts_at.desc(), Booking.id.desc())
        else:
            query = query.order_by(Booking.starts_at.desc(), Booking.id.desc())
        if self.market_id:
            query = query.where(Booking.market_id == self.market_id)
        if self.host_id:
            query = query.where(Booking.host_id == self.host_id)
        if self.day:
            start = datetime.combine(self.day, time(0), tzinfo=UTC)
            query = query.where(
                Booking.starts_at >= start, Booking.starts_at < start + timedelta(1)
            )
        return query


def calls(
    chosen: CallFilter, page: int | None, per_page: int = 50, now: datetime | None = None
) -> Paged:
    """One page of calls for the filter."""
    return paginate(chosen.query(now or utcnow()), page, per_page)


def market_calls(
    market_id: int, limit: int = 10, now: datetime | None = None
) -> tuple[list[Booking], list[Booking]]:
    """A market's next calls and its latest past ones, at most `limit` of each."""
    now = now or utcnow()
    upcoming = CallFilter("upcoming", market_id).query(now).limit(limit)
    past = CallFilter("past", market_id).query(now).limit(limit)
    return list(db.session.scalars(upcoming)), list(db.session.scalars(past))


def filter_choices() -> tuple[list[Market], list[Host]]:
    """Markets and hosts for the filter menus, by name."""
    markets = db.session.scalars(select(Market).order_by(Market.name))
    hosts = db.session.scalars(select(Host).order_by(Host.name))
    return list(markets), list(hosts)


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_HEADER = [
    "id", "starts_at_utc", "market", "host", "status", "name", "email", "phone", "company",
    "nmls_id", "lead_source", "notes", "booked_at_utc", "cancel_reason", "cancel_detail",
]  # fmt: skip


def csv_lines(chosen: CallFilter, now: datetime | None = None) -> Iterator[str]:
    """The filtered calls as CSV text, a line at a time."""
    # The query is built here, before the response starts: a filter that can't be run fails
    # while an error page can still be sent, not halfway through the file.
    return _csv_rows(chosen.query(now or utcnow()))


def _csv_rows(query: Select) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    for b in db.session.scalars(query):
        row = [
            b.id, b.starts_at.isoformat(), b.market.name, b.host.name, b.status, b.name,
            b.email, b.phone, b.company, b.nmls_id or "", b.lead_source, b.notes,
            b.created_at.isoformat(), b.cancel_reason or "", b.cancel_detail,
        ]  # fmt: skip
        writer.writerow([_cell(v) for v in row])
        yield flush()


def get_call(booking_id: int) -> Booking | None:
    """A booking with its market and host, or None."""
    return db.session.scalars(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(selectinload(Booking.market), selectinload(Booking.host))
    ).one_or_none()


def set_outcome(actor: audit.Actor, booking_id: int, outcome: str, now: datetime | None = None):
    """Mark a call that has started as completed or no-show (audited)."""
    if outcome not in OUTCOMES:
        raise CallError("Choose completed or no-show.")
    now = now or utcnow()
    with acting_as(actor), write_transaction() as session:
        call = session.scalars(
            select(Booking)
            .where(Booking.id == booking_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        if call is None:
            raise NotFound("That call doesn't exist.")
        if call.status == CANCELLED:
            raise CallError("This call was cancelled.")
        if call.starts_at > now:
            raise CallError("This call hasn't started yet.")
        call.status = outcome
        call.updated_at = now
    return call


def cancel(
    actor: audit.Actor, booking_id: int, reason: str | None = None, detail: str = ""
) -> Booking:
    """Cancel an upcoming call through the booking service, with the reason if one is given
    (the cancellation is mailed)."""
    call = get_call(booking_id)
    if call is None:
        raise NotFound("That call doesn't exist.")
    token = booking_service.manage_token(call)
    with acting_as(actor):
        try:
            return booking_service.cancel(token, reason=reason, detail=detail)
        except booking_service.BookingError as error:
            raise CallError(str(error)) from None
