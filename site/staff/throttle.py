"""Sign-in throttling per account and per client address, as two Flask-Limiter limits.

The limits sit on two plain functions that the sign-in views call once the form is valid, so
they are counted the way every other limit is: in RATELIMIT_STORAGE_URI (Redis in production,
where every gunicorn worker on every host counts the same attempts), and, while that is
unreachable, in each process, with Flask-Limiter going back to it when it answers again.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from flask import g
from flask_limiter import RateLimitExceeded

from ..contact import normalize_email
from ..extensions import limiter

SCOPE = "admin-signin"


def _enabled() -> bool:
    """Whether rate limiting is on for this app (tests of other features may switch it off)."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _account_key(email: str) -> str:
    """A storage-safe key for an email, the same for any spelling of it."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]


def _per_account() -> str:
    """The per-account limit, read when counting (tests change it per app)."""
    return current_app.config["ADMIN_SIGNIN_LIMIT_PER_ACCOUNT"]


def _per_address() -> str:
    """The per-address limit, read when counting."""
    return current_app.config["ADMIN_SIGNIN_LIMIT_PER_ADDRESS"]


def _this_account() -> str:
    """The account this request tries (a key function takes no arguments: attempt() sets it)."""
    return g.signin_account


@limiter.shared_limit(_per_address, scope=f"{SCOPE}-address")
def _count_address() -> None:
    """One attempt on the client address's count; the limiter raises once it is used up."""


@limiter.shared_limit(_per_account, scope=f"{SCOPE}-account", key_func=_this_account)
def _count_account() -> None:
    """One attempt on the account's count; the limiter raises once it is used up."""


def attempt(email: str) -> int:
    """Count one sign-in attempt; 0 when allowed, else the seconds until one is allowed again."""
    if not _enabled():
        return 0
    g.signin_account = _account_key(email)
    refused_until = []
    # Both counts move on every attempt: an attacker spreading guesses over many accounts meets
    # the address limit, one spreading over many addresses the account's. The account's goes
    # last, so the rate-limit headers on the answer describe it.
    for count in (_count_address, _count_account):
        try:
            count()
        except RateLimitExceeded:
            refused_until.append(limiter.current_limit.reset_at)
    # The account's counts, as the limiter just kept them: succeeded() clears these.
    g.signin_account_limits = list(limiter.current_limits)
    if not refused_until:
        return 0
    return max(1, int(max(refused_until) - time.time()))


def succeeded() -> None:
    """A correct password resets the account's count (the address keeps its count)."""
    for counted in g.pop("signin_account_limits", []):
        try:
            limiter.limiter.clear(counted.limit, *counted.request_args)
        except limiter.storage.base_exceptions:
            # Redis went away since attempt() counted: the count stays, the sign-in stands, and
            # the limiter finds the outage (and says so) on its next count.
            pass
