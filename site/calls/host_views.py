"""Hosts in the admin: details, weekly hours, time off; company blackout days."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from ..web import date_input
from ..web.admin import actor
from ..web.admin import bp
from ..web.errors import found_or_404
from . import host_admin
from . import host_feed
from .forms import BlackoutForm
from .forms import HostForm
from .forms import TimeOffForm
from .mail import external_url

HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@bp.get("/hosts")
def hosts():
    """Everyone who takes calls, with their hours."""
    return render_template(
        "admin/hosts/index.html", hosts=host_admin.hosts(), weekdays=host_admin.WEEKDAYS
    )


def _host_values(form: HostForm) -> dict:
    return {
        "name": form.name.data.strip(),
        "email": form.email.data.strip().lower(),
        "time_zone": form.time_zone.data.strip(),
        "meeting_link": form.meeting_link.data.strip(),
        "active": bool(form.active.data),
    }


@bp.route("/hosts/new", methods=["GET", "POST"])
def host_new():
    """Add a host (then set their hours)."""
    form = HostForm(data={"active": True} if request.method == "GET" else None)
    error = None
    if form.validate_on_submit():
        try:
            host = host_admin.save_host(actor(), None, _host_values(form))
        except host_admin.HostError as problem:
            error = str(problem)
        else:
            flash(f"{host.name} was added. Now set their weekly hours.", "ok")
            return redirect(url_for("admin.host_detail", host_id=host.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/hosts/new.html", form=form, error=error), status


def _page(host, form=None, off_form=None, hours_errors=None, hours_values=None, error=None,
          status=200):  # fmt: skip
    form = form or HostForm(formdata=None, obj=host)
    values = hours_values
    if values is None:
        values = {
            weekday: ", ".join(f"{r.starts:%H:%M}–{r.ends:%H:%M}" for r in day)
            for weekday, day in host_admin.hours_by_weekday(host).items()
        }
    return render_template(
        "admin/hosts/detail.html",
        host=host,
        form=form,
        off_form=off_form or TimeOffForm(formdata=None),
        hours=values,
        hours_errors=hours_errors or {},
        weekdays=host_admin.WEEKDAYS,
        error=error,
        zone=ZoneInfo(host.time_zone),
        has_feed=host_feed.has_feed(host.id),
    ), status


@bp.route("/hosts/<int:host_id>", methods=["GET", "POST"])
def host_detail(host_id: int):
    """A host: details, weekly hours, time off."""
    host = found_or_404(host_admin.get_host(host_id))
    if request.method == "GET":
        return _page(host)
    form = HostForm()
    if not form.validate_on_submit():
        return _page(host, form=form, status=422)
    try:
        host_admin.save_host(actor(), host_id, _host_values(form))
    except host_admin.HostError as problem:
        return _page(host, form=form, error=str(problem), status=422)
    flash("Saved.", "ok")
    return redirect(url_for("admin.host_detail", host_id=host_id), 303)


RANGE_SEPARATOR = re.compile(r"\s*(?:-|–|—|to)\s*")


def _parse_day(text: str) -> list[tuple[time, time]]:
    """A day's "09:00–12:00, 13:00–17:00" as sorted ranges; ValueError says what is wrong."""
    spans = []
    for piece in filter(None, (p.strip() for p in text.split(","))):
        parts = RANGE_SEPARATOR.split(piece)
        if len(parts) != 2 or not all(HH_MM.match(p) for p in parts):
            raise ValueError(
                "Write each range as 09:00–12:00 in 24-hour time, ranges separated by commas."
            )
        starts, ends = time.fromisoformat(parts[0]), time.fromisoformat(parts[1])
        if ends <= starts and ends != time(0):
            raise ValueError(
                "Each range must end after it starts (00:00 as the end means midnight)."
            )
        spans.append((starts, ends))
    spans.sort()
    for (_, first_end), (second_start, _) in zip(spans, spans[1:], strict=False):
        if first_end == time(0) or second_start < first_end:
            raise ValueError("Ranges on one day must not overlap.")
    return spans


def _parse_hours() -> tuple[dict, dict, dict]:
    """(ranges by weekday, errors by weekday, raw values) from the hours form."""
    ranges, errors, raw = {}, {}, {}
    for weekday in range(7):
        text = request.form.get(f"hours-{weekday}", "").strip()[:200]
        raw[weekday] = text
        try:
            ranges[weekday] = _parse_day(text)
        except ValueError as error:
            errors[weekday] = str(error)
    return ranges, errors, raw


@bp.post("/hosts/<int:host_id>/hours")
def host_hours(host_id: int):
    """Replace a host's weekly hours."""
    host = found_or_404(host_admin.get_host(host_id))
    ranges, errors, raw = _parse_hours()
    if errors:
        return _page(host, hours_errors=errors, hours_values=raw, status=422)
    host_admin.set_hours(actor(), host_id, ranges)
    flash("Weekly hours saved.", "ok")
    return redirect(url_for("admin.host_detail", host_id=host_id) + "#hours", 303)


def _local(field, zone: ZoneInfo, example: str) -> datetime | None:
    """A datetime-local field in the host's zone, as UTC; None, with a message on it, if bad."""
    try:
        return date_input.parse_local_moment(field.data, zone)
    except date_input.OutOfRange as error:
        field.errors = [error.message]
    except ValueError:
        field.errors = [f"Enter a date and time, such as {example}."]
    return None


@bp.post("/hosts/<int:host_id>/time-off")
def host_time_off(host_id: int):
    """Add time off for a host."""
    host = found_or_404(host_admin.get_host(host_id))
    form = TimeOffForm()
    if not form.validate_on_submit():
        return _page(host, off_form=form, status=422)
    zone = ZoneInfo(host.time_zone)
    starts = _local(form.starts, zone, "2026-12-24T09:00")
    ends = _local(form.ends, zone, "2026-12-26T18:00")
    if starts is None or ends is None:
        return _page(host, off_form=form, status=422)
    try:
        host_admin.add_time_off(actor(), host_id, starts, ends, (form.reason.data or "").strip())
    except host_admin.HostError as problem:
        form.ends.errors = [str(problem)]
        return _page(host, off_form=form, status=422)
    flash("Time off added.", "ok")
    return redirect(url_for("admin.host_detail", host_id=host_id) + "#time-off", 303)


@bp.post("/hosts/<int:host_id>/feed")
def host_feed_rotate(host_id: int):
    """Make a new private feed URL for a host (the old one stops working); shown once."""
    token = host_feed.rotate(actor(), host_id)
    url = external_url("feeds.host_calls", token=token)
    flash(f"New calendar feed URL (copy it now; it is shown only once): {url}", "ok")
    return redirect(url_for("admin.host_detail", host_id=host_id) + "#feed", 303)


@bp.post("/time-off/<int:time_off_id>/remove")
def time_off_remove(time_off_id: int):
    """Remove a stretch of time off."""
    host_id = host_admin.remove_time_off(actor(), time_off_id)
    flash("Time off removed.", "ok")
    return redirect(url_for("admin.host_detail", host_id=host_id) + "#time-off", 303)


@bp.route("/blackouts", methods=["GET", "POST"])
def blackouts():
    """Company-wide days without calls (holidays)."""
    form = BlackoutForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                day = date_input.parse_day(form.day.data)
            except date_input.OutOfRange as error:
                form.day.errors = [error.message]
            except ValueError:
                form.day.errors = ["Enter a day such as 2026-12-25."]
            else:
                try:
                    host_admin.add_blackout(actor(), day, (form.reason.data or "").strip())
                except host_admin.HostError as problem:
                    form.day.errors = [str(problem)]
                else:
                    flash(f"No calls on {day.isoformat()}.", "ok")
                    return redirect(url_for("admin.blackouts"), 303)
    days = host_admin.blackout_days()
    return render_template("admin/hosts/blackouts.html", form=form, days=days), status


@bp.post("/blackouts/<int:blackout_id>/remove")
def blackout_remove(blackout_id: int):
    """Open the calendar again on a blackout day."""
    host_admin.remove_blackout(actor(), blackout_id)
    flash("The day is open for calls again.", "ok")
    return redirect(url_for("admin.blackouts"), 303)
