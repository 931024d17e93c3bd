"""Flask's signed-cookie session, opened lazily, and able to say whether a request touched it."""

from __future__ import annotations

from flask import request
from flask.sessions import SecureCookieSessionInterface

_OPENED = "mortgage_connect.session"


class LazyCookieSessionInterface(SecureCookieSessionInterface):
    """Only build the signing serializer when there is a cookie to read."""

    def open_session(self, app, request):
        # Most page views carry no session at all; an empty session needs no signature check.
        if self.get_cookie_name(app) not in request.cookies:
            session = self.session_class()
        else:
            session = super().open_session(app, request)
        request.environ[_OPENED] = session
        return session


def session_touched() -> bool:
    """Whether this request has read or written its session so far.

    Asked without the `session` proxy, which would itself count as a read.
    """
    opened = request.environ.get(_OPENED)
    return opened is None or opened.accessed or opened.modified
