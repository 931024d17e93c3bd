"""Booking a call: the market picker, the calendar widget, the booking form, and the private
manage page with its reschedule and cancel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort
from flask import Blueprint
from flask import current_app
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.views import MethodView

from .. import booking
from .. import capacity
from .. import paging
from ..clock import utcnow
from ..extensions import db
from ..extensions import limiter
from ..markets import search
from ..models import Booking
from ..models import CANCELLED
from ..waitlist import places
from ..web import date_input
from ..web.errors import found_or_404
from ..web.formatting import iso_utc
from ..web.htmx import vary_on_htmx
from ..web.htmx import wants_fragment
from ..web.page_cache import shared_page
from ..web.security import private
from . import mail
from .forms import BookingForm
from .forms import CancelForm
from .forms import ConfirmForm
from .widget import build_widget
from .widget import chosen_zone
from .widget import Widget
from .widget import widget_args

bp = Blueprint("book", __name__, url_prefix="/book")

MAX_QUERY = 100


def _rate_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def parse_start(value: str | None) -> datetime | None:
    """A slot start from a form or link (ISO 8601 with an offset) in UTC; None if bad."""
    try:
        return date_input.parse_moment(value)
    except ValueError:  # garbled, or a date the calendar never shows (year 9999 …)
        return None


def _market_or_404(slug: str) -> capacity.Availability:
    return found_or_404(capacity.get_availability(slug))


def _offer(availability: capacity.Availability) -> tuple[str | None, object | None]:
    """The waitlist offer this request carries (?offer=), checked for this market.

    A bad token or an offer that has ended raises, and the waitlist's error handlers answer
    with a clear 404 or 410 page; no offer at all is (None, None).
    """
    token = request.values.get("offer", "", type=str)
    if not token:
        return None, None
    try:
        return token, places.check_offer(token, availability.market.id)
    except places.EntryGone as error:
        # A resubmitted booking form finds its booking made: booking.book returns it.
        if request.method == "POST" and error.entry.status == error.entry.BOOKED:
            return token, error.entry
        raise


def _booking_widget(availability: capacity.Availability, offer_token: str | None) -> Widget:
    """The calendar of a market's free times (booked through an offer when there is one)."""
    slug = availability.market.slug
    return build_widget(
        default_zone=availability.market.time_zone,
        page_endpoint="book.calendar",
        times_endpoint="book.times",
        pick_endpoint="book.details",
        args={"slug": slug, "offer": offer_token} if offer_token else {"slug": slug},
    )


def _fresh(start: datetime, tz_name: str) -> list[datetime]:
    """The day's free times as they are now, after losing a time to someone else."""
    tz = ZoneInfo(tz_name)
    db.session.rollback()  # see what others committed meanwhile
    return booking.day_slots(start.astimezone(tz).date(), tz)


# ---------------------------------------------------------------------------
# Picking a market


@bp.get("/")
@shared_page("LIVE_PAGE_SECONDS")
def index():
    """Choose your market, a page at a time: open ones offer the calendar, full the waitlist."""
    query = request.args.get("q", "", type=str)[:MAX_QUERY].strip()
    found = search.search_markets(
        query, page=paging.asked_page(), per_page=search.markets_per_page()
    )
    template = "book/_markets.html" if wants_fragment() else "book/index.html"
    return vary_on_htmx(make_response(render_template(template, found=found, query=query)))


# ---------------------------------------------------------------------------
# Booking


@bp.get("/<slug>")
@shared_page("LIVE_PAGE_SECONDS")
def calendar(slug: str):
    """The calendar widget for a market (a full market shows the waitlist instead, unless
    the visitor holds a waitlist offer for it: ?offer=)."""
    availability = _market_or_404(slug)
    offer_token, offer = _offer(availability)
    if availability.full and offer is None:
        return render_template("book/full.html", a=availability), 200
    template = "book/_widget.html" if wants_fragment() else "book/calendar.html"
    html = render_template(
        template,
        a=availability,
        market=availability.market,
        w=_booking_widget(availability, offer_token),
        mode="book",
        offer=offer,
    )
    response = vary_on_htmx(make_response(html))
    return private(response) if offer is not None else response


@bp.get("/<slug>/times")
@shared_page("LIVE_PAGE_SECONDS")
def times(slug: str):
    """One day's free times, the htmx fragment (without htmx: the calendar page)."""
    if not wants_fragment():
        return redirect(url_for("book.calendar", slug=slug, **widget_args()), 303)
    availability = _market_or_404(slug)
    offer_token, offer = _offer(availability)
    if availability.full and offer is None:
        return render_template("book/full.html", a=availability), 200
    html = render_template(
        "book/_times_response.html",
        a=availability,
        market=availability.market,
        w=_booking_widget(availability, offer_token),
    )
    return vary_on_htmx(make_response(html))


class DetailsView(MethodView):
    """The booking form for a chosen time (GET), and booking the call (POST), through a
    waitlist offer when the form carries one."""

    decorators = [limiter.limit(_rate_limit, methods=["POST"])]

    def get(self, slug: str):
        """The form, for a time that is still free; else the day's free times."""
        form = BookingForm()
        form.start.data = request.args.get("start", "", type=str)[:40]
        form.form_token.data = BookingForm.new_token()
        page = _DetailsPage(slug, form)
        if page.closed:
            return page.full()
        if page.start is None:
            return page.answer(400, "Please pick a time from the calendar first.")
        tz = ZoneInfo(page.tz)
        if page.start not in booking.day_slots(page.start.astimezone(tz).date(), tz):
            return page.answer(409, "That time is no longer free.", _fresh(page.start, page.tz))
        return page.answer(200)

    def post(self, slug: str):
        """Book the call; a refusal comes back as the form with everything typed kept."""
        form = BookingForm()
        page = _DetailsPage(slug, form)
        if page.closed:
            return page.full()
        if page.start is None:
            return page.answer(400, "Please pick a time from the calendar first.")
        if not form.validate():
            if form.website.errors:
                return page.answer(400, "We couldn't accept that submission. Please try again.")
            return page.answer(422, "Please correct the fields marked below.")
        details = booking.Details(
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data,
            company=form.company.data,
            nmls_id=form.nmls_id.data or None,
            lead_source=form.lead_source.data,
            notes=form.notes.data or "",
            consent=bool(form.consent.data),
            time_zone=page.tz,
        )
        try:
            _made, token, _created = booking.book(
                page.market.id,
                page.start,
                details,
                form.form_token.data,
                offer_token=page.offer_token,
            )
        except booking.SlotTaken as error:
            return page.answer(409, error.message, _fresh(page.start, page.tz))
        except booking.SlotUnavailable as error:
            return page.answer(400, error.message, _fresh(page.start, page.tz))
        except booking.MarketClosed:
            return page.full()
        return redirect(url_for("book.manage", token=token, booked=1), 303)


class _DetailsPage:
    """What the booking form's page shows: the market, the offer, the time and the zone."""

    def __init__(self, slug: str, form: BookingForm):
        self.availability = _market_or_404(slug)
        self.market = self.availability.market
        self.offer_token, self.offer = _offer(self.availability)
        # A full market takes calls only through a waitlist offer.
        self.closed = self.availability.full and self.offer is None
        self.form = form
        self.tz, self.zone_notice = chosen_zone(self.market.time_zone)
        form.tz.data = self.tz
        self.start = parse_start(form.start.data)

    def full(self):
        """The market is full: the waitlist instead of a form (409)."""
        return render_template("book/full.html", a=self.availability), 409

    def answer(self, status: int, message: str | None = None, fresh: list | None = None):
        """The page with the form, a message, and other free times when one was lost."""
        html = render_template(
            "book/details.html",
            a=self.availability,
            market=self.market,
            form=self.form,
            start=self.start,
            tz=self.tz,
            message=message or self.zone_notice,
            fresh=fresh,
            offer=self.offer,
            offer_token=self.offer_token,
        )
        response = make_response(html, status)
        return private(response) if self.offer is not None else response


bp.add_url_rule("/<slug>/details", view_func=DetailsView.as_view("details"))


# ---------------------------------------------------------------------------
# Managing a booking


def _booking_or_404(token: str) -> Booking:
    return found_or_404(booking.find_booking(token))


def _changeable(found: Booking) -> bool:
    return found.is_confirmed and found.starts_at > utcnow()


def _closed(found: Booking, token: str, message: str | None = None):
    """The "this call can't be changed" page (409)."""
    html = render_template("book/closed.html", b=found, token=token, message=message)
    return private(make_response(html, 409))


def _reschedule_widget(found: Booking, token: str) -> Widget:
    """The calendar for moving a call: its own time left out, its host's time free again."""
    return build_widget(
        default_zone=found.visitor_time_zone,
        page_endpoint="book.reschedule",
        times_endpoint="book.reschedule_times",
        pick_endpoint="book.reschedule_confirm",
        args={"token": token},
        exclude_booking=found.id,
        current=found.starts_at,
    )


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
        calendar_links=mail.calendar_links(found, token),
        now=utcnow(),
    )
    return private(make_response(html))


@bp.get("/manage/<token>/invite.ics")
def invite(token: str):
    """The call as an .ics file (METHOD:REQUEST, or CANCEL once cancelled)."""
    found = _booking_or_404(token)
    method = "REQUEST" if found.is_confirmed else "CANCEL"
    response = make_response(mail.ics_for(found, token))
    response.headers["Content-Type"] = f"text/calendar; charset=utf-8; method={method}"
    response.headers["Content-Disposition"] = 'attachment; filename="call.ics"'
    return private(response)


@bp.get("/manage/<token>/reschedule")
def reschedule(token: str):
    """Pick a new time for a booked call."""
    found = _booking_or_404(token)
    if not _changeable(found):
        return _closed(found, token)
    template = "book/_widget.html" if wants_fragment() else "book/reschedule.html"
    html = render_template(
        template,
        b=found,
        market=found.market,
        w=_reschedule_widget(found, token),
        mode="reschedule",
    )
    return private(vary_on_htmx(make_response(html)))


@bp.get("/manage/<token>/reschedule/times")
def reschedule_times(token: str):
    """One day's free times for a reschedule (without htmx: the reschedule page)."""
    if not wants_fragment():
        return redirect(url_for("book.reschedule", token=token, **widget_args()), 303)
    found = _booking_or_404(token)
    if not _changeable(found):
        return _closed(found, token)
    html = render_template(
        "book/_times_response.html",
        b=found,
        market=found.market,
        w=_reschedule_widget(found, token),
    )
    return private(vary_on_htmx(make_response(html)))


@bp.route("/manage/<token>/reschedule/confirm", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def reschedule_confirm(token: str):
    """Confirm the move to a new time; the POST moves the call and frees the old time."""
    found = _booking_or_404(token)
    form = ConfirmForm()
    raw = form.start.data if request.method == "POST" else request.args.get("start", "", type=str)
    start = parse_start(raw)
    tz_name, _ = chosen_zone(found.visitor_time_zone)

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
        )
        return private(make_response(html, status))

    if not _changeable(found):
        return _closed(found, token)
    if start is None:
        return page(400, "Please pick a new time from the calendar.")
    if request.method == "GET":
        form.start.data = iso_utc(start)
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
    """Ask before cancelling, and why (mail scanners follow links: only the POST cancels)."""
    found = _booking_or_404(token)
    form = CancelForm()

    def page(status: int, message: str | None = None):
        html = render_template("book/cancel.html", b=found, token=token, form=form, message=message)
        return private(make_response(html, status))

    if request.method == "POST":
        valid = form.validate()
        if "csrf_token" in form.errors:
            abort(400)
        if found.status == CANCELLED:  # a second cancel changes nothing
            return redirect(url_for("book.manage", token=token), 303)
        if not _changeable(found):
            return _closed(found, token)
        if not valid:
            return page(422, "Please correct the field marked below.")
        try:
            booking.cancel(token, reason=form.cancel_reason.data, detail=form.cancel_detail.data)
        except booking.BookingError as error:
            return _closed(found, token, error.message)
        return redirect(url_for("book.manage", token=token), 303)
    if not _changeable(found):
        return _closed(found, token)
    return page(200)
