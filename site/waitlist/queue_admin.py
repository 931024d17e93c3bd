"""What the admin's queue screens read and do: a market's line as staff see it, offering the
next open seat now, taking someone off the list; audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit
from .. import capacity
from ..audit import acting_as
from ..extensions import db
from ..models import WaitlistEntry
from . import places


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
        return places.remove(entry_id)
