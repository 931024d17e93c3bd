"""Staff accounts: Argon2id password hashes, sign-in checks and per-session tokens."""

from __future__ import annotations

import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2 import profiles
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app
from sqlalchemy import select

from .. import audit
from .. import contact
from ..clock import utcnow
from ..contact import normalize_email
from ..database import write_transaction
from ..domain import DomainError
from ..extensions import db
from ..models import Staff

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


@lru_cache(maxsize=4)
def _hasher_for(profile: str) -> PasswordHasher:
    """An Argon2id hasher with one of argon2-cffi's named parameter profiles."""
    parameters = getattr(profiles, profile, None)
    if not isinstance(parameters, profiles.Parameters) or parameters.type is not Type.ID:
        raise ValueError(f"PASSWORD_HASH_PROFILE={profile!r} is not an Argon2id profile")
    return PasswordHasher.from_parameters(parameters)


def hasher() -> PasswordHasher:
    """The app's hasher: RFC 9106's low-memory Argon2id profile unless configured otherwise."""
    return _hasher_for(current_app.config["PASSWORD_HASH_PROFILE"])


class StaffError(DomainError):
    """A staff account can't be created as asked."""


def check_email(email: str) -> str:
    """The email as staff accounts keep it (no case), or StaffError when it isn't an address."""
    try:
        return normalize_email(contact.check_email(email))
    except contact.InvalidContact:
        raise StaffError(f"{email!r} is not a valid email address.") from None


def check_password(password: str) -> str:
    """The password, or StaffError when it is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffError(f"Use a password of at most {MAX_PASSWORD_LENGTH} characters.")
    return password


def generate_password() -> str:
    """A strong random password (about 144 bits) that is easy to copy."""
    return secrets.token_urlsafe(18)


def new_session_token() -> str:
    """A fresh random value that ties a session cookie to the account's current sign-in."""
    return secrets.token_urlsafe(32)


def create_staff(email: str, password: str, name: str = "") -> Staff:
    """Make a staff account (one per email), recorded in the audit log."""
    email = check_email(email)
    check_password(password)
    name = (name or "").strip()[:120]
    with write_transaction() as session:
        if session.scalar(select(Staff.id).where(Staff.email == email)) is not None:
            raise StaffError(f"A staff account for {email} already exists.")
        staff = Staff(
            email=email,
            name=name,
            password_hash=hasher().hash(password),
            session_token=new_session_token(),
            active=True,
        )
        session.add(staff)
        audit.record(
            audit.Actor.command_line(),
            "staff.create",
            staff,
            after={"email": email, "name": name, "active": True},
        )
    return staff


@lru_cache(maxsize=4)
def _dummy_hash(profile: str) -> str:
    """A hash of nothing anyone knows, so unknown emails cost as much as wrong passwords."""
    return _hasher_for(profile).hash(secrets.token_urlsafe(32))


def _verify(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash (never raises for a bad password or hash)."""
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> Staff | None:
    """The active staff account these credentials open, else None (same work either way)."""
    password = password or ""
    if len(password) > MAX_PASSWORD_LENGTH:
        password = ""  # hashing megabytes on request would be a denial of service
    email = normalize_email(email)
    # No account's email holds control characters (and PostgreSQL refuses NUL in a query).
    known = email.isprintable()
    staff = db.session.scalar(select(Staff).where(Staff.email == email)) if known else None
    if staff is None:
        _verify(_dummy_hash(current_app.config["PASSWORD_HASH_PROFILE"]), password)
        return None
    if not _verify(staff.password_hash, password) or not password or not staff.active:
        return None
    return staff


def start_session(staff: Staff, actor: audit.Actor) -> str:
    """Record a sign-in: a new session token, so no cookie from before it stays valid."""
    with write_transaction() as session:
        staff = session.get(Staff, staff.id)
        staff.session_token = new_session_token()
        staff.last_sign_in_at = utcnow()
        audit.record(actor, "staff.sign_in", staff)
    return staff.session_token


def rehash_if_needed(staff: Staff, password: str) -> None:
    """Store a new hash when the hasher's parameters have grown since this one was made."""
    if not hasher().check_needs_rehash(staff.password_hash):
        return
    with write_transaction() as session:
        session.get(Staff, staff.id).password_hash = hasher().hash(password)


def end_session(staff_id: int, actor: audit.Actor) -> None:
    """Record a sign-out: rotate the token so every copy of the old cookie stops working."""
    with write_transaction() as session:
        staff = session.get(Staff, staff_id)
        if staff is None:
            return
        staff.session_token = new_session_token()
        audit.record(actor, "staff.sign_out", staff)


def record_reauthentication(staff: Staff, actor: audit.Actor) -> None:
    """Note that a signed-in staff member confirmed their password again."""
    with write_transaction():
        audit.record(actor, "staff.reauthenticate", ("staff", staff.id))


def load_from_session(value: str) -> Staff | None:
    """The staff member a session's "id:token" names, if the token is still current."""
    ident, _, token = (value or "").partition(":")
    if not (ident.isascii() and ident.isdigit() and len(ident) < 16) or not token:
        return None
    staff = db.session.get(Staff, int(ident))
    if staff is None or not staff.active:
        return None
    if not hmac.compare_digest(staff.session_token.encode(), token.encode()):
        return None
    return staff
