"""The audit trail: who changed what, when, from where, with the values before and after.

Services own their transactions and know nothing of who asked. They record a change with
`record(actor, ...)`; or a view wraps the call in `acting_as(actor)`, and every watched change
flushed meanwhile (caps, prices, seats, holds, calls, the queue) gets its audit row in the same
transaction, so a change and its record commit or roll back together. `init_app` installs the
session listeners that do it, once per process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from .extensions import db
from .models import AuditLog
from .models import Booking
from .models import HELD
from .models import Market
from .models import PriceSheet
from .models import Seat
from .models import WaitlistEntry

COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a signed-in staff member, or the command line."""

    staff_id: int | None
    label: str
    address: str | None = None

    @classmethod
    def staff(cls, staff, address: str | None = None) -> Actor:
        """A signed-in staff member at a client address."""
        return cls(staff.id, staff.email, address)

    @classmethod
    def command_line(cls) -> Actor:
        """An operator running a `flask` command on the server."""
        return cls(None, COMMAND_LINE, None)


def _entity(entity) -> tuple[str, str]:
    """(type, id) of a model instance, or of a ("type", id) pair."""
    if isinstance(entity, tuple):
        kind, ident = entity
        return str(kind), "" if ident is None else str(ident)
    if getattr(entity, "id", None) is None:
        db.session.flush()  # a new row: give it its id, still inside the caller's transaction
    return entity.__tablename__, str(entity.id)


def _json(values: dict | None) -> str | None:
    """Values as stable JSON text (dates and decimals as strings)."""
    if values is None:
        return None
    return json.dumps(values, sort_keys=True, default=str)


def record(
    actor: Actor,
    action: str,
    entity,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditLog:
    """Add an audit row to the caller's transaction; the caller commits (or rolls back) it."""
    entity_type, entity_id = _entity(entity)
    row = AuditLog(
        staff_id=actor.staff_id,
        actor=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=_json(before),
        after=_json(after),
        address=actor.address,
    )
    db.session.add(row)
    return row


def _refuse_change(mapper, connection, target):
    """Audit rows are written once and never changed or removed through the ORM."""
    raise PermissionError("audit rows cannot be changed or deleted")


# A change: (action, entity type, entity id, before, after).
Change = tuple[str, str, object, dict | None, dict | None]
Watcher = Callable[[Session, object, bool], Iterator[Change]]

_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)
_watchers: dict[type, Watcher] = {}
_PENDING = "audit_watch_pending"


@contextmanager
def acting_as(actor: Actor):
    """Record every watched change flushed inside the block as made by this actor."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def watch(model: type, watcher: Watcher) -> None:
    """Have the watcher describe new and changed rows of this model."""
    _watchers[model] = watcher


def _before_after(obj, name: str) -> tuple[object, object, bool]:
    """An attribute's value before and after this flush, and whether it changed."""
    history = inspect(obj).attrs[name].history
    before = history.deleted[0] if history.deleted else None
    after = history.added[0] if history.added else None
    return before, after, bool(history.added) and before != after


def _collect(session: Session, _context) -> None:
    """Describe the flushed changes while their history is still there (ids are known now)."""
    if _actor.get() is None:
        return
    pending = session.info.setdefault(_PENDING, [])
    for obj in list(session.new):
        watcher = _watchers.get(type(obj))
        if watcher:
            pending.extend(watcher(session, obj, True))
    for obj in list(session.dirty):
        watcher = _watchers.get(type(obj))
        if watcher and session.is_modified(obj, include_collections=False):
            pending.extend(watcher(session, obj, False))


def _write(session: Session, _context) -> None:
    """Add the audit rows; the commit's next flush writes them in the same transaction."""
    pending = session.info.pop(_PENDING, None)
    actor = _actor.get()
    if not pending or actor is None:
        return
    for action, entity_type, entity_id, before, after in pending:
        record(actor, action, (entity_type, entity_id), before, after)


# -- what is watched --------------------------------------------------------------------------


def _market(_session, market: Market, is_new: bool) -> Iterator[Change]:
    if is_new:
        after = {"name": market.name, "slug": market.slug, "seat_cap": market.seat_cap}
        yield "market.create", "market", market.id, None, after
        return
    before, after, changed = _before_after(market, "seat_cap")
    if changed:
        yield "market.cap", "market", market.id, {"seat_cap": before}, {"seat_cap": after}


SHEET_FIELDS = (
    "price_per_lead_cents",
    "monthly_minimum_leads",
    "setup_fee_cents",
    "return_window_days",
    "credit_policy",
)


def _price_sheet(session, sheet: PriceSheet, is_new: bool) -> Iterator[Change]:
    if not is_new:
        return
    table = PriceSheet.__table__
    previous = (
        session.connection()
        .execute(
            select(*(table.c[f] for f in SHEET_FIELDS))
            .where(table.c.market_id == sheet.market_id, table.c.id != sheet.id)
            .order_by(table.c.effective_at.desc(), table.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    after = {f: getattr(sheet, f) for f in SHEET_FIELDS}
    after["effective_at"] = sheet.effective_at.isoformat()
    yield "market.price", "market", sheet.market_id, dict(previous) if previous else None, after


def _person(seat: Seat) -> dict:
    values = {"seat_id": seat.id, "name": seat.name, "email": seat.email}
    if seat.company:
        values["company"] = seat.company
    if seat.kind == HELD and seat.expires_at is not None:
        values["expires_at"] = seat.expires_at.isoformat()
    return values


def _seat(_session, seat: Seat, is_new: bool) -> Iterator[Change]:
    what = "hold" if seat.kind == HELD else "seat"
    if is_new:
        yield f"{what}.add", "market", seat.market_id, None, _person(seat)
        return
    before, after, changed = _before_after(seat, "released_at")
    if changed and before is None:
        yield (
            f"{what}.release",
            "market",
            seat.market_id,
            _person(seat),
            {
                "seat_id": seat.id,
                "released_at": after.isoformat(),
            },
        )


def _booking(_session, call: Booking, is_new: bool) -> Iterator[Change]:
    if is_new:
        return
    before, after, changed = _before_after(call, "status")
    if changed:
        what = {"name": call.name, "starts_at": call.starts_at.isoformat()}
        now = {"status": after}
        if call.cancel_reason:
            now.update(cancel_reason=call.cancel_reason, cancel_detail=call.cancel_detail)
        yield "booking.status", "booking", call.id, {"status": before, **what}, now


# A queue entry's new status, named as staff would say it.
QUEUE_ACTIONS = {
    WaitlistEntry.OFFERED: "waitlist.offer",
    WaitlistEntry.REMOVED: "waitlist.remove",
    WaitlistEntry.EXPIRED: "waitlist.expire",
}


def _queue_entry(_session, entry: WaitlistEntry, is_new: bool) -> Iterator[Change]:
    if is_new:
        return  # joining is the person's own act, not a staff change
    before, after, changed = _before_after(entry, "status")
    if not changed:
        return
    who = {"entry_id": entry.id, "name": entry.name, "email": entry.email}
    now = {"entry_id": entry.id, "status": after}
    if after == WaitlistEntry.OFFERED and entry.offer_expires_at is not None:
        now["offer_expires_at"] = entry.offer_expires_at.isoformat()
    action = QUEUE_ACTIONS.get(after, "waitlist.status")
    yield action, "market", entry.market_id, {**who, "status": before}, now


WATCHERS = {
    Market: _market,
    Booking: _booking,
    PriceSheet: _price_sheet,
    Seat: _seat,
    WaitlistEntry: _queue_entry,
}


def init_app(app: Flask) -> None:
    """Install the listeners (SQLAlchemy's are process-wide: once, whatever the number of apps)."""
    for target, name, listener in (
        (AuditLog, "before_update", _refuse_change),
        (AuditLog, "before_delete", _refuse_change),
        (Session, "after_flush", _collect),
        (Session, "after_flush_postexec", _write),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
    for model, watcher in WATCHERS.items():
        watch(model, watcher)
