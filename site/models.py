"""Tables, constraints and small pure properties — no Flask globals here."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from datetime import time
from datetime import UTC

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import event
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import JSON
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy import Time
from sqlalchemy import true
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.types import TypeDecorator

from .clock import utcnow
from .extensions import db
from .geo import fold
from .geo import split_states
from .geo import US_STATES


class UTCDateTime(TypeDecorator):
    """A point in time stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the zone (timestamptz); SQLite keeps none, so values are stored as
    naive UTC there and made aware again on the way out — comparisons then work alike.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Market(db.Model):
    """A US metro area with a capped number of seats."""

    __tablename__ = "markets"
    __table_args__ = (
        CheckConstraint("seat_cap >= 0", name="seat_cap_not_negative"),
        # Market lists are paged by name; the states menu counts by states (markets/search.py).
        Index("ix_markets_name_id", "name", "id"),
        Index("ix_markets_states", "states"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The short name people use ("Dallas–Fort Worth") and the OMB title of the metro area.
    name: Mapped[str] = mapped_column(String(120))
    official_name: Mapped[str] = mapped_column(String(200))
    # State codes as in the OMB title: "TX", "NY-NJ", "DC-VA-MD-WV".
    states: Mapped[str] = mapped_column(String(40))
    # Principal cities and other well-known places, separated by semicolons.
    aliases: Mapped[str] = mapped_column(Text, default="")
    time_zone: Mapped[str] = mapped_column(String(64))
    population: Mapped[int | None] = mapped_column(Integer)
    seat_cap: Mapped[int] = mapped_column(Integer)
    # Raised on every staff edit of the market (cap, prices) to refuse lost updates.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Folded words of every name the market answers to, for search (kept by an event).
    search_key: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    price_sheets: Mapped[list[PriceSheet]] = relationship(
        back_populates="market", order_by="PriceSheet.effective_at", lazy="raise_on_sql"
    )

    @property
    def state_codes(self) -> list[str]:
        """The market's state codes, in the order of its official title."""
        return split_states(self.states)

    @property
    def state_names(self) -> list[str]:
        """Full state names."""
        return [US_STATES.get(code, code) for code in self.state_codes]

    @property
    def alias_list(self) -> list[str]:
        """The principal cities and other names, one per entry."""
        return [a.strip() for a in (self.aliases or "").split(";") if a.strip()]

    def compute_search_key(self) -> str:
        """Every searchable word, space-padded so a query word can match a word's start."""
        parts = [self.name, self.official_name, " ".join(self.state_codes)]
        parts += self.state_names + self.alias_list
        return " " + fold(" ".join(p or "" for p in parts)) + " "

    def __repr__(self) -> str:
        return f"<Market {self.slug}>"


@event.listens_for(Market, "before_insert")
@event.listens_for(Market, "before_update")
def _keep_search_key(_mapper, _connection, market: Market) -> None:
    market.search_key = market.compute_search_key()


class PriceSheet(db.Model):
    """A market's prices from a date on; append-only, the latest in effect is current."""

    __tablename__ = "price_sheets"
    __table_args__ = (
        CheckConstraint("price_per_lead_cents > 0", name="price_positive"),
        CheckConstraint("monthly_minimum_leads >= 0", name="minimum_not_negative"),
        CheckConstraint("setup_fee_cents >= 0", name="setup_fee_not_negative"),
        CheckConstraint("return_window_days >= 0", name="return_window_not_negative"),
        Index("ix_price_sheets_market_effective", "market_id", "effective_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    price_per_lead_cents: Mapped[int] = mapped_column(Integer)
    monthly_minimum_leads: Mapped[int] = mapped_column(Integer)
    setup_fee_cents: Mapped[int] = mapped_column(Integer)
    return_window_days: Mapped[int] = mapped_column(Integer)
    credit_policy: Mapped[str] = mapped_column(Text)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    market: Mapped[Market] = relationship(back_populates="price_sheets")

    @property
    def monthly_minimum_cents(self) -> int:
        """What the monthly minimum comes to at this price."""
        return self.price_per_lead_cents * self.monthly_minimum_leads


SEATED = "seated"
HELD = "held"


class Seat(db.Model):
    """A seat taken by a loan officer (seated) or offered to someone until it expires (held).

    Released seats keep their row (released_at set), so the history stays.
    """

    __tablename__ = "seats"
    __table_args__ = (
        CheckConstraint("kind IN ('seated', 'held')", name="kind_known"),
        CheckConstraint("kind = 'seated' OR expires_at IS NOT NULL", name="hold_expires"),
        Index("ix_seats_market_active", "market_id", "released_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    company: Mapped[str] = mapped_column(String(160), default="")
    nmls_id: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    market: Mapped[Market] = relationship()

    def is_active(self, now: datetime) -> bool:
        """Whether the seat counts against the cap at this moment."""
        if self.released_at is not None:
            return False
        return self.kind == SEATED or (self.expires_at is not None and self.expires_at > now)


class Quote(db.Model):
    """A written quote: a copy of a price sheet's numbers that never changes afterwards."""

    __tablename__ = "quotes"
    __table_args__ = (Index("ix_quotes_market_id", "market_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    price_sheet_id: Mapped[int] = mapped_column(ForeignKey("price_sheets.id"))
    market_name: Mapped[str] = mapped_column(String(120))
    price_per_lead_cents: Mapped[int] = mapped_column(Integer)
    monthly_minimum_leads: Mapped[int] = mapped_column(Integer)
    setup_fee_cents: Mapped[int] = mapped_column(Integer)
    return_window_days: Mapped[int] = mapped_column(Integer)
    credit_policy: Mapped[str] = mapped_column(Text)
    sheet_effective_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())

    market: Mapped[Market] = relationship()

    @property
    def monthly_minimum_cents(self) -> int:
        """What the monthly minimum comes to at the quoted price."""
        return self.price_per_lead_cents * self.monthly_minimum_leads

    def is_valid(self, now: datetime) -> bool:
        """Whether the quote can still be accepted at this moment."""
        return now <= self.valid_until


# ---------------------------------------------------------------------------
# Booking: hosts, their hours and time off, company blackout days.


class Host(db.Model):
    """A staff member who takes calls, working in their own time zone."""

    __tablename__ = "hosts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    meeting_link: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    hours: Mapped[list[WeeklyHours]] = relationship(
        back_populates="host", cascade="all, delete-orphan", order_by="WeeklyHours.weekday"
    )
    time_off: Mapped[list[TimeOff]] = relationship(
        back_populates="host", cascade="all, delete-orphan", order_by="TimeOff.starts_at"
    )

    def __repr__(self) -> str:
        return f"<Host {self.id} {self.name!r}>"


class WeeklyHours(db.Model):
    """One range of a host's working hours on a weekday, in the host's local time.

    A day may hold several ranges (a lunch break is two ranges). An end of 00:00 means
    midnight at the end of the day.
    """

    __tablename__ = "weekly_hours"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        Index("ix_weekly_hours_host_weekday", "host_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # Monday 0 … Sunday 6, like date.weekday()
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)

    host: Mapped[Host] = relationship(back_populates="hours")


class TimeOff(db.Model):
    """A stretch of time (UTC) when a host takes no calls."""

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_time_off_host_starts", "host_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    host: Mapped[Host] = relationship(back_populates="time_off")


class BlackoutDay(db.Model):
    """A company-wide day without calls (a holiday), in each host's own calendar."""

    __tablename__ = "blackout_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="", server_default="")


# ---------------------------------------------------------------------------
# Email: every message is written here in the transaction that caused it.


class OutboxMessage(db.Model):
    """An email waiting to be delivered (or delivered, or given up on).

    `recipient` is one bare address, the envelope recipient; `recipient_name` the display
    name, kept apart so a name can never add or replace an address. `attachments` is a list
    of {"filename", "content_type", "method", "content"} with the content as text (an .ics
    invite). `not_before` is both the retry back-off and the lease a sender takes while it
    delivers, so two senders never send the same message.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status_known"),
        Index("ix_outbox_messages_status_not_before", "status", "not_before"),
    )

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, server_default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} to={self.recipient!r}>"


# ---------------------------------------------------------------------------
# Booked calls.

CONFIRMED = "confirmed"
CANCELLED = "cancelled"
COMPLETED = "completed"
NO_SHOW = "no_show"
BOOKING_STATUSES = (CONFIRMED, CANCELLED, COMPLETED, NO_SHOW)
LEAD_SOURCES = {
    "shared": "Shared leads",
    "exclusive": "Exclusive leads",
    "none": "No paid leads yet",
}
# Why a call was cancelled, when the person cancelling says (docs/product.md, "Cancelling").
CANCEL_REASONS = {
    "timing": "The time no longer works",
    "not_ready": "Not ready to buy leads yet",
    "price": "The pricing doesn't fit",
    "other_source": "Going with another lead source",
    "other": "Something else",
}
CANCEL_DETAIL_LENGTH = 200


class Booking(db.Model):
    """A twenty-minute call booked by a prospect with one host.

    One host can't have two confirmed calls starting at the same moment: a partial unique
    index settles racing bookings in the database. `form_token_hash` (a SHA-256 of the form's
    one-time token with the market, start and email) makes a resubmitted form return the first
    booking, and a racing twin fail on the unique constraint. The manage link is `link_id`
    signed under the secret key (secret_links.py), never stored; `manage_token_hash` finds
    bookings by links sent before that scheme, and is empty for newer ones.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('confirmed', 'cancelled', 'completed', 'no_show')", name="status_known"
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("lead_source IN ('shared', 'exclusive', 'none')", name="lead_source_known"),
        CheckConstraint(
            "cancel_reason IS NULL OR cancel_reason IN "
            "('timing', 'not_ready', 'price', 'other_source', 'other')",
            name="cancel_reason_known",
        ),
        Index(
            "uq_bookings_host_start_confirmed",
            "host_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'confirmed'"),
            postgresql_where=text("status = 'confirmed'"),
        ),
        Index("ix_bookings_starts_at", "starts_at"),
        Index("ix_bookings_market_id", "market_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id"))
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=CONFIRMED)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40))
    company: Mapped[str] = mapped_column(String(160))
    nmls_id: Mapped[str | None] = mapped_column(String(12))
    lead_source: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    visitor_time_zone: Mapped[str] = mapped_column(String(64))
    form_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[str] = mapped_column(String(32), unique=True)
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ics_uid: Mapped[str] = mapped_column(String(200), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The reason given when cancelling (a CANCEL_REASONS key; none when none was given), and
    # the words typed with it.
    cancel_reason: Mapped[str | None] = mapped_column(String(20))
    cancel_detail: Mapped[str] = mapped_column(
        String(CANCEL_DETAIL_LENGTH), default="", server_default=""
    )

    host: Mapped[Host] = relationship()
    market: Mapped[Market] = relationship()
    quote: Mapped[Quote | None] = relationship()

    @property
    def is_confirmed(self) -> bool:
        return self.status == CONFIRMED

    @property
    def lead_source_label(self) -> str:
        return LEAD_SOURCES.get(self.lead_source, self.lead_source)

    @property
    def cancel_reason_label(self) -> str:
        """The reason given for cancelling, in words ("" when none was given)."""
        if self.cancel_reason is None:
            return ""
        return CANCEL_REASONS.get(self.cancel_reason, self.cancel_reason)

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.status} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class CallReminder(db.Model):
    """A reminder email to a loan officer some minutes before their call.

    Planned when the call is booked or moved, one per offset (REMINDER_OFFSETS_MINUTES) and
    per version of the call's time (the booking's `sequence`): `scheduled` until it is sent,
    `skipped` when its moment had passed (at booking, or when a later one is due too, or the
    call has begun), `withdrawn` when the call is cancelled or moved. A sender takes it with a
    conditional UPDATE from scheduled to sent, in the transaction that queues the email, so it
    goes out exactly once however many senders run; the unique index keeps one per booking,
    offset and time.
    """

    SCHEDULED = "scheduled"
    SENT = "sent"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"

    __tablename__ = "call_reminders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('scheduled', 'sent', 'skipped', 'withdrawn')", name="status_known"
        ),
        CheckConstraint("minutes_before > 0", name="minutes_before_positive"),
        Index(
            "uq_call_reminders_booking_offset_sequence",
            "booking_id",
            "minutes_before",
            "sequence",
            unique=True,
        ),
        Index("ix_call_reminders_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    minutes_before: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)  # the booking's sequence it was planned for
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default=SCHEDULED)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))

    booking: Mapped[Booking] = relationship()


class HostAgenda(db.Model):
    """A host's morning agenda email for one of their local days: one row per host and day,
    made by the sender that sends it (the unique index turns away any other)."""

    __tablename__ = "host_agendas"
    __table_args__ = (Index("uq_host_agendas_host_day", "host_id", "day", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # in the host's zone
    calls: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))


class WaitlistEntry(db.Model):
    """A person waiting for a seat in a full market, in order of joining (the id).

    The status link (also the offer's link) is `link_id` signed under the secret key
    (secret_links.py), never stored, so an offer emailed later can carry it; `token_hash`
    finds entries by links sent before that scheme, and is empty for newer ones.
    """

    WAITING = "waiting"
    OFFERED = "offered"  # holds a seat (offer_seat_id) until offer_expires_at
    BOOKED = "booked"  # booked a call through the offer; the seat stays held for staff
    SEATED = "seated"  # staff turned the hold into a seat
    DECLINED = "declined"
    EXPIRED = "expired"
    LEFT = "left"
    REMOVED = "removed"  # taken off the list by staff
    ACTIVE = (WAITING, OFFERED, BOOKED)
    STATUSES = (WAITING, OFFERED, BOOKED, SEATED, DECLINED, EXPIRED, LEFT, REMOVED)

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'offered', 'booked', 'seated', 'declined', 'expired', "
            "'left', 'removed')",
            name="status_known",
        ),
        CheckConstraint(
            "status NOT IN ('offered', 'booked') OR offer_seat_id IS NOT NULL",
            name="offer_has_seat",
        ),
        # One active place per email in a market; settled by the database, not a check.
        Index(
            "uq_waitlist_entries_active_email",
            "market_id",
            "email",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'offered', 'booked')"),
            postgresql_where=text("status IN ('waiting', 'offered', 'booked')"),
        ),
        Index("ix_waitlist_entries_market_status", "market_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))  # lower-case
    phone: Mapped[str] = mapped_column(String(40))
    company: Mapped[str] = mapped_column(String(160))
    nmls_id: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default=WAITING)
    link_id: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offer_seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"))
    # The call booked through the offer (status booked).
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the entry stopped being active (left, declined, expired, removed, seated).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    market: Mapped[Market] = relationship()
    offer_seat: Mapped[Seat | None] = relationship()
    booking: Mapped[Booking | None] = relationship()

    @property
    def active(self) -> bool:
        """Still in line, holding an offer, or booked through one."""
        return self.status in self.ACTIVE

    def offer_open(self, now: datetime) -> bool:
        """An offer that can still be accepted or declined at this moment."""
        return (
            self.status == self.OFFERED
            and self.offer_expires_at is not None
            and self.offer_expires_at > now
        )


# --- Staff admin: staff accounts and the audit trail -------------------------------------------


class Staff(db.Model):
    """A staff account that signs in to /admin (created from the command line only)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    # Rotated at every sign-in and sign-out; the session cookie must carry the current one,
    # so a cookie copied before sign-out is worthless afterwards.
    session_token: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Flask-Login's user interface, written out so the model needs no Flask import.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        """Any loaded staff row is a signed-in user (the loader checks the token)."""
        return True

    @property
    def is_active(self) -> bool:
        """Deactivated accounts can't sign in."""
        return self.active

    def get_id(self) -> str:
        """The value kept in the session: id and the current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def display_name(self) -> str:
        """The name if there is one, else the email."""
        return self.name or self.email


class AuditLog(db.Model):
    """One change made through the site or the command line: who, when, what, before, after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_action", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # Copied, so the row still says who it was if the account is ever removed.
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    address: Mapped[str | None] = mapped_column(String(64))

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field either side mentions, changed ones only."""
        before = json.loads(self.before) if self.before else {}
        after = json.loads(self.after) if self.after else {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return [("value", before or None, after or None)]
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class HostFeedToken(db.Model):
    """The secret in a host's private calendar feed URL; only its SHA-256 is kept."""

    __tablename__ = "host_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
