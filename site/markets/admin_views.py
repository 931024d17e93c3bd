"""Markets in the admin: the seats table, caps and prices edited in place, a market's seats."""

from __future__ import annotations

from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .. import capacity
from .. import paging
from ..calls import call_admin
from ..models import HELD
from ..staff.signin import recent_signin_required
from ..waitlist import queue_admin
from ..web.admin import actor
from ..web.admin import bp
from ..web.errors import found_or_404
from ..web.htmx import vary_on_htmx
from ..web.htmx import wants_fragment
from . import market_admin
from . import search
from .forms import CapForm
from .forms import HoldForm
from .forms import MarketForm
from .forms import PersonForm
from .forms import PriceForm

STALE = (
    "Someone else changed this market while you were editing it. The current values are "
    "shown; make your change again if it still applies."
)
CALLS_SHOWN = 10  # upcoming and past calls each on a market's page; the rest on the calls screen


def _row_or_404(market_id: int) -> market_admin.MarketRow:
    return found_or_404(market_admin.row(market_id))


def _answer(fragment: str, status: int = 200, **context):
    """The row alone for htmx (always 200, so it is swapped), else the page around it."""
    if wants_fragment():
        response = make_response(render_template(fragment, **context), 200)
    else:
        context["row_template"] = fragment
        response = make_response(render_template("admin/markets/edit.html", **context), status)
    return vary_on_htmx(response)


def _in_table(market_id: int) -> str:
    """The address of a market's row in the table, on the page that shows it."""
    number = search.page_of_market(market_id, search.markets_per_page())
    return url_for("admin.markets", page=number if number > 1 else None) + f"#market-{market_id}"


def _saved(market_id: int, message: str, focus: str):
    """After a save: the fresh row with the message for htmx, else back to the table.

    `focus` names the row's Edit link ("cap" or "prices") that gets the keyboard focus back.
    """
    if wants_fragment():
        row = market_admin.row(market_id)
        html = render_template("admin/markets/_row.html", row=row, message=message, focus=focus)
        return vary_on_htmx(make_response(html))
    flash(message, "ok")
    return redirect(_in_table(market_id), 303)


@bp.get("/markets")
def markets():
    """The markets, a page at a time: cap, seated, held, waiting, open and the current price."""
    table = market_admin.table_page(paging.asked_page(), search.markets_per_page())
    return render_template("admin/markets/index.html", rows=table.rows, page=table.page)


@bp.get("/markets/<int:market_id>/row")
def market_row(market_id: int):
    """One market's row as shown in the table (what Cancel puts back)."""
    row = _row_or_404(market_id)
    if not wants_fragment():
        return redirect(_in_table(market_id))
    return vary_on_htmx(make_response(render_template("admin/markets/_row.html", row=row)))


@bp.route("/markets/<int:market_id>/cap", methods=["GET", "POST"])
@recent_signin_required
def market_cap(market_id: int):
    """Edit a market's seat cap in its row; stale edits and deep cuts are caught."""
    row = _row_or_404(market_id)
    market = row.market
    form = CapForm()
    template = "admin/markets/_cap_row.html"
    if request.method == "GET":
        form = CapForm(formdata=None, seat_cap=market.seat_cap, version=market.version)
        return _answer(template, row=row, form=form)
    if not form.validate_on_submit():
        return _answer(template, 422, row=row, form=form)
    cap, version = form.seat_cap.data, form.expected_version()
    if version is None or version != market.version:
        return _stale_cap(market_id)
    in_use = row.availability.in_use
    if cap < in_use and form.confirm.data != str(cap):
        form.confirm.data = str(cap)
        return _answer(template, row=row, form=form, confirm_cap=cap, in_use=in_use)
    before = market.seat_cap
    try:
        market_admin.set_cap(actor(), market_id, cap, version)
    except capacity.StaleMarket:
        return _stale_cap(market_id)
    except capacity.InvalidInput as error:
        form.seat_cap.errors = [error.message]
        return _answer(template, 422, row=row, form=form)
    return _saved(market_id, f"{market.name}: seat cap {before} → {cap}.", "cap")


def _stale_cap(market_id: int):
    """The edit row again with the values someone else just saved."""
    row = _row_or_404(market_id)
    form = CapForm(formdata=None, seat_cap=row.market.seat_cap, version=row.market.version)
    return _answer("admin/markets/_cap_row.html", 409, row=row, form=form, stale=STALE)


def _price_form(row: market_admin.MarketRow) -> PriceForm:
    """The price form filled with the sheet in effect (empty when there is none)."""
    sheet = row.sheet
    values = {"version": row.market.version}
    if sheet is not None:
        values.update(
            price_per_lead=sheet.price_per_lead_cents,
            monthly_minimum_leads=sheet.monthly_minimum_leads,
            setup_fee=sheet.setup_fee_cents,
            return_window_days=sheet.return_window_days,
            credit_policy=sheet.credit_policy,
        )
    return PriceForm(formdata=None, **values)


@bp.route("/markets/<int:market_id>/prices", methods=["GET", "POST"])
@recent_signin_required
def market_prices(market_id: int):
    """Put a new price sheet in effect from its row; the old sheet stays in the history."""
    row = _row_or_404(market_id)
    template = "admin/markets/_prices_row.html"
    if request.method == "GET":
        return _answer(template, row=row, form=_price_form(row))
    form = PriceForm()
    if not form.validate_on_submit():
        return _answer(template, 422, row=row, form=form)
    version = form.expected_version()
    stale = version is None or version != row.market.version
    if not stale:
        try:
            market_admin.change_prices(actor(), market_id, form.sheet_values(), version)
        except capacity.StaleMarket:
            stale = True
        except capacity.InvalidInput as error:
            return _answer(template, 422, row=row, form=form, form_error=error.message)
    if stale:
        row = _row_or_404(market_id)
        return _answer(template, 409, row=row, form=_price_form(row), stale=STALE)
    return _saved(market_id, f"{row.market.name}: new prices in effect from now.", "prices")


@bp.route("/markets/new", methods=["GET", "POST"])
@recent_signin_required
def market_new():
    """Add a market with its seat cap and first price sheet."""
    form = MarketForm()
    error = None
    if form.validate_on_submit():
        try:
            market = market_admin.create_market(
                actor(),
                slug=form.slug.data.strip(),
                name=form.name.data,
                official_name=form.official_name.data,
                states=form.states.data.strip().upper(),
                time_zone=form.time_zone.data.strip(),
                seat_cap=form.seat_cap.data,
                aliases=form.aliases.data or "",
                prices=form.sheet_values(),
            )
        except capacity.InvalidInput as problem:
            error = problem.message
        else:
            flash(f"{market.name} was added.", "ok")
            return redirect(url_for("admin.market_detail", market_id=market.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/markets/new.html", form=form, error=error), status


def _detail(market_id: int, seat_form=None, hold_form=None, status: int = 200):
    row = _row_or_404(market_id)
    upcoming, past = call_admin.market_calls(market_id, CALLS_SHOWN)
    return render_template(
        "admin/markets/detail.html",
        upcoming=upcoming,
        past=past,
        calls_shown=CALLS_SHOWN,
        row=row,
        seats=capacity.active_seats(market_id),
        queue=queue_admin.queue(market_id),
        prices=capacity.price_history(market_id),
        history=market_admin.market_history(market_id),
        seat_form=seat_form or PersonForm(formdata=None, prefix="seat"),
        hold_form=hold_form or HoldForm(formdata=None, prefix="hold"),
    ), status


@bp.get("/markets/<int:market_id>")
def market_detail(market_id: int):
    """A market: its numbers, seated loan officers, holds and their deadlines, prices."""
    return _detail(market_id)


def _person(form: PersonForm) -> dict:
    return {
        "name": form.name.data,
        "email": form.email.data,
        "company": form.company.data or "",
        "nmls_id": form.nmls_id.data or None,
    }


@bp.post("/markets/<int:market_id>/seats")
def seat_add(market_id: int):
    """Seat a loan officer, if a seat is open (decided under the market's lock)."""
    _row_or_404(market_id)
    form = PersonForm(prefix="seat")
    if not form.validate_on_submit():
        return _detail(market_id, seat_form=form, status=422)
    try:
        taken = market_admin.seat(actor(), market_id, **_person(form))
    except capacity.CapacityError as error:
        form.form_errors.append(error.message)
        return _detail(market_id, seat_form=form, status=409)
    flash(f"{taken.name} is seated.", "ok")
    return redirect(url_for("admin.market_detail", market_id=market_id) + "#seats", 303)


@bp.post("/markets/<int:market_id>/holds")
def hold_add(market_id: int):
    """Hold an open seat for someone until a deadline."""
    _row_or_404(market_id)
    form = HoldForm(prefix="hold")
    if not form.validate_on_submit():
        return _detail(market_id, hold_form=form, status=422)
    try:
        held = market_admin.hold(actor(), market_id, form.hours.data, **_person(form))
    except capacity.CapacityError as error:
        form.form_errors.append(error.message)
        return _detail(market_id, hold_form=form, status=409)
    flash(f"A seat is held for {held.name}.", "ok")
    return redirect(url_for("admin.market_detail", market_id=market_id) + "#seats", 303)


@bp.route("/seats/<int:seat_id>/release", methods=["GET", "POST"])
def seat_release(seat_id: int):
    """Release a seated loan officer or a hold, after a confirmation page (GET)."""
    taken = found_or_404(market_admin.get_seat(seat_id))
    back = url_for("admin.market_detail", market_id=taken.market_id) + "#seats"
    if taken.released_at is not None:
        flash(f"{taken.name} was already released.", "warn")
        return redirect(back, 303 if request.method == "POST" else 302)
    if request.method == "GET":
        return render_template(
            "admin/markets/release.html", seat=taken, row=_row_or_404(taken.market_id)
        )
    kind = "hold" if taken.kind == HELD else "seat"
    try:
        released = market_admin.release(actor(), seat_id, kind)
    except capacity.CapacityError as error:  # released by someone else meanwhile
        flash(error.message, "warn")
        return redirect(back, 303)
    what = "hold for" if kind == "hold" else "seat of"
    flash(f"Released the {what} {released.name}.", "ok")
    return redirect(back, 303)
