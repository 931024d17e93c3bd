"""How a service refuses. Every refusal is a DomainError whose message is fit to show a person;
NotFound says that what the request names doesn't exist, and the app answers it with the
404 page (web/errors.py). A lookup that finds nothing returns None instead, and the view says
404 with `web.errors.found_or_404`."""

from __future__ import annotations


class DomainError(Exception):
    """A request a service refuses; `message` says why, in words fit to show a person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError, LookupError):
    """What the request names does not exist (any more)."""
