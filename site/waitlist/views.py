"""The waitlist: joining a full market, each person's private status page, leaving and declining,
and the pages a waitlist or offer link that opens nothing, or no longer, answers with."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request

from .. import capacity
from .. import contact
from ..clock import utcnow
from ..extensions import limiter
from ..models import WaitlistEntry
from ..web.errors import found_or_404
from ..web.errors import render_error
from ..web.security import private
from . import places
from .forms import ConfirmWaitlistForm
from .forms import WaitlistForm

bp = Blueprint("waitlist", __name__)


def _rate_limit() -> str:
    return current_app.config["WAITLIST_RATE_LIMIT"]


def _availability_or_404(slug: str) -> capacity.Availability:
    return found_or_404(capacity.get_availability(slug))


@bp.route("/markets/<slug>/waitlist", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def join(slug: str):
    """The join form for a full market; a POST puts the person in line.

    A new address and one already in line get the same answer, "check your email", and the
    private link travels only by email: the page tells nobody who is waiting. Every POST
    counts against the rate limit, the ones that only send the link again included.
    """
    availability = _availability_or_404(slug)
    market = availability.market
    form = WaitlistForm()

    def page(status: int = 200, message: str | None = None):
        html = render_template(
            "waitlist/join.html", a=availability, market=market, form=form, message=message
        )
        return make_response(html, status)

    if request.method == "GET":
        if not availability.full:
            # Seats are open: the next step is a call, not a queue.
            return render_template("waitlist/open.html", a=availability)
        return page()
    if not form.validate():
        if form.website.errors:
            return page(400, "We couldn't accept that submission. Please try again.")
        return page(422, "Please correct the fields marked below.")
    try:
        joined = places.join(
            market.id,
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data,
            company=form.company.data,
            nmls_id=form.nmls_id.data or None,
        )
    except places.NotFull:
        return render_template("waitlist/open.html", a=availability), 409
    except contact.InvalidContact as error:
        return page(422, error.message)
    if joined.seats_open:  # what a new address is told (NotFull); the link went by email
        return render_template("waitlist/open.html", a=availability), 409
    html = render_template("waitlist/sent.html", market=market, email=joined.entry.email)
    return private(make_response(html))


BAD_LINK = (
    "This waitlist link doesn't match any place in line. Check that you copied the whole "
    "link from your email; if you joined with another address, use that email."
)


def _entry_or_404(token: str) -> WaitlistEntry:
    entry = places.find(token)
    if entry is None:
        raise places.UnknownLink(BAD_LINK)
    return entry


def bad_link_page(message: str = BAD_LINK):
    """The 404 page for a waitlist or offer link that opens nothing, saying what to do."""
    return private(make_response(render_error(404, message)))


def gone_page(entry: WaitlistEntry, message: str | None = None):
    """The 410 page for a link whose place or offer has ended, with the way back in."""
    availability = capacity.availability_by_id(entry.market_id)
    html = render_template(
        "waitlist/gone.html",
        entry=entry,
        a=availability,
        message=message or places.gone_message(entry),
    )
    return private(make_response(html, 410))


# App-wide: a booking page opened through an offer link answers these the same way.
@bp.app_errorhandler(places.UnknownLink)
def _unknown_link(error):
    return bad_link_page(error.message)


@bp.app_errorhandler(places.EntryGone)
def _entry_gone(error):
    if error.entry is None:
        return bad_link_page(error.message)
    return gone_page(error.entry, error.message)


def _is_gone(entry: WaitlistEntry, now: datetime) -> bool:
    """Ended places, and offers whose deadline passed (the scheduler may not have run yet)."""
    if entry.status == WaitlistEntry.OFFERED:
        return not entry.offer_open(now)
    return entry.status not in (*WaitlistEntry.ACTIVE, WaitlistEntry.SEATED)


@bp.get("/waitlist/<token>")
def status(token: str):
    """Someone's place in line, or their open offer with its deadline and the way to book."""
    entry = _entry_or_404(token)
    now = utcnow()
    if _is_gone(entry, now):
        return gone_page(entry, places.gone_message(entry, now))
    html = render_template(
        "waitlist/status.html",
        entry=entry,
        market=entry.market,
        token=token,
        place=places.place(entry),
        zone=ZoneInfo(entry.market.time_zone),
        W=WaitlistEntry,
    )
    return private(make_response(html))


def _confirm(token: str, action: str):
    """A confirmation page (GET) and the change itself (POST): never a change on a GET."""
    entry = _entry_or_404(token)
    now = utcnow()
    allowed = entry.offer_open(now) if action == "decline" else entry.active
    if not allowed:
        return gone_page(entry, places.gone_message(entry, now))
    form = ConfirmWaitlistForm()
    if request.method == "POST" and form.validate():
        change = places.decline if action == "decline" else places.leave
        try:
            entry = change(token, now)
        except places.EntryGone:
            return gone_page(places.find(token))
        availability = capacity.availability_by_id(entry.market_id)
        html = render_template("waitlist/done.html", entry=entry, a=availability, action=action)
        return private(make_response(html))
    html = render_template(
        "waitlist/confirm.html",
        entry=entry,
        market=entry.market,
        token=token,
        form=form,
        action=action,
        zone=ZoneInfo(entry.market.time_zone),
    )
    return private(make_response(html, 400 if request.method == "POST" else 200))


@bp.route("/waitlist/<token>/leave", methods=["GET", "POST"])
def leave(token: str):
    """Leave the queue (and any seat offered), after a confirmation."""
    return _confirm(token, "leave")


@bp.route("/waitlist/<token>/decline", methods=["GET", "POST"])
def decline(token: str):
    """Decline an open offer, after a confirmation; the seat goes to the next in line."""
    return _confirm(token, "decline")
