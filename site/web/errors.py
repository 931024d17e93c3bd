"""Styled error pages: every failure a visitor can meet is a page, not a stack trace."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask import Flask
from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

from ..domain import NotFound

T = TypeVar("T")

MESSAGES = {
    400: (
        "Bad request",
        "We couldn't make sense of that request. Please go back and try again.",
    ),
    403: ("Not allowed", "You don't have permission to see this page."),
    404: (
        "Page not found",
        "We couldn't find that page. It may have moved, or the link may be mistyped.",
    ),
    405: ("Not allowed here", "That page doesn't accept this kind of request."),
    413: (
        "Too much data",
        "That submission was larger than we accept. Please shorten it and try again.",
    ),
    429: (
        "Slow down",
        "You've made a lot of requests in a short time. Please wait a minute and try again.",
    ),
    500: (
        "Something went wrong",
        "Something broke on our side. It has been logged; please try again shortly.",
    ),
}


def render_error(code: int, detail: str | None = None):
    """The error page for an HTTP status, with an optional more specific message."""
    title, message = MESSAGES.get(
        code, (f"Error {code}", "Something went wrong with that request.")
    )
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def found_or_404(found: T | None) -> T:
    """What a lookup found; the 404 page when it found nothing (the one way a view says so)."""
    if found is None:
        abort(404)
    return found


def init_app(app: Flask) -> None:
    """Route every HTTP error and uncaught exception to the styled page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "This form has expired or was sent from somewhere else. "
            "Reload the page and send it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code)
        if error.code == 405 and error.response is None:
            allowed = getattr(error, "valid_methods", None)
            if allowed:
                return response[0], 405, {"Allow": ", ".join(allowed)}
        return response

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        # A service asked to act on something that isn't there: the 404 page, saying what.
        return render_error(404, error.message)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        return render_error(500)
