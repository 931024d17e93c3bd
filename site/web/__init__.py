"""Plumbing every view shares: the admin blueprint's shell, the page cache, the cookie session,
security headers, error pages, URL converters, htmx helpers, template filters, forms' common
parts, reading dates from input, paging. Nothing here knows a feature."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the shared pieces into the app (before any blueprint adds a rule)."""
    from . import errors
    from . import filters
    from . import page_cache
    from . import security
    from .converters import IdConverter
    from .cookie_session import LazyCookieSessionInterface

    # Every <int:…> in a URL is then bounded: must come before the first rule is added.
    app.url_map.converters["int"] = IdConverter
    app.session_interface = LazyCookieSessionInterface()
    filters.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    page_cache.init_app(app)
