"""Sign-in throttling per account and per client address, in the rate-limit storage.

The counters live in Flask-Limiter's storage (RATELIMIT_STORAGE_URI): memory by default,
Redis in production, so every gunicorn worker on every host counts the same attempts.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from limits import parse

from .extensions import limiter
from .staff import normalize_email

SCOPE = "admin-signin"


def _enabled() -> bool:
    """Whether rate limiting is on for this app (tests of other features may switch it off)."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _account_key(email: str) -> str:
    """A storage-safe key for an email, the same for any spelling of it."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]


def _identifiers(kind: str, value: str) -> list[str]:
    """The key parts for one counter, under the configured key prefix."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    parts = [SCOPE, kind, value]
    return [prefix, *parts] if prefix else parts


def _limits():
    """(per account, per address) limits from the configuration."""
    config = current_app.config
    return (
        parse(config["ADMIN_SIGNIN_LIMIT_PER_ACCOUNT"]),
        parse(config["ADMIN_SIGNIN_LIMIT_PER_ADDRESS"]),
    )


def attempt(email: str, address: str | None) -> int:
    """Count one sign-in attempt; 0 when allowed, else the seconds until one is allowed again."""
    if not _enabled():
        return 0
    per_account, per_address = _limits()
    # Both counters move on every attempt: an attacker spreading guesses over many
    # accounts meets the address limit, one spreading over many addresses the account's.
    counters = [
        (per_account, _identifiers("account", _account_key(email))),
        (per_address, _identifiers("address", address or "unknown")),
    ]
    refused = [(lim, ids) for lim, ids in counters if not limiter.limiter.hit(lim, *ids)]
    if not refused:
        return 0
    resets = [limiter.limiter.get_window_stats(lim, *ids).reset_time for lim, ids in refused]
    return max(1, int(max(resets) - time.time()) + 1)


def succeeded(email: str) -> None:
    """A correct password resets the account's counter (the address keeps its count)."""
    if not _enabled():
        return
    per_account, _ = _limits()
    limiter.limiter.clear(per_account, *_identifiers("account", _account_key(email)))
