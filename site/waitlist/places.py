"""The waitlist: joining a full market, reading one's place, leaving, declining an offer.

Who gets offered a seat, and when, is decided in one place: `capacity.advance_queue_in`,
which every change here ends with, inside the same locked transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select

from .. import capacity
from .. import contact
from .. import secret_links
from ..clock import utcnow
from ..database import write_transaction
from ..domain import DomainError
from ..domain import NotFound
from ..extensions import db
from ..models import Seat
from ..models import WaitlistEntry
from . import mail


class WaitlistError(DomainError):
    """A request the waitlist refuses."""


class NotFull(WaitlistError):
    """The market has open seats: book a call instead of waiting."""


class EntryGone(WaitlistError):
    """The entry left the list, or its offer ended, before this request."""

    def __init__(self, message: str, entry: WaitlistEntry | None = None):
        super().__init__(message)
        self.entry = entry


class UnknownLink(WaitlistError, NotFound):
    """A token that opens no entry (mistyped, cut short, tampered with, another market's)."""


@dataclass(frozen=True)
class Joined:
    """The entry a join found or made, its status-link token, and whether it is new.

    `seats_open` is set for an address already in line when the market has open seats: a new
    address would have been told so (NotFull), and the answer must not differ.
    """

    entry: WaitlistEntry
    token: str
    created: bool
    seats_open: bool = False


def _details(name, email, phone, company, nmls_id) -> dict:
    """The details checked as the join form checks them; one place per address, whatever its
    case (contact.InvalidContact when one can't be accepted)."""
    values = contact.check_details(name, email, phone, company, nmls_id)
    values["email"] = contact.normalize_email(values["email"])
    return values


def _active_by_email(session, market_id: int, email: str) -> WaitlistEntry | None:
    return session.execute(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.market_id == market_id,
            WaitlistEntry.email == email,
            WaitlistEntry.status.in_(WaitlistEntry.ACTIVE),
        )
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def join(
    market_id: int,
    *,
    name: str,
    email: str,
    phone: str,
    company: str,
    nmls_id: str | None = None,
    now: datetime | None = None,
) -> Joined:
    """Put someone at the back of a full market's queue; an email already there keeps its place.

    Either way the private link goes only by email (joined, or the link again), so whoever
    asks learns nothing about who is waiting. The market row is locked, so racing joins line
    up one after another and the ids give the order of joining without gaps or repeats.
    """
    now = now or utcnow()
    values = _details(name, email, phone, company, nmls_id)
    with write_transaction() as session:
        market = capacity.lock_market(session, market_id)
        existing = _active_by_email(session, market.id, values["email"])
        seats_open = capacity.open_now(session, market, now) > 0
        if existing is not None:
            # The place is kept; its link goes again to the address, never to the page.
            mail.queue_link_again(existing, _place_in(session, existing))
            return Joined(existing, status_token(existing), False, seats_open)
        if seats_open:
            raise NotFull(f"{market.name} has an open seat, so there is no need to wait.")
        entry = WaitlistEntry(
            market_id=market.id,
            status=WaitlistEntry.WAITING,
            link_id=secret_links.new_link_id(),
            joined_at=now,
            **values,
        )
        session.add(entry)
        session.flush()
        mail.queue_joined(entry, _place_in(session, entry))
        # Normally nothing to do (the market is full); settles a hold that ran out meanwhile.
        capacity.advance_queue_in(session, market, now)
    return Joined(entry, status_token(entry), True)


def status_token(entry: WaitlistEntry) -> str:
    """The token of an entry's status (and offer) link, signed with the current key."""
    return secret_links.token(secret_links.WAITLIST, entry.link_id)


def _link_condition(token: str | None):
    return secret_links.lookup(
        secret_links.WAITLIST, token, WaitlistEntry.link_id, WaitlistEntry.token_hash
    )


def find(token: str) -> WaitlistEntry | None:
    """The entry a status link opens, or None for a malformed or unknown token."""
    condition = _link_condition(token)
    if condition is None:
        return None
    return db.session.execute(select(WaitlistEntry).where(condition)).scalar_one_or_none()


def place(entry: WaitlistEntry) -> int | None:
    """Someone's place in line (1 = next to be offered), or None when not waiting."""
    return _place_in(db.session, entry)


def _place_in(session, entry: WaitlistEntry) -> int | None:
    if entry.status != WaitlistEntry.WAITING:
        return None
    return session.execute(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.market_id == entry.market_id,
            WaitlistEntry.status == WaitlistEntry.WAITING,
            WaitlistEntry.id <= entry.id,
        )
    ).scalar_one()


def _locked_entry(session, token: str) -> WaitlistEntry:
    """The entry behind a token with its market locked; EntryGone when there is none."""
    entry = find(token)
    if entry is None:
        raise EntryGone("That waitlist link isn't valid.")
    capacity.lock_market(session, entry.market_id)
    return session.execute(
        select(WaitlistEntry)
        .where(WaitlistEntry.id == entry.id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def _release_offer_seat(session, entry: WaitlistEntry, now: datetime) -> None:
    if entry.offer_seat_id is None:
        return
    hold_seat = session.get(Seat, entry.offer_seat_id, populate_existing=True)
    if hold_seat is not None and hold_seat.released_at is None:
        hold_seat.released_at = now


def leave(token: str, now: datetime | None = None) -> WaitlistEntry:
    """Take someone off the list (with any seat they hold); the people behind move up."""
    now = now or utcnow()
    with write_transaction() as session:
        entry = _locked_entry(session, token)
        if not entry.active:
            raise EntryGone(gone_message(entry))
        _release_offer_seat(session, entry, now)
        entry.status = WaitlistEntry.LEFT
        entry.ended_at = now
        session.flush()
        capacity.advance_queue_in(session, entry.market, now)
    return entry


def decline(token: str, now: datetime | None = None) -> WaitlistEntry:
    """Turn down an open offer: the seat goes to the next person waiting."""
    now = now or utcnow()
    with write_transaction() as session:
        entry = _locked_entry(session, token)
        if not entry.offer_open(now):
            raise EntryGone(gone_message(entry, now))
        _release_offer_seat(session, entry, now)
        entry.status = WaitlistEntry.DECLINED
        entry.ended_at = now
        session.flush()
        capacity.advance_queue_in(session, entry.market, now)
    return entry


def remove(entry_id: int, now: datetime | None = None) -> WaitlistEntry:
    """Staff take someone off the list (with any seat held for them); the next move up."""
    now = now or utcnow()
    with write_transaction() as session:
        market_id = session.execute(
            select(WaitlistEntry.market_id).where(WaitlistEntry.id == entry_id)
        ).scalar_one_or_none()
        if market_id is None:
            raise EntryGone("There is no such waitlist entry.")
        market = capacity.lock_market(session, market_id)
        entry = session.get(WaitlistEntry, entry_id, populate_existing=True)
        if not entry.active:
            raise EntryGone(f"{entry.name} is no longer on the waitlist ({entry.status}).")
        _release_offer_seat(session, entry, now)
        entry.status = WaitlistEntry.REMOVED
        entry.ended_at = now
        session.flush()
        capacity.advance_queue_in(session, market, now)
    return entry


# -- accepting an offer by booking a call (called by booking, inside its transaction) ----------

BAD_OFFER_LINK = "That offer link isn't valid. Use the link in your offer email, in full."


def check_offer(token: str, market_id: int, now: datetime | None = None) -> WaitlistEntry:
    """The entry whose open offer this token carries, for this market (a read, for pages).

    Raises UnknownLink for a bad or another market's token, EntryGone for an offer that ended.
    """
    now = now or utcnow()
    entry = find(token)
    if entry is None or entry.market_id != market_id:
        raise UnknownLink(BAD_OFFER_LINK)
    if not entry.offer_open(now):
        raise EntryGone(gone_message(entry, now), entry)
    return entry


def _hold_until(entry: WaitlistEntry, call_ends: datetime) -> datetime:
    days = int(current_app.config.get("WAITLIST_HOLD_DAYS_AFTER_CALL", 7))
    return max(entry.offer_expires_at, call_ends + timedelta(days=days))


def accept_offer_in(session, token: str, market_id: int, now: datetime) -> WaitlistEntry:
    """Lock the market and take up the offer for a booking about to be made (or raise).

    The caller books the call in the same transaction, then calls `offer_booked_in`.
    """
    condition = _link_condition(token)
    if condition is None:
        raise UnknownLink(BAD_OFFER_LINK)
    capacity.lock_market(session, market_id)
    entry = session.execute(
        select(WaitlistEntry).where(condition).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if entry is None or entry.market_id != market_id:
        raise UnknownLink(BAD_OFFER_LINK)
    if not entry.offer_open(now):
        raise EntryGone(gone_message(entry, now), entry)
    return entry


def offer_booked_in(session, entry: WaitlistEntry, booking) -> None:
    """The offer is accepted: booked, and the seat stays held until some days after the call."""
    entry.status = WaitlistEntry.BOOKED
    entry.booking_id = booking.id
    hold_seat = session.get(Seat, entry.offer_seat_id, populate_existing=True)
    hold_seat.expires_at = _hold_until(entry, booking.ends_at)


def _entry_for_booking(session, booking) -> WaitlistEntry | None:
    """The booked entry behind a call, with its market locked; None for an ordinary call."""
    found = session.execute(
        select(WaitlistEntry.id).where(
            WaitlistEntry.booking_id == booking.id,
            WaitlistEntry.status == WaitlistEntry.BOOKED,
        )
    ).scalar_one_or_none()
    if found is None:
        return None
    capacity.lock_market(session, booking.market_id)
    entry = session.get(WaitlistEntry, found, populate_existing=True)
    return entry if entry.status == WaitlistEntry.BOOKED else None


def call_moved_in(session, booking, now: datetime) -> None:
    """A call booked through an offer moved: the seat stays held until days after the new time."""
    entry = _entry_for_booking(session, booking)
    if entry is None:
        return
    hold_seat = session.get(Seat, entry.offer_seat_id, populate_existing=True)
    if hold_seat.is_active(now):  # a lapsed hold is never revived: the seat may be gone
        hold_seat.expires_at = _hold_until(entry, booking.ends_at)


def call_cancelled_in(session, booking, now: datetime) -> None:
    """A call booked through an offer was cancelled: the offer is open again until its
    original deadline (and ends now if that has passed)."""
    entry = _entry_for_booking(session, booking)
    if entry is None:
        return
    hold_seat = session.get(Seat, entry.offer_seat_id, populate_existing=True)
    entry.status = WaitlistEntry.OFFERED
    entry.booking_id = None
    if hold_seat.released_at is None:
        hold_seat.expires_at = entry.offer_expires_at
    session.flush()
    capacity.advance_queue_in(session, entry.market, now)


def gone_message(entry: WaitlistEntry, now: datetime | None = None) -> str:
    """Why a link no longer does what it did, in words for the person who holds it."""
    name = entry.market.name
    now = now or utcnow()
    if entry.status == WaitlistEntry.OFFERED and not entry.offer_open(now):
        return f"Your offer of a seat in {name} has expired, so the seat went to the next person."
    return {
        WaitlistEntry.WAITING: f"You are still waiting for a seat in {name}: no offer yet.",
        WaitlistEntry.BOOKED: f"You already booked your call about {name} through this offer.",
        WaitlistEntry.SEATED: f"You already have a seat in {name}.",
        WaitlistEntry.DECLINED: f"You declined the seat in {name}, so you are no longer waiting.",
        WaitlistEntry.EXPIRED: (
            f"Your offer of a seat in {name} expired, so the seat went to the next person."
        ),
        WaitlistEntry.LEFT: f"You left the waitlist for {name}.",
        WaitlistEntry.REMOVED: f"Our team took you off the waitlist for {name}.",
    }.get(entry.status, "That waitlist place has ended.")
