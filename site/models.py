"""Tables, constraints and small pure properties — no Flask globals here."""

from __future__ import annotations

# --- Staff admin: staff accounts and the audit trail -------------------------------------------
import json  # noqa: E402
from datetime import datetime  # noqa: E402
from datetime import UTC  # noqa: E402

from sqlalchemy import Boolean  # noqa: E402
from sqlalchemy import DateTime  # noqa: E402
from sqlalchemy import ForeignKey  # noqa: E402
from sqlalchemy import Index  # noqa: E402
from sqlalchemy import String  # noqa: E402
from sqlalchemy import Text  # noqa: E402
from sqlalchemy.orm import Mapped  # noqa: E402
from sqlalchemy.orm import mapped_column  # noqa: E402

from .extensions import db  # noqa: E402


def _as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC, so say so."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


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
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

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
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
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
    def at_utc(self) -> datetime:
        """The moment of the change, always timezone-aware."""
        return _as_utc(self.at)

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field either side mentions, changed ones only."""
        before = json.loads(self.before) if self.before else {}
        after = json.loads(self.after) if self.after else {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return [("value", before or None, after or None)]
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
