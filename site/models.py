"""Tables, constraints and small pure properties — no Flask globals here."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import UTC

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import JSON
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy import Time
from sqlalchemy import true
from sqlalchemy import TypeDecorator
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from .extensions import db


def utcnow() -> datetime:
    """The current time, UTC-aware (a callable default, never a value computed at import)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zone type and hands back naive values; PostgreSQL keeps the zone.
    Either way the application only ever sees aware UTC datetimes, and a naive value
    is refused on the way in rather than silently taken for local time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store times as UTC-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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

    `attachments` is a list of {"filename", "content_type", "method", "content"} with the
    content as text (an .ics invite). `not_before` is both the retry back-off and the lease
    a sender takes while it delivers, so two senders never send the same message.
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


class Booking(db.Model):
    """A twenty-minute call booked by a prospect with one host.

    One host can't have two confirmed calls starting at the same moment: a partial unique
    index settles racing bookings in the database. `form_token` makes a resubmitted form
    return the first booking; the manage link's token is kept only as a SHA-256 hash.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('confirmed', 'cancelled', 'completed', 'no_show')", name="status_known"
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("lead_source IN ('shared', 'exclusive', 'none')", name="lead_source_known"),
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
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ics_uid: Mapped[str] = mapped_column(String(200), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    host: Mapped[Host] = relationship()
    market: Mapped[Market] = relationship()
    quote: Mapped[Quote | None] = relationship()

    @property
    def is_confirmed(self) -> bool:
        return self.status == CONFIRMED

    @property
    def lead_source_label(self) -> str:
        return LEAD_SOURCES.get(self.lead_source, self.lead_source)

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.status} {self.starts_at:%Y-%m-%d %H:%M}Z>"
