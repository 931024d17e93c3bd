"""Markets: live seat availability and written pricing."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import make_response
from flask import render_template
from flask import request

from .. import capacity
from .. import paging
from ..web.errors import found_or_404
from ..web.htmx import vary_on_htmx
from ..web.htmx import wants_fragment
from ..web.page_cache import shared_page
from . import search

bp = Blueprint("markets", __name__)

MAX_QUERY = 100  # characters of a search we look at; the inputs stop there too
# Bump when the seat widget's markup changes, so browsers drop their cached copy.
WIDGET_REVISION = "1"


def _query() -> str:
    return request.args.get("q", "", type=str)[:MAX_QUERY].strip()


@bp.get("/markets/")
@shared_page("LIVE_PAGE_SECONDS")
def index():
    """The markets with their status, a page at a time, filtered by state and a search."""
    query = _query()
    state = request.args.get("state", "", type=str)
    per_page = search.markets_per_page()
    try:
        found = search.search_markets(query, state, paging.asked_page(), per_page)
    except search.UnknownState as error:
        # The page with the message and an empty list, the state menu still usable.
        everything = search.search_markets(query, per_page=per_page)
        found = replace(everything, results=[], page=paging.Page.of(None, per_page, 0))
        html = render_template(
            "markets/index.html",
            found=found,
            error=error.message,
            next_step=request.args.get("next"),
        )
        return vary_on_htmx(make_response(html, 400))
    template = "markets/_results.html" if wants_fragment() else "markets/index.html"
    html = render_template(
        template, found=found, oob=wants_fragment(), next_step=request.args.get("next")
    )
    return vary_on_htmx(make_response(html))


@bp.get("/markets/check")
@shared_page("LIVE_PAGE_SECONDS")
def check():
    """The "check your market" answer: a fragment for htmx, a full page without JavaScript."""
    result = search.check_market(_query())
    if wants_fragment():
        html = render_template("markets/_check_result.html", check=result)
    else:
        html = render_template("markets/check.html", check=result)
    return vary_on_htmx(make_response(html))


@bp.get("/markets/<slug>")
@shared_page("LIVE_PAGE_SECONDS")
def detail(slug: str):
    """A market's status, seats, price sheet in plain words and the next step."""
    availability = found_or_404(capacity.get_availability(slug))
    market = availability.market
    return render_template(
        "markets/detail.html",
        a=availability,
        market=market,
        sheet=capacity.current_sheet(market.id),
        zone=ZoneInfo(market.time_zone),
    )


@bp.get("/markets/<slug>/seats")
@shared_page("LIVE_PAGE_SECONDS")
def seats(slug: str):
    """The seat widget alone; shared_page answers If-None-Match with 304 when nothing changed."""
    availability = found_or_404(capacity.get_availability(slug))
    response = make_response(render_template("markets/_seats.html", a=availability))
    response.set_etag(f"{availability.fingerprint()}-{WIDGET_REVISION}")
    # Cache, but ask every time: the ETag makes the answer to "anything new?" cheap.
    response.cache_control.no_cache = True
    return response
