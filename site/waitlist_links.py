"""The waitlist's private status links: tokens derived from a stored seed, found by hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_seed() -> str:
    """A random seed for a new entry's link."""
    return secrets.token_urlsafe(32)


def status_token(seed: str) -> str:
    """The link's token: an HMAC of the seed under SECRET_KEY, so the database alone never
    holds a usable link, yet an offer emailed later can carry the same one."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"waitlist-status:" + seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """What is stored to find an entry by its token."""
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str | None) -> bool:
    """Whether a string could be a token at all (cheap check before any query)."""
    return bool(token) and TOKEN_RE.match(token) is not None
