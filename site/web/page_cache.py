"""Whole pages kept in each worker for a short while, so a page many read is built once.

Like Django's per-site cache: a WSGI middleware in front of Flask answers GET and HEAD requests
from a kept copy of the finished response (headers from every hook included), and keeps the
copies Flask marks as shareable. A view opts in with `shared_page`; its answer is marked only
if it is a plain 200 whose render never read or wrote the visitor's session and is not marked
private or no-store, so nothing personal (a CSRF token, a signed-in user) ends up in a copy
another visitor gets. Copies are keyed by scheme, host, path, query string and whether htmx
asked for a fragment: everything such a view may branch on. A kept copy with an ETag answers
"only if changed" requests with 304.

Each worker keeps its own copies; no worker needs another's, and the database stays the only
truth. A commit that wrote anything in this worker drops every copy at once; other workers and
hosts see a change when their copy expires, so pages built from the database are kept for a
second or so (`LIVE_PAGE_SECONDS`), pages built from the content files for minutes
(`CONTENT_PAGE_SECONDS`). A setting of 0 keeps no copies of that kind of page.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from functools import wraps

from cachetools import TLRUCache
from flask import current_app
from flask import Flask
from flask import g
from flask import request
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from .cookie_session import session_touched

_SHARE_FOR = "mortgage_connect.share_for"
_WROTE = "page_cache_wrote"
_stores: weakref.WeakSet[PageStore] = weakref.WeakSet()
clock = time.monotonic


@dataclass(frozen=True)
class Copy:
    """One finished answer, as Flask sent it."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    seconds: float


class PageStore:
    """A bounded, expiring map of copies, safe to share between a worker's threads."""

    def __init__(self, size: int):
        self._copies: TLRUCache = TLRUCache(maxsize=size, ttu=_expires_at, timer=_now)
        self._lock = threading.Lock()
        _stores.add(self)

    def get(self, key) -> Copy | None:
        with self._lock:
            return self._copies.get(key)

    def put(self, key, copy: Copy) -> None:
        with self._lock:
            self._copies[key] = copy

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._copies)


def _now() -> float:
    # Looked up on each call, so a test can move the clock copies expire by.
    return clock()


def _expires_at(_key, copy: Copy, now: float) -> float:
    return now + copy.seconds


class PageCacheMiddleware:
    """Answers from kept copies before Flask is reached; keeps the answers Flask marks."""

    def __init__(self, wsgi_app, pages: PageStore):
        self.wsgi_app = wsgi_app
        self.pages = pages

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        key = _key(environ)
        copy = self.pages.get(key)
        if copy is None:
            copy, passed_on = self._build(environ, start_response)
            if copy is None:
                return passed_on
            # A hook may still have set a cookie (a signed-in visitor's session, renewed).
            if copy.status == 200 and not any(n.lower() == "set-cookie" for n, _ in copy.headers):
                self.pages.put(key, copy)
        return _replay(copy, environ, start_response)

    def _build(self, environ, start_response):
        """Run Flask; a marked answer comes back as a copy, any other goes out as it is."""
        started: dict = {}

        def start_or_hold(status, headers, exc_info=None):
            if environ.get(_SHARE_FOR) and not exc_info:
                started.update(status=status, headers=headers)
                return _no_write
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start_or_hold)
        if not started:
            return None, body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        status = int(started["status"].split(" ", 1)[0])
        copy = Copy(status, tuple(started["headers"]), data, environ[_SHARE_FOR])
        return copy, None


def _no_write(_data: bytes) -> None:
    raise RuntimeError("a kept page is returned, not written")


def _key(environ) -> tuple:
    """Everything a shared view may branch on."""
    return (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_HX_REQUEST", "").lower() == "true",
        environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST", "").lower() == "true",
    )


def _replay(copy: Copy, environ, start_response):
    """The copy as a response; 304 when the request asked "only if changed" and it has not."""
    response = Response(copy.body, status=copy.status, headers=list(copy.headers))
    # Most requests don't ask, and the check is not free.
    if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
        response.make_conditional(environ)
    return response(environ, start_response)


def init_app(app: Flask) -> None:
    """Put the page cache in front of the app (PAGE_CACHE_SIZE copies at most)."""
    pages = PageStore(max(1, app.config["PAGE_CACHE_SIZE"]))
    app.extensions["page_cache"] = pages
    app.wsgi_app = PageCacheMiddleware(app.wsgi_app, pages)
    # A commit that wrote drops the copies; SQLAlchemy's session events are process-wide, so
    # they are installed once, however many apps the process builds.
    for name, listener in SESSION_LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def store() -> PageStore:
    """The current app's store."""
    return current_app.extensions["page_cache"]


def is_shared_render() -> bool:
    """Whether the page being rendered may be kept for everyone (so it must carry no token)."""
    return g.get("shared_render", False)


def shared_page(setting: str):
    """Let the page cache keep this view's page for `app.config[setting]` seconds.

    The view sets an ETag, if it has one; "only if changed" requests are answered here.
    """

    def decorate(view):
        @wraps(view)
        def mark(*args, **kwargs):
            seconds = current_app.config[setting]
            g.shared_render = seconds > 0
            response = current_app.make_response(view(*args, **kwargs))
            if seconds > 0 and _shareable(response):
                request.environ[_SHARE_FOR] = seconds  # the middleware keeps and answers it
            elif "HTTP_IF_NONE_MATCH" in request.environ:
                response.make_conditional(request)
            return response

        return mark

    return decorate


def _shareable(response) -> bool:
    """A plain 200 for anyone: no session read or written, nothing marked private or no-store."""
    return (
        request.method == "GET"  # a HEAD answer has no body to keep; HEAD is served from GET's
        and response.status_code == 200
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and not response.cache_control.no_store
        and not response.cache_control.private
        and not session_touched()
    )


def clear_all() -> None:
    """Drop every copy this process keeps (every app's)."""
    for pages in list(_stores):
        pages.clear()


def _note_flush(session, _context) -> None:
    session.info[_WROTE] = True


def _note_statement(state) -> None:
    # Bulk UPDATE/DELETE and raw statements write without a flush.
    if not state.is_select:
        state.session.info[_WROTE] = True


def _drop_copies_after_write(session) -> None:
    if session.info.pop(_WROTE, False):
        clear_all()


def _forget_rolled_back_write(session) -> None:
    session.info.pop(_WROTE, None)


SESSION_LISTENERS = (
    ("after_flush", _note_flush),
    ("do_orm_execute", _note_statement),
    ("after_commit", _drop_copies_after_write),
    ("after_rollback", _forget_rolled_back_write),
)
