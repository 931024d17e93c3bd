"""The booking rules: who takes a call (the free host with the fewest calls that week), and
booking, rescheduling and cancelling it under the hosts' locks, with its mail and quote.

The hosts' calendars are loaded here in one go and handed to the pure slot engine
(calls/slots.py), which says which times are free.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from . import capacity
from . import secret_links
from .calls import mail
from .calls import reminders
from .calls.slots import day_bounds
from .calls.slots import free_slots
from .calls.slots import free_starts
from .calls.slots import host_free_starts
from .calls.slots import HostCalendar
from .calls.slots import hosts_free_at
from .calls.slots import HoursRange
from .calls.slots import month_bounds
from .calls.slots import open_windows
from .calls.slots import parse_zone
from .calls.slots import Rules
from .clock import utcnow
from .database import write_transaction
from .domain import DomainError
from .extensions import db
from .models import BlackoutDay
from .models import Booking
from .models import CANCEL_DETAIL_LENGTH
from .models import CANCEL_REASONS
from .models import CANCELLED
from .models import COMPLETED
from .models import CONFIRMED
from .models import Host
from .models import Market
from .models import NO_SHOW
from .models import TimeOff
from .models import WeeklyHours
from .waitlist import places

# ---------------------------------------------------------------------------
# Loading the engine's data


def rules() -> Rules:
    """The configured calendar rules of the running app."""
    return Rules.from_config(current_app.config)


CALL_STATUSES = (CONFIRMED, COMPLETED, NO_SHOW)  # calls that count (a cancelled one doesn't)
# Calls around a window that can matter to it: enough to see a host's whole local day (the daily
# cap) around any moment in it, or the whole local week (choosing among free hosts).
DAY_MARGIN = timedelta(days=2)
WEEK_MARGIN = timedelta(days=8)


def load_hosts(session, host_ids: Iterable[int] | None = None) -> list[HostCalendar]:
    """Active hosts (all, or these) with their weekly hours, in one query of plain rows (no
    ORM objects: this runs for every calendar page)."""
    query = (
        select(Host.id, Host.time_zone, WeeklyHours.weekday, WeeklyHours.starts, WeeklyHours.ends)
        .outerjoin(WeeklyHours, WeeklyHours.host_id == Host.id)
        .where(Host.active.is_(True))
        .order_by(Host.id, WeeklyHours.weekday, WeeklyHours.starts)
    )
    if host_ids is not None:
        query = query.where(Host.id.in_(list(host_ids)))
    zones: dict[int, str] = {}
    hours: dict[int, list[HoursRange]] = {}
    for row in session.execute(query):
        zones[row.id] = row.time_zone
        if row.weekday is not None:
            hours.setdefault(row.id, []).append(HoursRange(row.weekday, row.starts, row.ends))
    hosts = []
    for host_id, zone in zones.items():
        if parse_zone(zone) is None:
            current_app.logger.warning("host %s has an unknown time zone; skipped", host_id)
            continue
        hosts.append(HostCalendar(host_id=host_id, zone=zone, hours=tuple(hours.get(host_id, ()))))
    return hosts


def load_calendars(
    session,
    start: datetime,
    end: datetime,
    *,
    exclude_booking: int | None = None,
    margin: timedelta = DAY_MARGIN,
    host_ids: Iterable[int] | None = None,
    hosts: list[HostCalendar] | None = None,
) -> list[HostCalendar]:
    """Active hosts (all, these ids, or these hosts already loaded) with hours, time off and
    calls around [start, end), in three queries or two."""
    if hosts is None:
        hosts = load_hosts(session, host_ids)
    elif host_ids is None:
        host_ids = [host.host_id for host in hosts]
    off: dict[int, list] = {}
    query = select(TimeOff.host_id, TimeOff.starts_at, TimeOff.ends_at).where(
        TimeOff.ends_at > start - margin, TimeOff.starts_at < end + margin
    )
    if host_ids is not None:
        query = query.where(TimeOff.host_id.in_(list(host_ids)))
    for row in session.execute(query):
        off.setdefault(row.host_id, []).append((row.starts_at, row.ends_at))
    calls: dict[int, list] = {}
    query = select(Booking.host_id, Booking.starts_at, Booking.ends_at).where(
        Booking.status.in_(CALL_STATUSES),
        Booking.starts_at >= start - margin,
        Booking.starts_at < end + margin,
    )
    if host_ids is not None:
        query = query.where(Booking.host_id.in_(list(host_ids)))
    if exclude_booking is not None:
        query = query.where(Booking.id != exclude_booking)
    for row in session.execute(query):
        calls.setdefault(row.host_id, []).append((row.starts_at, row.ends_at))
    return [
        replace(
            host,
            time_off=tuple(off.get(host.host_id, ())),
            calls=tuple(calls.get(host.host_id, ())),
        )
        for host in hosts
    ]


def works_through(
    host: HostCalendar, blackouts: frozenset[date] | set[date], start: datetime, end: datetime
) -> bool:
    """Whether [start, end) lies inside one of the host's working ranges."""
    return any(
        begins <= start and end <= ends
        for begins, ends in open_windows(host, blackouts, start, end)
    )


def load_blackouts(session, start: datetime, end: datetime) -> frozenset[date]:
    """Company blackout dates near [start, end)."""
    first = (start - timedelta(days=2)).date()
    last = (end + timedelta(days=2)).date()
    return frozenset(
        session.scalars(
            select(BlackoutDay.day).where(BlackoutDay.day >= first, BlackoutDay.day <= last)
        )
    )


def bookable(r: Rules, start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The part of [start, end) where calls may be booked now (empty: start >= end)."""
    return max(start, r.earliest(now)), min(end, r.latest(now))


def month_starts(
    year: int,
    month: int,
    tz: ZoneInfo,
    now: datetime | None = None,
    *,
    exclude_booking: int | None = None,
) -> list[datetime]:
    """Every free start time (UTC) in a local month, in the visitor's zone: one load for the
    month grid and the chosen day's times alike."""
    now = now or utcnow()
    r = rules()
    begins, ends = bookable(r, *month_bounds(year, month, tz), now)
    if begins >= ends:
        return []  # all of it past, or beyond the horizon: nothing to load
    session = db.session
    calendars = load_calendars(session, begins, ends, exclude_booking=exclude_booking)
    return free_starts(calendars, r, load_blackouts(session, begins, ends), begins, ends, now)


def day_slots(
    day: date, tz: ZoneInfo, now: datetime | None = None, *, exclude_booking: int | None = None
) -> list[datetime]:
    """Free start times (UTC) on a local day in the visitor's zone."""
    now = now or utcnow()
    r = rules()
    begins, ends = bookable(r, *day_bounds(day, tz), now)
    if begins >= ends:
        return []
    session = db.session
    calendars = load_calendars(session, begins, ends, exclude_booking=exclude_booking)
    return free_slots(calendars, r, load_blackouts(session, begins, ends), day, tz, now)


# ---------------------------------------------------------------------------
# Booking, rescheduling and cancelling


class BookingError(DomainError):
    """A booking request the rules refuse."""


class SlotUnavailable(BookingError):
    """The time is not one we offer (past, too soon, too far, outside hours)."""


class SlotTaken(BookingError):
    """The time was free a moment ago, but someone else just booked it."""


class MarketClosed(BookingError):
    """The market is full: the next step is the waitlist, not a call."""


class BookingClosed(BookingError):
    """The call was cancelled or has already happened, so it can't be changed."""


@dataclass(frozen=True)
class Details:
    """What the prospect told us in the booking form (already validated by the form)."""

    name: str
    email: str
    phone: str
    company: str
    lead_source: str
    time_zone: str
    consent: bool
    nmls_id: str | None = None
    notes: str = ""


def manage_token(booking: Booking) -> str:
    """The token of a booking's private manage link, signed with the current key."""
    return secret_links.token(secret_links.BOOKING, booking.link_id)


def form_token_hash(form_token: str, market_id: int, start: datetime, email: str) -> str:
    """What is stored to know a resubmitted form: its one-time token bound to what it booked.

    The token alone is in the form's page, so it must not be a key to the booking: only the
    same token with the same market, start and email (case aside) finds it again. Migration
    3c8e5a1f9b62 computes this for the bookings made before; the two must stay the same.
    """
    moment = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = ("booking-form", form_token, str(market_id), moment, email.strip().lower())
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _manage_condition(token: str):
    return secret_links.lookup(
        secret_links.BOOKING, token, Booking.link_id, Booking.manage_token_hash
    )


def find_booking(token: str) -> Booking | None:
    """The booking a manage-link token opens, or None."""
    condition = _manage_condition(token)
    if condition is None:
        return None
    return db.session.scalars(
        select(Booking)
        .where(condition)
        .options(selectinload(Booking.host), selectinload(Booking.market))
    ).one_or_none()


def _notice(minutes: int) -> str:
    """2 hours', 1 hour's, 90 minutes': the minimum notice as people say it."""
    if minutes % 60:
        return f"{minutes} minutes'"
    hours = minutes // 60
    return "1 hour's" if hours == 1 else f"{hours} hours'"


def _check_window(start: datetime, now: datetime, r: Rules) -> None:
    if start.tzinfo is None:
        raise SlotUnavailable("That time has no time zone; please pick a time from the calendar.")
    if start < r.earliest(now):
        raise SlotUnavailable(
            "That time is in the past or too soon: calls need at least "
            f"{_notice(r.min_notice_minutes)} notice. Please pick another time."
        )
    if start >= r.latest(now):
        raise SlotUnavailable(
            f"We book calls up to {r.horizon_days} days ahead. Please pick an earlier time."
        )


def _candidate_hosts(
    session, start: datetime, now: datetime, exclude_booking: int | None
) -> list[int]:
    """Ids of the hosts free at `start` as the data stands, preferred first; raises if none."""
    r = rules()
    end = start + r.call_length
    blackouts = load_blackouts(session, start, end)
    # Calls are read only for hosts working then: the week around a time holds many calls.
    working = [h for h in load_hosts(session) if works_through(h, blackouts, start, end)]
    calendars = load_calendars(
        session, start, end, exclude_booking=exclude_booking, margin=WEEK_MARGIN, hosts=working
    )
    candidates = hosts_free_at(calendars, r, blackouts, start, now)
    if not candidates:
        without_calls = [replace(c, calls=()) for c in calendars]
        if hosts_free_at(without_calls, r, blackouts, start, now):
            raise SlotTaken("That time was just taken. Please choose another time.")
        raise SlotUnavailable("That time isn't one we offer. Please pick a time from the calendar.")
    return candidates


def _choose_host(
    session,
    start: datetime,
    now: datetime,
    exclude_booking: int | None,
    prefer: int | None,
    candidates: list[int] | None = None,
) -> int:
    """The host who takes a call at `start`, with the hosts' rows locked; raises if none.

    The candidates, in order of preference (fewest calls that week first), come from a look
    at every host, which may have been taken before the write transaction began; here they are
    locked and checked again, which needs only the calls around that day.
    """
    if candidates is None:
        candidates = _candidate_hosts(session, start, now, exclude_booking)
    r = rules()
    end = start + r.call_length
    # Lock the candidates in id order (no deadlocks), then look again with fresh data:
    # a booking committed meanwhile by another worker is seen now (FOR UPDATE on
    # PostgreSQL; on SQLite BEGIN IMMEDIATE already serialises writers).
    session.execute(
        select(Host.id).where(Host.id.in_(candidates)).order_by(Host.id).with_for_update()
    )
    blackouts = load_blackouts(session, start, end)
    calendars = load_calendars(
        session, start, end, exclude_booking=exclude_booking, host_ids=candidates
    )
    still_free = {
        host.host_id
        for host in calendars
        if start in host_free_starts(host, r, blackouts, start, end, now)
    }
    if prefer in still_free:
        return prefer
    for host_id in candidates:
        if host_id in still_free:
            return host_id
    raise SlotTaken("That time was just taken. Please choose another time.")


def book(
    market_id: int,
    start: datetime,
    details: Details,
    form_token: str,
    now: datetime | None = None,
    offer_token: str | None = None,
) -> tuple[Booking, str, bool]:
    """Book a call; returns (booking, manage token, created). A resubmitted form returns the
    booking it made the first time, with created False, when the market, start and email are
    the same too; with any of them changed it is a new booking request like any other.

    With `offer_token` (a waitlist offer's link) the call is booked in a full market: the
    offer is checked under the market lock and accepted with the booking, or
    waitlist.UnknownLink / waitlist.EntryGone is raised.
    """
    now = now or utcnow()
    form_hash = form_token_hash(form_token, market_id, start, details.email)
    try:
        booking = _book(market_id, start, details, form_hash, now, offer_token)
    except _AlreadyBooked as twin:
        return twin.booking, manage_token(twin.booking), False
    return booking, manage_token(booking), True


class _AlreadyBooked(Exception):
    """This form's booking exists: made by the first click of a double click, or before a retry."""

    def __init__(self, booking: Booking):
        super().__init__(booking.id)
        self.booking = booking


def _unless_booked(session, form_hash: str) -> None:
    """Stop here (_AlreadyBooked) when a twin of this request has made its booking."""
    existing = session.scalars(
        select(Booking)
        .where(Booking.form_token_hash == form_hash)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if existing is not None:
        raise _AlreadyBooked(existing)


def _book(
    market_id: int,
    start: datetime,
    details: Details,
    form_hash: str,
    now: datetime,
    offer_token: str | None,
) -> Booking:
    """Make the booking, or find that a twin of this request made it (_AlreadyBooked).

    A twin may win any of the locks taken here, so it is looked for again after each.
    """
    # Every host's calendar is read before the write transaction, so writers wait on each
    # other only for the short part: the candidates are locked and checked again inside.
    try:
        _check_window(start, now, rules())
        planned = _candidate_hosts(db.session, start, now, None)
    except BookingError:
        planned = None  # settled under the lock (a resubmitted form finds its booking there)
    with write_transaction() as session:
        _unless_booked(session, form_hash)
        market = session.get(Market, market_id)
        if market is None:
            raise BookingError("That market does not exist.")
        offer = None
        if offer_token:
            try:
                offer = places.accept_offer_in(session, offer_token, market.id, now)
            except places.EntryGone:
                _unless_booked(session, form_hash)  # a twin won the market lock
                raise
        else:
            availability = capacity.availability_by_id(market.id, now)
            if availability is None or availability.full:
                raise MarketClosed(
                    f"{market.name} is full, so calls are closed. Join the waitlist instead."
                )
        _check_window(start, now, rules())
        host_id = _choose_host(session, start, now, None, None, planned)
        _unless_booked(session, form_hash)  # a twin may have won the hosts' locks
        booking = Booking(
            market_id=market.id,
            host_id=host_id,
            starts_at=start,
            ends_at=start + rules().call_length,
            status=CONFIRMED,
            name=details.name,
            email=details.email,
            phone=details.phone,
            company=details.company,
            nmls_id=details.nmls_id,
            lead_source=details.lead_source,
            notes=details.notes,
            consent=details.consent,
            visitor_time_zone=details.time_zone,
            form_token_hash=form_hash,
            link_id=secret_links.new_link_id(),
            ics_uid=f"call-{uuid.uuid4().hex}@{_uid_domain()}",
            sequence=0,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(booking)
        except IntegrityError:
            _unless_booked(session, form_hash)  # the unique form hash: a twin got there first
            raise SlotTaken("That time was just taken. Please choose another time.") from None
        try:
            booking.quote = capacity.add_quote(session, market.id, now=now)
        except capacity.NoPriceSheet:
            booking.quote = None  # the confirmation says the quote will follow by email
        session.flush()
        if offer is not None:
            places.offer_booked_in(session, offer, booking)
        planned = reminders.plan_in(session, booking, now)
        mail.queue_confirmation(booking, planned)
    return booking


def _locked_booking(session, token: str) -> Booking:
    booking = None
    condition = _manage_condition(token)
    if condition is not None:
        booking = session.scalars(
            select(Booking)
            .where(condition)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
    if booking is None:
        raise BookingError("We couldn't find that booking.")
    return booking


def reschedule(token: str, start: datetime, now: datetime | None = None) -> Booking:
    """Move a confirmed call to a new free time; the old time is freed at once."""
    now = now or utcnow()
    with write_transaction() as session:
        booking = _locked_booking(session, token)
        if booking.status != CONFIRMED or booking.starts_at <= now:
            raise BookingClosed("This call can no longer be changed.")
        if start == booking.starts_at:
            return booking  # a repeated submit: already there
        _check_window(start, now, rules())
        host_id = _choose_host(session, start, now, booking.id, booking.host_id)
        booking.host_id = host_id
        booking.starts_at = start
        booking.ends_at = start + rules().call_length
        booking.sequence += 1
        booking.updated_at = now
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise SlotTaken("That time was just taken. Please choose another time.") from None
        session.refresh(booking, ["host"])
        places.call_moved_in(session, booking, now)
        # The reminders follow the call: those of the old time go, the new time's are planned.
        reminders.withdraw_in(session, booking)
        planned = reminders.plan_in(session, booking, now)
        mail.queue_rescheduled(booking, planned)
    return booking


def cancel_reason(reason: str | None, detail: str = "") -> tuple[str | None, str]:
    """The reason to store for a cancel: a CANCEL_REASONS key or None, and the words typed
    (words alone count as "something else"); raises BookingError for what can't be stored."""
    detail = (detail or "").strip()
    reason = reason or ("other" if detail else None)
    if reason is not None and reason not in CANCEL_REASONS:
        raise BookingError("Choose one of the reasons listed, or none.")
    if len(detail) > CANCEL_DETAIL_LENGTH:
        raise BookingError(f"Keep the reason under {CANCEL_DETAIL_LENGTH} characters.")
    return reason, detail


def cancel(
    token: str, now: datetime | None = None, *, reason: str | None = None, detail: str = ""
) -> Booking:
    """Cancel a confirmed call, with the reason given if any (a second cancel changes
    nothing, the first reason stays)."""
    now = now or utcnow()
    reason, detail = cancel_reason(reason, detail)
    with write_transaction() as session:
        booking = _locked_booking(session, token)
        if booking.status == CANCELLED:
            return booking
        if booking.status != CONFIRMED or booking.starts_at <= now:
            raise BookingClosed("This call has already taken place, so it can't be cancelled.")
        booking.status = CANCELLED
        booking.cancelled_at = now
        booking.cancel_reason = reason
        booking.cancel_detail = detail
        booking.updated_at = now
        booking.sequence += 1
        places.call_cancelled_in(session, booking, now)
        reminders.withdraw_in(session, booking)
        mail.queue_cancelled(booking)
    return booking


def _uid_domain() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"
