"""Private calendar feeds: a host subscribes to their calls from Google Calendar or Outlook."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app

from ..web.errors import found_or_404
from . import host_feed

bp = Blueprint("feeds", __name__)


@bp.get("/calendar/hosts/<token>.ics")
def host_calls(token: str):
    """A host's calls as iCalendar; the unguessable token in the URL is the only key."""
    host = found_or_404(host_feed.host_for(token))
    body = host_feed.render(host, current_app.config["SITE_NAME"])
    return (
        body,
        200,
        {
            "Content-Type": "text/calendar; charset=utf-8",
            "Cache-Control": "private, max-age=300",
            "X-Robots-Tag": "noindex, nofollow",
            "Referrer-Policy": "no-referrer",
        },
    )
