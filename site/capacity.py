"""Seats, holds, price sheets and quotes: the one place that knows the seat rules.

Open seats = cap − seated − unexpired holds − people waiting, never below 0. Every change
that can take a seat runs in one write transaction with the market row locked
(BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE on PostgreSQL), so however many
requests race, the cap is never exceeded. Every change that can free a seat ends with
`advance_queue_in`, the one place where waiting people are offered seats, in order.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from zoneinfo import available_timezones

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .clock import utcnow
from .database import write_transaction
from .domain import DomainError
from .domain import NotFound
from .extensions import db
from .geo import split_states
from .geo import US_STATES
from .models import HELD
from .models import Market
from .models import PriceSheet
from .models import Quote
from .models import Seat
from .models import SEATED
from .models import WaitlistEntry
from .waitlist import mail

FEW_LEFT = 2  # 1 or 2 open seats show as "Few left"
MAX_CAP = 1000
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = {"check"}  # /markets/check is the market check, not a market
QUOTE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread


class CapacityError(DomainError):
    """A request the seat rules refuse."""


class MarketFull(CapacityError):
    """No open seat is left in the market."""


class UnknownMarket(CapacityError, NotFound):
    """No market with that id or slug."""


class UnknownSeat(CapacityError, NotFound):
    """No seat or hold with that id."""


class AlreadyReleased(CapacityError):
    """The seat or hold was released before."""


class NoPriceSheet(CapacityError):
    """The market has no price sheet in effect, so nothing can be quoted."""


class InvalidInput(CapacityError, ValueError):
    """A value the rules don't accept (negative cap, empty name, …)."""


class StaleMarket(CapacityError):
    """The market changed since the editor loaded it; `market` holds the current values."""

    def __init__(self, market: Market):
        super().__init__(
            "Someone else changed this market while you were editing it. "
            "The current values are shown; make your change again if it still applies."
        )
        self.market = market


class Status(enum.Enum):
    """What a visitor sees: Open, Few left or Full."""

    OPEN = ("open", "Open")
    FEW_LEFT = ("few", "Few left")
    FULL = ("full", "Full")

    def __init__(self, css: str, label: str):
        self.css = css
        self.label = label


def open_seats(cap: int, seated: int, held: int, waiting: int = 0) -> int:
    """Cap minus seated, unexpired holds and people waiting; never below zero."""
    return max(0, cap - seated - held - waiting)


def status_for(open_count: int) -> Status:
    """Full at 0 open seats, Few left at 1–2, otherwise Open."""
    if open_count <= 0:
        return Status.FULL
    if open_count <= FEW_LEFT:
        return Status.FEW_LEFT
    return Status.OPEN


@dataclass(frozen=True)
class Availability:
    """A market and the numbers behind its status, as of one query."""

    market: Market
    seated: int
    held: int
    waiting: int = 0

    @property
    def cap(self) -> int:
        """The market's seat cap."""
        return self.market.seat_cap

    @property
    def open(self) -> int:
        """Seats a visitor can still have."""
        return open_seats(self.cap, self.seated, self.held, self.waiting)

    @property
    def status(self) -> Status:
        """Open, Few left or Full."""
        return status_for(self.open)

    @property
    def full(self) -> bool:
        """No seat is open: the next step is the waitlist."""
        return self.open == 0

    @property
    def in_use(self) -> int:
        """Seats taken by seated loan officers and live holds."""
        return self.seated + self.held

    @property
    def over_cap(self) -> bool:
        """True after staff lowered the cap below the seats in use (nobody is unseated)."""
        return self.in_use > self.cap

    def fingerprint(self) -> str:
        """Changes whenever anything shown about the seats changes (an expired hold too)."""
        m = self.market
        raw = f"{m.id}|{m.slug}|{m.name}|{m.seat_cap}|{self.seated}|{self.held}|{self.waiting}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


# -- reading ---------------------------------------------------------------------------------


def _waiting_count(market_id):
    """People waiting in the market's queue (someone with an offer counts as a hold instead)."""
    return (
        select(func.count(WaitlistEntry.id))
        .where(
            WaitlistEntry.market_id == market_id,
            WaitlistEntry.status == WaitlistEntry.WAITING,
        )
        .scalar_subquery()
    )


def _count_columns(market_id, now: datetime):
    """Scalar subqueries counting seated, live holds and waiting for a market id expression."""
    seated = (
        select(func.count(Seat.id))
        .where(Seat.market_id == market_id, Seat.released_at.is_(None), Seat.kind == SEATED)
        .scalar_subquery()
    )
    held = (
        select(func.count(Seat.id))
        .where(
            Seat.market_id == market_id,
            Seat.released_at.is_(None),
            Seat.kind == HELD,
            Seat.expires_at > now,
        )
        .scalar_subquery()
    )
    return seated.label("seated"), held.label("held"), _waiting_count(market_id).label("waiting")


def _availability_select(now: datetime):
    """Markets with their three counts, as correlated subqueries (one round trip)."""
    return select(Market, *_count_columns(Market.id, now))


def _to_availability(row) -> Availability:
    market, seated, held, waiting = row
    return Availability(market, int(seated or 0), int(held or 0), int(waiting or 0))


def all_availability(now: datetime | None = None) -> list[Availability]:
    """Every market with its counts, by name — one query, whatever the number of markets."""
    rows = db.session.execute(_availability_select(now or utcnow()).order_by(Market.name))
    return [_to_availability(row) for row in rows]


BY_NAME = (Market.name, Market.id)  # the id breaks ties, so pages never overlap


def availability_slice(
    where: list, limit: int, offset: int, now: datetime | None = None
) -> list[Availability]:
    """The markets matching `where`, by name, from `offset` on, `limit` of them — one query.

    The slice is chosen on the markets table alone, so the seat counts are computed for the
    markets shown only, however many there are.
    """
    chosen = select(Market.id).where(*where).order_by(*BY_NAME).limit(limit).offset(offset)
    query = _availability_select(now or utcnow()).where(Market.id.in_(chosen))
    return [_to_availability(row) for row in db.session.execute(query.order_by(*BY_NAME))]


def get_availability(slug: str, now: datetime | None = None) -> Availability | None:
    """One market's counts by slug, in one query; None for an unknown or malformed slug."""
    if not valid_slug(slug):
        return None
    row = db.session.execute(
        _availability_select(now or utcnow()).where(Market.slug == slug)
    ).one_or_none()
    return _to_availability(row) if row else None


def availability_by_id(market_id: int, now: datetime | None = None) -> Availability | None:
    """One market's counts by id, in one query."""
    row = db.session.execute(
        _availability_select(now or utcnow()).where(Market.id == market_id)
    ).one_or_none()
    return _to_availability(row) if row else None


def valid_slug(slug: str) -> bool:
    """Lowercase words joined by single hyphens, at most 80 characters."""
    return bool(slug) and len(slug) <= 80 and SLUG_RE.match(slug) is not None


def market_slugs() -> list[str]:
    """Every market's slug (for the sitemap), in one small query."""
    return list(db.session.execute(select(Market.slug).order_by(Market.slug)).scalars())


def active_seats(market_id: int, now: datetime | None = None) -> list[Seat]:
    """Seated loan officers and live holds in a market, oldest first."""
    now = now or utcnow()
    seats = db.session.execute(
        select(Seat)
        .where(Seat.market_id == market_id, Seat.released_at.is_(None))
        .order_by(Seat.created_at, Seat.id)
    ).scalars()
    return [s for s in seats if s.is_active(now)]


def current_sheet(market_id: int, now: datetime | None = None) -> PriceSheet | None:
    """The latest price sheet in effect now (a future-dated sheet waits for its date)."""
    return db.session.execute(
        select(PriceSheet)
        .where(PriceSheet.market_id == market_id, PriceSheet.effective_at <= (now or utcnow()))
        .order_by(PriceSheet.effective_at.desc(), PriceSheet.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def price_history(market_id: int) -> list[PriceSheet]:
    """Every price sheet the market ever had, newest first."""
    return list(
        db.session.execute(
            select(PriceSheet)
            .where(PriceSheet.market_id == market_id)
            .order_by(PriceSheet.effective_at.desc(), PriceSheet.id.desc())
        ).scalars()
    )


# -- changing seats --------------------------------------------------------------------------


def lock_market(session, market_id: int) -> Market:
    """The market row, locked until the transaction ends (a no-op clause on SQLite,
    where BEGIN IMMEDIATE already holds the database's write lock)."""
    market = session.execute(
        select(Market)
        .where(Market.id == market_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if market is None:
        raise UnknownMarket("That market does not exist.")
    return market


def open_now(session, market: Market, now: datetime) -> int:
    """Open seats in a market, read inside the caller's transaction."""
    seated, held, waiting = session.execute(select(*_count_columns(market.id, now))).one()
    return open_seats(market.seat_cap, seated, held, waiting)


def _person(name: str, email: str, company: str, nmls_id: str | None) -> dict:
    name, email, company = (name or "").strip(), (email or "").strip(), (company or "").strip()
    nmls_id = (nmls_id or "").strip() or None
    if not name or len(name) > 120:
        raise InvalidInput("A name of 1 to 120 characters is needed.")
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise InvalidInput("A valid email address is needed.")
    if len(company) > 160:
        raise InvalidInput("The company name can be at most 160 characters.")
    if nmls_id is not None and not (nmls_id.isdigit() and len(nmls_id) <= 12):
        raise InvalidInput("An NMLS ID is digits only (up to 12).")
    return {"name": name, "email": email, "company": company, "nmls_id": nmls_id}


def seat(
    market_id: int,
    *,
    name: str,
    email: str,
    company: str = "",
    nmls_id: str | None = None,
    now: datetime | None = None,
) -> Seat:
    """Seat a loan officer; raises MarketFull when no seat is open."""
    now = now or utcnow()
    person = _person(name, email, company, nmls_id)
    with write_transaction() as session:
        market = lock_market(session, market_id)
        if open_now(session, market, now) <= 0:
            raise MarketFull(f"{market.name} is full: every seat is taken.")
        taken = Seat(market_id=market.id, kind=SEATED, created_at=now, **person)
        session.add(taken)
    return taken


def hold(
    market_id: int,
    *,
    name: str,
    email: str,
    company: str = "",
    nmls_id: str | None = None,
    hours: float = 48,
    now: datetime | None = None,
) -> Seat:
    """Hold an open seat for someone until it expires; raises MarketFull when none is open."""
    now = now or utcnow()
    person = _person(name, email, company, nmls_id)
    if not 0 < hours <= 24 * 90:
        raise InvalidInput("A hold lasts more than 0 hours and at most 90 days.")
    with write_transaction() as session:
        market = lock_market(session, market_id)
        if open_now(session, market, now) <= 0:
            raise MarketFull(f"{market.name} is full: there is no seat to hold.")
        held = Seat(
            market_id=market.id,
            kind=HELD,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            **person,
        )
        session.add(held)
    return held


def _release(seat_id: int, kind: str, now: datetime | None) -> Seat:
    now = now or utcnow()
    with write_transaction() as session:
        market_id = session.execute(
            select(Seat.market_id).where(Seat.id == seat_id, Seat.kind == kind)
        ).scalar_one_or_none()
        if market_id is None:
            raise UnknownSeat("That seat does not exist." if kind == SEATED else "No such hold.")
        market = lock_market(session, market_id)
        target = session.execute(
            select(Seat).where(Seat.id == seat_id).execution_options(populate_existing=True)
        ).scalar_one()
        if target.released_at is not None:
            raise AlreadyReleased("That was already released.")
        target.released_at = now
        if kind == HELD:
            _end_offer_of(session, target, WaitlistEntry.REMOVED, now)
        advance_queue_in(session, market, now)
    return target


def release_seat(seat_id: int, now: datetime | None = None) -> Seat:
    """Release a seated loan officer; the row stays as history."""
    return _release(seat_id, SEATED, now)


def release_hold(hold_id: int, now: datetime | None = None) -> Seat:
    """Release a hold before it expires."""
    return _release(hold_id, HELD, now)


def confirm_hold(hold_id: int, now: datetime | None = None) -> Seat:
    """Turn a hold into a seated loan officer; an expired hold needs an open seat."""
    now = now or utcnow()
    with write_transaction() as session:
        market_id = session.execute(
            select(Seat.market_id).where(Seat.id == hold_id, Seat.kind == HELD)
        ).scalar_one_or_none()
        if market_id is None:
            raise UnknownSeat("No such hold.")
        market = lock_market(session, market_id)
        held = session.execute(
            select(Seat).where(Seat.id == hold_id).execution_options(populate_existing=True)
        ).scalar_one()
        if held.released_at is not None:
            raise AlreadyReleased("That hold was already released.")
        if not held.is_active(now) and open_now(session, market, now) <= 0:
            raise MarketFull(f"The hold expired and {market.name} is now full.")
        held.released_at = now
        _end_offer_of(session, held, WaitlistEntry.SEATED, now)
        taken = Seat(
            market_id=market.id,
            kind=SEATED,
            created_at=now,
            name=held.name,
            email=held.email,
            company=held.company,
            nmls_id=held.nmls_id,
        )
        session.add(taken)
    return taken


# -- the waitlist queue ----------------------------------------------------------------------


@dataclass
class QueueChanges:
    """What one settling of a market's queue did."""

    expired: list[WaitlistEntry]
    offered: list[WaitlistEntry]


def offer_hours() -> float:
    """How long an offer holds its seat (WAITLIST_OFFER_HOURS, default 48)."""
    return float(current_app.config.get("WAITLIST_OFFER_HOURS", 48))


def _end_offer_of(session, hold_seat: Seat, status: str, now: datetime) -> None:
    """The hold behind an offer was released or confirmed: the offer ends with `status`."""
    entry = session.execute(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.offer_seat_id == hold_seat.id,
            WaitlistEntry.status.in_((WaitlistEntry.OFFERED, WaitlistEntry.BOOKED)),
        )
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if entry is not None:
        entry.status = status
        entry.ended_at = now


def advance_queue_in(session, market: Market, now: datetime) -> QueueChanges:
    """Settle the queue of a market whose row the caller has locked.

    First, offers (and booked holds) whose time ran out end: the hold is released. Then
    while the seats in use (seated + live holds) are below the cap and someone waits, the
    first person waiting, by order of joining, gets a held seat: one seat, one offer. The
    person moves from "waiting" to "held", so open seats stay cap − seated − held − waiting.
    Each offer and expiry queues its email in this same transaction.
    """
    changes = QueueChanges(expired=[], offered=[])
    overdue = session.execute(
        select(WaitlistEntry, Seat)
        .join(Seat, Seat.id == WaitlistEntry.offer_seat_id)
        .where(
            WaitlistEntry.market_id == market.id,
            WaitlistEntry.status.in_((WaitlistEntry.OFFERED, WaitlistEntry.BOOKED)),
            Seat.expires_at <= now,
        )
        .order_by(WaitlistEntry.id)
        .execution_options(populate_existing=True)
    ).all()
    for entry, hold_seat in overdue:
        booked = entry.status == WaitlistEntry.BOOKED
        entry.status = WaitlistEntry.EXPIRED
        entry.ended_at = now
        if hold_seat.released_at is None:
            hold_seat.released_at = now
        mail.queue_expired(entry, booked=booked)
        changes.expired.append(entry)
    session.flush()
    seated, held, _waiting = session.execute(select(*_count_columns(market.id, now))).one()
    free = market.seat_cap - seated - held
    if free <= 0:
        return changes
    waiting = session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.market_id == market.id,
            WaitlistEntry.status == WaitlistEntry.WAITING,
        )
        .order_by(WaitlistEntry.id)
        .limit(free)
        .execution_options(populate_existing=True)
    ).all()
    deadline = now + timedelta(hours=offer_hours())
    for entry in waiting:
        hold_seat = Seat(
            market_id=market.id,
            kind=HELD,
            name=entry.name,
            email=entry.email,
            company=entry.company,
            nmls_id=entry.nmls_id,
            created_at=now,
            expires_at=deadline,
        )
        session.add(hold_seat)
        session.flush()
        entry.status = WaitlistEntry.OFFERED
        entry.offer_seat_id = hold_seat.id
        entry.offered_at = now
        entry.offer_expires_at = deadline
        mail.queue_offer(entry)
        changes.offered.append(entry)
    session.flush()
    return changes


def advance_queue(market_id: int, now: datetime | None = None) -> QueueChanges:
    """Lock the market and settle its queue: expire overdue offers, offer the free seats."""
    now = now or utcnow()
    with write_transaction() as session:
        market = lock_market(session, market_id)
        changes = advance_queue_in(session, market, now)
    return changes


def advance_all(now: datetime | None = None) -> QueueChanges:
    """Settle every market's queue, each market in its own locked transaction."""
    now = now or utcnow()
    market_ids = list(db.session.execute(select(Market.id).order_by(Market.id)).scalars())
    db.session.rollback()  # end the read; each market below is its own unit of work
    total = QueueChanges(expired=[], offered=[])
    for market_id in market_ids:
        changes = advance_queue(market_id, now)
        total.expired += changes.expired
        total.offered += changes.offered
    return total


# -- staff edits: cap and prices -------------------------------------------------------------


def _check_version(market: Market, expected_version: int | None) -> None:
    if expected_version is not None and market.version != expected_version:
        raise StaleMarket(market)


def set_cap(
    market_id: int, cap: int, *, expected_version: int | None = None, now: datetime | None = None
) -> Market:
    """Change a market's seat cap. Lowering it below the seats in use is allowed: nobody
    is unseated, the market just shows as full until enough seats are released."""
    if not isinstance(cap, int) or isinstance(cap, bool) or not 0 <= cap <= MAX_CAP:
        raise InvalidInput(f"The seat cap is a whole number from 0 to {MAX_CAP}.")
    with write_transaction() as session:
        market = lock_market(session, market_id)
        _check_version(market, expected_version)
        market.seat_cap = cap
        market.version += 1
        advance_queue_in(session, market, now or utcnow())
    return market


def _sheet_values(
    price_per_lead_cents, monthly_minimum_leads, setup_fee_cents, return_window_days, credit_policy
) -> dict:
    def whole(value, low, high, what):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(f"{what} must be a whole number from {low} to {high}.")
        return value

    policy = (credit_policy or "").strip()
    if not policy or len(policy) > 2000:
        raise InvalidInput("Describe the credit policy in 1 to 2,000 characters.")
    return {
        "price_per_lead_cents": whole(price_per_lead_cents, 1, 10_000_00, "The price per lead"),
        "monthly_minimum_leads": whole(monthly_minimum_leads, 0, 10_000, "The monthly minimum"),
        "setup_fee_cents": whole(setup_fee_cents, 0, 1_000_000_00, "The setup fee"),
        "return_window_days": whole(return_window_days, 0, 365, "The return window"),
        "credit_policy": policy,
    }


def change_prices(
    market_id: int,
    *,
    price_per_lead_cents: int,
    monthly_minimum_leads: int,
    setup_fee_cents: int,
    return_window_days: int,
    credit_policy: str,
    effective_at: datetime | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> PriceSheet:
    """Add a new price sheet; the old ones stay, so the price history is never lost."""
    values = _sheet_values(
        price_per_lead_cents,
        monthly_minimum_leads,
        setup_fee_cents,
        return_window_days,
        credit_policy,
    )
    now = now or utcnow()
    with write_transaction() as session:
        market = lock_market(session, market_id)
        _check_version(market, expected_version)
        sheet = PriceSheet(
            market_id=market.id, effective_at=effective_at or now, created_at=now, **values
        )
        session.add(sheet)
        market.version += 1
    return sheet


# -- quotes ----------------------------------------------------------------------------------


def new_reference(now: datetime) -> str:
    """A quote reference such as Q-2026-7K3M9P: year and six unambiguous characters."""
    code = "".join(secrets.choice(QUOTE_ALPHABET) for _ in range(6))
    return f"Q-{now.year}-{code}"


def add_quote(
    session, market_id: int, *, now: datetime | None = None, valid_days: int | None = None
) -> Quote:
    """Snapshot the current price sheet into a quote inside the caller's transaction."""
    now = now or utcnow()
    if valid_days is None:
        valid_days = int(current_app.config.get("QUOTE_VALID_DAYS", 30))
    market = session.get(Market, market_id)
    if market is None:
        raise UnknownMarket("That market does not exist.")
    sheet = current_sheet(market.id, now)
    if sheet is None:
        raise NoPriceSheet(f"{market.name} has no price sheet yet, so it can't be quoted.")
    for _attempt in range(5):
        quote = Quote(
            reference=new_reference(now),
            market_id=market.id,
            price_sheet_id=sheet.id,
            market_name=market.name,
            price_per_lead_cents=sheet.price_per_lead_cents,
            monthly_minimum_leads=sheet.monthly_minimum_leads,
            setup_fee_cents=sheet.setup_fee_cents,
            return_window_days=sheet.return_window_days,
            credit_policy=sheet.credit_policy,
            sheet_effective_at=sheet.effective_at,
            issued_at=now,
            valid_until=now + timedelta(days=valid_days),
        )
        try:
            # A savepoint, so a (very unlikely) duplicate reference costs one retry, not the
            # caller's whole transaction.
            with session.begin_nested():
                session.add(quote)
        except IntegrityError:
            continue
        return quote
    raise RuntimeError("could not find a free quote reference")


# -- creating markets ------------------------------------------------------------------------


def create_market(*, prices: dict | None = None, now: datetime | None = None, **fields) -> Market:
    """Add a market (fields as for build_market) and, given `prices`, its first price sheet."""
    now = now or utcnow()
    market = build_market(now=now, **fields)
    slug = market.slug
    with write_transaction() as session:
        if session.execute(select(Market.id).where(Market.slug == slug)).first():
            raise InvalidInput(f"A market with the address “{slug}” already exists.")
        session.add(market)
        session.flush()
        if prices:
            values = _sheet_values(**{k: v for k, v in prices.items() if k != "effective_at"})
            effective_at = prices.get("effective_at") or now
            session.add(
                PriceSheet(market_id=market.id, effective_at=effective_at, created_at=now, **values)
            )
    return market


def build_market(
    *,
    slug: str,
    name: str,
    official_name: str,
    states: str,
    time_zone: str,
    seat_cap: int,
    aliases: list[str] | str = "",
    population: int | None = None,
    now: datetime | None = None,
) -> Market:
    """A validated, unsaved Market (for create_market and bulk loading)."""
    if not valid_slug(slug) or slug in RESERVED_SLUGS:
        raise InvalidInput("The address must be lowercase words joined by hyphens.")
    name, official_name = (name or "").strip(), (official_name or "").strip()
    if not name or len(name) > 120 or not official_name or len(official_name) > 200:
        raise InvalidInput("A name (up to 120 characters) and an official name are needed.")
    codes = split_states(states or "")
    if not codes or any(code not in US_STATES for code in codes):
        raise InvalidInput("States must be US state codes, such as TX or NY-NJ.")
    if time_zone not in _time_zones():
        raise InvalidInput(f"“{time_zone}” is not an IANA time zone.")
    if not isinstance(seat_cap, int) or not 0 <= seat_cap <= MAX_CAP:
        raise InvalidInput(f"The seat cap is a whole number from 0 to {MAX_CAP}.")
    if isinstance(aliases, str):
        aliases = aliases.split(";")
    alias_text = "; ".join(a.strip() for a in aliases if a.strip())
    return Market(
        slug=slug,
        name=name,
        official_name=official_name,
        states="-".join(codes),
        aliases=alias_text,
        time_zone=time_zone,
        population=population,
        seat_cap=seat_cap,
        created_at=now or utcnow(),
    )


_ZONES: set[str] = set()


def _time_zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES
