"""Booking a call: market picker, calendar widget, booking form, manage page."""

from __future__ import annotations

import calendar as calendar_module
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

from flask import abort
from flask import Blueprint
from flask import current_app
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .. import booking
from .. import booking_mail
from .. import capacity
from .. import date_input
from .. import market_search
from .. import secret_links
from .. import waitlist
from .. import when
from ..clock import utcnow
from ..extensions import db
from ..extensions import limiter
from ..forms import BookingForm
from ..forms import ConfirmForm
from ..page_cache import shared_page
from .markets import asked_page
from .markets import markets_per_page
from .waitlist import bad_link_page
from .waitlist import gone_page

bp = Blueprint("book", __name__, url_prefix="/book")

US_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
]
MAX_QUERY = 100


def _rate_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def _vary(response):
    response.vary.add("HX-Request")
    return response


def _private(response):
    """Manage pages are one person's: never cached or indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _wants_fragment() -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


# ---------------------------------------------------------------------------
# Template helpers


@bp.app_template_filter("when")
def when_filter(moment: datetime, zone: str) -> str:
    """Tuesday, December 8, 2026 at 9:30 AM CST."""
    return when.when(moment, ZoneInfo(zone))


@bp.app_template_filter("clock")
def clock_filter(moment: datetime, zone: str) -> str:
    """9:30 AM."""
    return when.clock(moment, ZoneInfo(zone))


@bp.app_template_filter("zone_abbr")
def zone_abbr_filter(moment: datetime, zone: str) -> str:
    """CST, EDT …"""
    return when.zone_abbreviation(moment, ZoneInfo(zone))


@bp.app_template_filter("zone_info")
def zone_info_filter(zone: str) -> ZoneInfo:
    """The ZoneInfo for a zone name."""
    return ZoneInfo(zone)


@bp.app_template_filter("day_name")
def day_name_filter(day: date) -> str:
    """Tuesday, December 8, 2026."""
    return when.day_name(day)


# ---------------------------------------------------------------------------
# Reading the query string (bad values never raise)


def _zone(default: str) -> tuple[str, str | None]:
    """The visitor's zone from ?tz=, else the default; and a message for an unknown one."""
    asked = request.values.get("tz", "", type=str).strip()
    if not asked:
        return default, None
    if booking.parse_zone(asked) is None:
        return (
            default,
            f"We don't know the time zone “{asked[:64]}”, so times are shown in {default}.",
        )
    return asked, None


def _month() -> tuple[int, int] | None:
    try:
        return date_input.parse_month(request.args.get("month", "", type=str))
    except ValueError:
        return None


def _day() -> date | None:
    try:
        return date_input.parse_day(request.args.get("day", "", type=str))
    except ValueError:
        return None


def parse_start(value: str | None) -> datetime | None:
    """A slot start from a form or link (ISO 8601 with an offset) in UTC; None if bad."""
    try:
        return date_input.parse_moment(value)
    except ValueError:  # garbled, or a date the calendar never shows (year 9999 …)
        return None


def start_param(moment: datetime) -> str:
    """How a slot start travels in links and forms."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# The calendar widget (shared by booking and rescheduling)


@dataclass
class Widget:
    """Everything the calendar templates show."""

    tz: str
    year: int
    month: int
    weeks: list
    counts: dict
    day: date | None
    slots: list
    prev_month: str | None
    next_month: str | None
    page_endpoint: str
    times_endpoint: str
    pick_endpoint: str
    args: dict
    zone_notice: str | None
    month_notice: str | None
    zones_us: list
    zones_all: tuple

    @property
    def title(self) -> str:
        return f"{calendar_module.month_name[self.month]} {self.year}"

    @property
    def month_param(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def build_widget(
    *,
    default_zone: str,
    page_endpoint: str,
    times_endpoint: str,
    pick_endpoint: str,
    args: dict,
    exclude_booking: int | None = None,
    current: datetime | None = None,
) -> Widget:
    """Read month, day and zone from the request and compute the month and the day's times."""
    tz_name, zone_notice = _zone(default_zone)
    tz = ZoneInfo(tz_name)
    now = utcnow()
    rules = booking.rules()
    # The months holding bookable time in this zone: from the first moment a call may start
    # (the minimum notice) to the horizon, which is exclusive.
    first_day = rules.earliest(now).astimezone(tz).date()
    last_day = (rules.latest(now) - timedelta(microseconds=1)).astimezone(tz).date()
    first_month = (first_day.year, first_day.month)
    last_month = (last_day.year, last_day.month)
    chosen = _month()
    day = _day()
    if chosen is None and day is not None:
        chosen = (day.year, day.month)
    asked = chosen
    if chosen is None or not first_month <= chosen <= last_month:
        chosen = first_month
    year, month = chosen
    starts = booking.month_starts(year, month, tz, now, exclude_booking=exclude_booking)
    counts = booking.count_per_day(starts, tz)
    month_notice = None
    if not counts and chosen == first_month and first_month < last_month:
        # Nothing left this month (its last evening, or in a zone already past midnight):
        # open on the next month rather than on an empty grid, and say so if it was asked for.
        year, month = _shift(year, month, 1)
        starts = booking.month_starts(year, month, tz, now, exclude_booking=exclude_booking)
        counts = booking.count_per_day(starts, tz)
        if asked == chosen:
            month_notice = (
                f"No times are left in {calendar_module.month_name[chosen[1]]}, "
                f"so here is {calendar_module.month_name[month]}."
            )
    if day not in counts:
        # No day asked for, or none free on it (a zone change moves days): the first free day.
        day = min(counts) if counts else None
    slots = booking.on_day(starts, day, tz) if day else []
    slots = [s for s in slots if s != current]  # moving to the time you have changes nothing
    prev = _shift(year, month, -1)
    nxt = _shift(year, month, 1)
    weeks = calendar_module.Calendar(firstweekday=6).monthdatescalendar(year, month)
    return Widget(
        tz=tz_name,
        year=year,
        month=month,
        weeks=weeks,
        counts=counts,
        day=day,
        slots=slots,
        prev_month=f"{prev[0]:04d}-{prev[1]:02d}" if prev >= first_month else None,
        next_month=f"{nxt[0]:04d}-{nxt[1]:02d}" if nxt <= last_month else None,
        page_endpoint=page_endpoint,
        times_endpoint=times_endpoint,
        pick_endpoint=pick_endpoint,
        args=args,
        zone_notice=zone_notice,
        month_notice=month_notice,
        zones_us=US_ZONES,
        zones_all=booking.time_zone_names(),
    )


def _widget_args() -> dict:
    """The calendar's own query values (month, day, tz), short, for a redirect."""
    args = {k: request.args[k][:64] for k in ("month", "day", "tz") if request.args.get(k)}
    if request.args.get("offer"):
        args["offer"] = request.args["offer"][: secret_links.MAX_LENGTH]
    return args


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _market_or_404(slug: str) -> capacity.Availability:
    availability = capacity.get_availability(slug)
    if availability is None:
        abort(404)
    return availability


def _offer(availability: capacity.Availability) -> tuple[str | None, object | None]:
    """The waitlist offer this request carries (?offer=), checked for this market.

    A bad token or an offer that has ended raises, and the handlers below answer with a
    clear 404 or 410 page; no offer at all is (None, None).
    """
    token = request.values.get("offer", "", type=str)
    if not token:
        return None, None
    try:
        return token, waitlist.check_offer(token, availability.market.id)
    except waitlist.EntryGone as error:
        # A resubmitted booking form finds its booking made: booking.book returns it.
        if request.method == "POST" and error.entry.status == error.entry.BOOKED:
            return token, error.entry
        raise


def _url_args(slug: str, offer_token: str | None) -> dict:
    """The widget's own URL values: the market, and the offer it books through."""
    return {"slug": slug, "offer": offer_token} if offer_token else {"slug": slug}


@bp.errorhandler(waitlist.UnknownLink)
def _unknown_offer(error):
    return bad_link_page(error.message)


@bp.errorhandler(waitlist.EntryGone)
def _offer_gone(error):
    return gone_page(error.entry, error.message)


# ---------------------------------------------------------------------------
# Picking a market


@bp.get("/")
@shared_page("LIVE_PAGE_SECONDS")
def index():
    """Choose your market, a page at a time: open ones offer the calendar, full the waitlist."""
    query = request.args.get("q", "", type=str)[:MAX_QUERY].strip()
    found = market_search.search_markets(query, page=asked_page(), per_page=markets_per_page())
    template = "book/_markets.html" if _wants_fragment() else "book/index.html"
    return _vary(make_response(render_template(template, found=found, query=query)))


# ---------------------------------------------------------------------------
# Booking


@bp.get("/<slug>")
@shared_page("LIVE_PAGE_SECONDS")
def calendar(slug: str):
    """The calendar widget for a market (a full market shows the waitlist instead, unless
    the visitor holds a waitlist offer for it: ?offer=)."""
    availability = _market_or_404(slug)
    market = availability.market
    offer_token, offer = _offer(availability)
    if availability.full and offer is None:
        return render_template("book/full.html", a=availability), 200
    widget = build_widget(
        default_zone=market.time_zone,
        page_endpoint="book.calendar",
        times_endpoint="book.times",
        pick_endpoint="book.details",
        args=_url_args(slug, offer_token),
    )
    template = "book/_widget.html" if _wants_fragment() else "book/calendar.html"
    html = render_template(
        template, a=availability, market=market, w=widget, mode="book", offer=offer
    )
    response = make_response(html)
    if offer is not None:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return _vary(response)


@bp.get("/<slug>/times")
@shared_page("LIVE_PAGE_SECONDS")
def times(slug: str):
    """One day's free times, the htmx fragment (without htmx: the calendar page)."""
    if not _wants_fragment():
        return redirect(url_for("book.calendar", slug=slug, **_widget_args()), 303)
    availability = _market_or_404(slug)
    offer_token, offer = _offer(availability)
    if availability.full and offer is None:
        return render_template("book/full.html", a=availability), 200
    widget = build_widget(
        default_zone=availability.market.time_zone,
        page_endpoint="book.calendar",
        times_endpoint="book.times",
        pick_endpoint="book.details",
        args=_url_args(slug, offer_token),
    )
    html = render_template(
        "book/_times_response.html", a=availability, market=availability.market, w=widget
    )
    return _vary(make_response(html))


@bp.route("/<slug>/details", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def details(slug: str):
    """The booking form for a chosen time; a POST books the call (through a waitlist offer
    when the form carries one)."""
    availability = _market_or_404(slug)
    market = availability.market
    offer_token, offer = _offer(availability)
    if availability.full and offer is None:
        return render_template("book/full.html", a=availability), 409
    form = BookingForm()
    if request.method == "GET":
        form.start.data = request.args.get("start", "", type=str)[:40]
        form.tz.data = request.args.get("tz", "", type=str)[:64]
        form.form_token.data = BookingForm.new_token()
    tz_name, zone_notice = _zone(market.time_zone)
    form.tz.data = tz_name
    start = parse_start(form.start.data)

    def page(status: int, message: str | None = None, fresh: list | None = None):
        html = render_template(
            "book/details.html",
            a=availability,
            market=market,
            form=form,
            start=start,
            tz=tz_name,
            message=message or zone_notice,
            fresh=fresh,
            start_param=start_param,
            offer=offer,
            offer_token=offer_token,
        )
        response = make_response(html, status)
        if offer is not None:
            response.headers["Cache-Control"] = "no-store"
        return response

    if start is None:
        return page(400, "Please pick a time from the calendar first.")
    if request.method == "GET":
        if start not in booking.day_slots(
            start.astimezone(ZoneInfo(tz_name)).date(), ZoneInfo(tz_name)
        ):
            return page(409, "That time is no longer free.", fresh=_fresh(start, tz_name))
        return page(200)
    if not form.validate():
        if form.website.errors:
            return page(400, "We couldn't accept that submission. Please try again.")
        return page(422, "Please correct the fields marked below.")
    details_ = booking.Details(
        name=form.name.data,
        email=form.email.data,
        phone=form.phone.data,
        company=form.company.data,
        nmls_id=form.nmls_id.data or None,
        lead_source=form.lead_source.data,
        notes=form.notes.data or "",
        consent=bool(form.consent.data),
        time_zone=tz_name,
    )
    try:
        made, token, _created = booking.book(
            market.id, start, details_, form.form_token.data, offer_token=offer_token
        )
    except booking.SlotTaken as error:
        return page(409, error.message, fresh=_fresh(start, tz_name))
    except booking.SlotUnavailable as error:
        return page(400, error.message, fresh=_fresh(start, tz_name))
    except booking.MarketClosed:
        return render_template("book/full.html", a=availability), 409
    return redirect(url_for("book.manage", token=token, booked=1), 303)


def _fresh(start: datetime, tz_name: str) -> list[datetime]:
    tz = ZoneInfo(tz_name)
    db.session.rollback()  # see what others committed meanwhile
    day = start.astimezone(tz).date()
    return booking.day_slots(day, tz)


# ---------------------------------------------------------------------------
# Managing a booking


def _booking_or_404(token: str):
    found = booking.find_booking(token)
    if found is None:
        abort(404)
    return found


@bp.get("/manage/<token>")
def manage(token: str):
    """The private page of one booking: time, host, meeting link, quote, calendar links."""
    found = _booking_or_404(token)
    html = render_template(
        "book/manage.html",
        b=found,
        token=token,
        booked=request.args.get("booked") == "1",
        moved=request.args.get("moved") == "1",
        google_url=booking_mail.google_calendar_url(found, token),
        now=utcnow(),
    )
    return _private(make_response(html))


@bp.get("/manage/<token>/invite.ics")
def invite(token: str):
    """The call as an .ics file (METHOD:REQUEST, or CANCEL once cancelled)."""
    found = _booking_or_404(token)
    method = "REQUEST" if found.is_confirmed else "CANCEL"
    response = make_response(booking_mail.ics_for(found, token))
    response.headers["Content-Type"] = f"text/calendar; charset=utf-8; method={method}"
    response.headers["Content-Disposition"] = 'attachment; filename="call.ics"'
    return _private(response)


def _closed(found, token: str, message: str | None = None):
    """The "this call can't be changed" page (409)."""
    html = render_template("book/closed.html", b=found, token=token, message=message)
    return _private(make_response(html, 409))


def _changeable(found) -> bool:
    return found.is_confirmed and found.starts_at > utcnow()


@bp.get("/manage/<token>/reschedule")
def reschedule(token: str):
    """Pick a new time for a booked call."""
    found = _booking_or_404(token)
    if not _changeable(found):
        return _private(
            make_response(render_template("book/closed.html", b=found, token=token), 409)
        )
    widget = build_widget(
        default_zone=found.visitor_time_zone,
        page_endpoint="book.reschedule",
        times_endpoint="book.reschedule_times",
        pick_endpoint="book.reschedule_confirm",
        args={"token": token},
        exclude_booking=found.id,
        current=found.starts_at,
    )
    template = "book/_widget.html" if _wants_fragment() else "book/reschedule.html"
    html = render_template(template, b=found, market=found.market, w=widget, mode="reschedule")
    return _private(_vary(make_response(html)))


@bp.get("/manage/<token>/reschedule/times")
def reschedule_times(token: str):
    """One day's free times for a reschedule (without htmx: the reschedule page)."""
    if not _wants_fragment():
        return redirect(url_for("book.reschedule", token=token, **_widget_args()), 303)
    found = _booking_or_404(token)
    if not _changeable(found):
        return _private(
            make_response(render_template("book/closed.html", b=found, token=token), 409)
        )
    widget = build_widget(
        default_zone=found.visitor_time_zone,
        page_endpoint="book.reschedule",
        times_endpoint="book.reschedule_times",
        pick_endpoint="book.reschedule_confirm",
        args={"token": token},
        exclude_booking=found.id,
        current=found.starts_at,
    )
    html = render_template("book/_times_response.html", b=found, market=found.market, w=widget)
    return _private(_vary(make_response(html)))


@bp.route("/manage/<token>/reschedule/confirm", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def reschedule_confirm(token: str):
    """Confirm the move to a new time; the POST moves the call and frees the old time."""
    found = _booking_or_404(token)
    form = ConfirmForm()
    raw = form.start.data if request.method == "POST" else request.args.get("start", "", type=str)
    start = parse_start(raw)
    tz_name, _ = _zone(found.visitor_time_zone)

    def page(status: int, message: str | None = None, fresh=None):
        html = render_template(
            "book/reschedule_confirm.html",
            b=found,
            token=token,
            form=form,
            start=start,
            tz=tz_name,
            message=message,
            fresh=fresh,
            start_param=start_param,
        )
        return _private(make_response(html, status))

    if not _changeable(found):
        return _private(
            make_response(render_template("book/closed.html", b=found, token=token), 409)
        )
    if start is None:
        return page(400, "Please pick a new time from the calendar.")
    if request.method == "GET":
        form.start.data = start_param(start)
        return page(200)
    if not form.validate():
        return page(400, "This form has expired. Please pick the time again.")
    try:
        booking.reschedule(token, start)
    except booking.SlotTaken as error:
        return page(409, error.message, fresh=_fresh(start, tz_name))
    except booking.SlotUnavailable as error:
        return page(400, error.message, fresh=_fresh(start, tz_name))
    except booking.BookingError as error:
        return page(409, error.message)
    return redirect(url_for("book.manage", token=token, moved=1), 303)


@bp.route("/manage/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def cancel(token: str):
    """Ask before cancelling (mail scanners follow links: only the POST cancels)."""
    found = _booking_or_404(token)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        try:
            booking.cancel(token)
        except booking.BookingError as error:
            return _closed(found, token, error.message)
        return redirect(url_for("book.manage", token=token), 303)
    if not _changeable(found):
        return _private(
            make_response(render_template("book/closed.html", b=found, token=token), 409)
        )
    html = render_template("book/cancel.html", b=found, token=token, form=form)
    return _private(make_response(html))


@bp.app_context_processor
def booking_helpers():
    """Values the booking templates need."""
    return {"start_param": start_param}
