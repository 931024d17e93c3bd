"""Private links, the one module for their tokens. Two kinds:

Signed links, in emails (a booking's manage page, a place in a waitlist): a random link id
kept per record, signed under the secret key.

A token is `<link id>.<signature>`, signed with itsdangerous (as Flask signs its sessions)
under the keys [*SECRET_KEY_FALLBACKS, SECRET_KEY]: the newest key signs, and any of them
verifies. So after a key rotation the links already sent keep working as long as the old key
stays among the fallbacks, while mail sent afterwards carries the new key's signature. The
database holds only the link id, which opens nothing without a key; the id never changes, so
a later email (a waitlist offer, a moved call) can carry a link to the same record.

Links sent before this scheme (43 characters: an HMAC of a stored seed or form token under
SECRET_KEY) are found by the SHA-256 hash stored with the record then, whatever the key.

Random tokens, for a host's calendar feed: 32 random bytes, of which only the SHA-256 is kept.
A calendar subscription lives for years, so it must not depend on SECRET_KEY (retiring an old
key would silently empty every host's calendar); staff rotate a feed's token instead.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import Signer

# One salt per kind of link: a booking's token can't open a waitlist place, or the reverse.
BOOKING = "booking-manage"
WAITLIST = "waitlist-status"

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")
RANDOM_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # also the links sent before signed ones
MAX_LENGTH = 66  # a token's length: 22 for the id, a dot, 43 for the signature


def signing_keys(config: Mapping) -> list:
    """The secret keys, oldest first: the last signs, every one verifies."""
    return [*(config.get("SECRET_KEY_FALLBACKS") or ()), config["SECRET_KEY"]]


def new_link_id() -> str:
    """A random id for a new record's link (128 bits)."""
    return secrets.token_urlsafe(16)


def _signer(purpose: str) -> Signer:
    return Signer(
        signing_keys(current_app.config),
        salt=purpose,
        key_derivation="hmac",
        digest_method=hashlib.sha256,
    )


def token(purpose: str, link_id: str) -> str:
    """The link token for a record's link id, signed with the current key."""
    return _signer(purpose).sign(link_id).decode()


def link_id(purpose: str, token: str | None) -> str | None:
    """The link id a token carries, when its signature verifies under any key; else None."""
    if not token or not TOKEN_RE.fullmatch(token):
        return None
    try:
        return _signer(purpose).unsign(token).decode()
    except BadSignature:
        return None


def new_random_token() -> str:
    """A new random token (a host feed's); only its `hashed` form is kept."""
    return secrets.token_urlsafe(32)


def hashed(token: str | None) -> str | None:
    """What is kept to find a record by a random token (or by a link sent before signed link
    ids); None for anything that can't be one."""
    if not token or not RANDOM_TOKEN_RE.fullmatch(token):
        return None
    return hashlib.sha256(token.encode()).hexdigest()


def lookup(purpose: str, token: str | None, link_column, legacy_column):
    """The SQL condition selecting the record a token opens, or None when it opens nothing."""
    found = link_id(purpose, token)
    if found is not None:
        return link_column == found
    digest = hashed(token)
    if digest is not None:
        return legacy_column == digest
    return None
