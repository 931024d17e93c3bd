"""Calls in the admin: upcoming and past, filtered, exported; completed, no-show, cancelled."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import Response
from flask import stream_with_context
from flask import url_for

from .. import paging
from ..clock import utcnow
from ..web import date_input
from ..web.admin import actor
from ..web.admin import bp
from ..web.errors import found_or_404
from ..web.errors import render_error
from . import call_admin
from .forms import CancelForm

WHEN = {"upcoming": "Upcoming", "past": "Past", "all": "All"}


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _filter() -> tuple[call_admin.CallFilter, dict, str | None]:
    """The filter from the query string, the values to keep in links, and a problem if any."""
    when = request.args.get("when", "upcoming")
    when = when if when in WHEN else "upcoming"
    raw_day = request.args.get("date", "").strip()
    day, problem = None, None
    if raw_day:
        try:
            day = date_input.parse_day(raw_day)
        except date_input.OutOfRange as error:
            problem = error.message
        except ValueError:
            problem = "Enter the date as YYYY-MM-DD, for example 2026-12-08."
    chosen = call_admin.CallFilter(when, _int_arg("market"), _int_arg("host"), day)
    keep = {"when": when}
    if chosen.market_id:
        keep["market"] = chosen.market_id
    if chosen.host_id:
        keep["host"] = chosen.host_id
    if day:
        keep["date"] = day.isoformat()
    return chosen, keep, problem


@bp.get("/calls")
def calls():
    """Booked calls, filtered by market, host and day; with their outcome actions."""
    chosen, keep, problem = _filter()
    markets, hosts = call_admin.filter_choices()
    return render_template(
        "admin/calls/index.html",
        rows=call_admin.calls(chosen, paging.asked_page()),
        chosen=chosen,
        keep=keep,
        problem=problem,
        raw_date=request.args.get("date", "")[:40],
        markets=markets,
        hosts=hosts,
        when_choices=WHEN,
        now=utcnow(),
    )


@bp.get("/calls.csv")
def calls_csv():
    """The filtered calls as a CSV file (a bad filter is a 400 page, before any line is sent)."""
    chosen, keep, problem = _filter()
    if problem:
        return render_error(400, problem)
    name = "calls-" + "-".join(str(v) for v in keep.values()) + ".csv"
    return Response(
        stream_with_context(call_admin.csv_lines(chosen)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _back(call) -> str:
    return url_for("admin.calls", when="all", date=call.starts_at.date().isoformat())


@bp.post("/calls/<int:booking_id>/outcome")
def call_outcome(booking_id: int):
    """Mark a call completed or a no-show."""
    call = found_or_404(call_admin.get_call(booking_id))
    outcome = request.form.get("outcome", "")
    try:
        call_admin.set_outcome(actor(), booking_id, outcome)
    except call_admin.CallError as error:
        flash(str(error), "error")
    else:
        flash(f"The call with {call.name} is marked {call_admin.OUTCOMES[outcome]}.", "ok")
    return redirect(_back(call), 303)


@bp.route("/calls/<int:booking_id>/cancel", methods=["GET", "POST"])
def call_cancel(booking_id: int):
    """Cancel an upcoming call after a confirmation, with a reason if one is given; the
    prospect and host are emailed."""
    call = found_or_404(call_admin.get_call(booking_id))
    form = CancelForm()
    if request.method == "GET":
        return render_template("admin/calls/cancel.html", call=call, form=form)
    if not form.validate():
        html = render_template("admin/calls/cancel.html", call=call, form=form, invalid=True)
        return html, 422
    try:
        call_admin.cancel(actor(), booking_id, form.cancel_reason.data, form.cancel_detail.data)
    except call_admin.CallError as error:
        flash(str(error), "error")
    else:
        flash(f"The call with {call.name} is cancelled; the cancellation was emailed.", "ok")
    return redirect(_back(call), 303)
