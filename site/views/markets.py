"""Markets: live seat availability and written pricing."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import abort
from flask import Blueprint
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request

from .. import capacity
from .. import market_search
from .. import paging
from ..page_cache import shared_page

bp = Blueprint("markets", __name__)

MAX_QUERY = 100  # characters of a search we look at; the inputs stop there too
# Bump when the seat widget's markup changes, so browsers drop their cached copy.
WIDGET_REVISION = "1"


def _query() -> str:
    return request.args.get("q", "", type=str)[:MAX_QUERY].strip()


def asked_page() -> int | None:
    """The page of a list the query string asks for (None: the first)."""
    return paging.page_number(request.args.get("page", type=str))


def markets_per_page() -> int:
    """Markets on one page of a market list."""
    return current_app.config["MARKETS_PER_PAGE"]


def _wants_fragment() -> bool:
    """An htmx request for part of the page (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _vary_on_htmx(response):
    response.vary.add("HX-Request")
    return response


@bp.get("/markets/")
@shared_page("LIVE_PAGE_SECONDS")
def index():
    """The markets with their status, a page at a time, filtered by state and a search."""
    query = _query()
    state = request.args.get("state", "", type=str)
    try:
        found = market_search.search_markets(query, state, asked_page(), markets_per_page())
    except market_search.UnknownState as error:
        # The page with the message and an empty list, the state menu still usable.
        everything = market_search.search_markets(query, per_page=markets_per_page())
        found = replace(everything, results=[], page=paging.Page.of(None, markets_per_page(), 0))
        html = render_template(
            "markets/index.html",
            found=found,
            error=error.message,
            next_step=request.args.get("next"),
        )
        return _vary_on_htmx(make_response(html, 400))
    template = "markets/_results.html" if _wants_fragment() else "markets/index.html"
    html = render_template(
        template, found=found, oob=_wants_fragment(), next_step=request.args.get("next")
    )
    return _vary_on_htmx(make_response(html))


@bp.get("/markets/check")
@shared_page("LIVE_PAGE_SECONDS")
def check():
    """The "check your market" answer: a fragment for htmx, a full page without JavaScript."""
    result = market_search.check_market(_query())
    if _wants_fragment():
        html = render_template("markets/_check_result.html", check=result)
    else:
        html = render_template("markets/check.html", check=result)
    return _vary_on_htmx(make_response(html))


@bp.get("/markets/<slug>")
@shared_page("LIVE_PAGE_SECONDS")
def detail(slug: str):
    """A market's status, seats, price sheet in plain words and the next step."""
    availability = capacity.get_availability(slug)
    if availability is None:
        abort(404)
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
    availability = capacity.get_availability(slug)
    if availability is None:
        abort(404)
    response = make_response(render_template("markets/_seats.html", a=availability))
    response.set_etag(f"{availability.fingerprint()}-{WIDGET_REVISION}")
    # Cache, but ask every time: the ETag makes the answer to "anything new?" cheap.
    response.cache_control.no_cache = True
    return response


@bp.app_template_filter("money")
def money(cents: int) -> str:
    """Whole cents as dollars: 8500 -> "$85", 8550 -> "$85.50", 150000 -> "$1,500"."""
    dollars, rest = divmod(int(cents), 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"


@bp.app_template_filter("local_date")
def local_date(moment, zone) -> str:
    """A UTC moment as a date in a market's time zone: "March 1, 2026"."""
    local = moment.astimezone(zone)
    return f"{local:%B} {local.day}, {local.year}"


ZONE_NAMES = {
    "America/New_York": "Eastern Time",
    "America/Detroit": "Eastern Time",
    "America/Indiana/Indianapolis": "Eastern Time",
    "America/Kentucky/Louisville": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Phoenix": "Mountain Time, no daylight saving",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
    "America/Puerto_Rico": "Atlantic Time",
}


@bp.app_template_filter("zone_name")
def zone_name(zone: str) -> str:
    """A time zone as people say it, with its IANA name: "Central Time (America/Chicago)"."""
    spoken = ZONE_NAMES.get(zone)
    return f"{spoken} ({zone})" if spoken else zone


@bp.app_template_global()
def endpoint_exists(name: str) -> bool:
    """Whether the app has this endpoint (the booking and waitlist pages may not exist yet)."""
    return name in current_app.view_functions


@bp.app_context_processor
def market_settings():
    """How often the seat widget asks for news."""
    return {"seat_poll_seconds": current_app.config.get("SEAT_WIDGET_POLL_SECONDS", 20)}
