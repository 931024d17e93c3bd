"""The staff's own admin screens: sign-in, sign-out, the password again for sensitive changes,
the dashboard and the audit log."""

from __future__ import annotations

from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from .. import paging
from ..audit import Actor
from ..markets.market_admin import overview
from ..web.admin import actor
from ..web.admin import bp
from ..web.admin import safe_next
from . import accounts
from . import audit_log
from . import dashboard
from . import signin
from . import throttle
from .forms import ConfirmPasswordForm
from .forms import SignInForm

NO_MATCH = "That email and password don't match a staff account."


def _throttled(email: str):
    """None when this attempt may go ahead, else the refusal page (429 with Retry-After)."""
    wait = throttle.attempt(email)
    if not wait:
        return None
    minutes = max(1, round(wait / 60))
    return minutes, wait


def _too_many(template: str, form, next_url: str, minutes: int, wait: int):
    """The form again with the throttling message."""
    error = (
        "Too many sign-in attempts. For your security, try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}."
    )
    body = render_template(template, form=form, error=error, next_url=next_url)
    return body, 429, {"Retry-After": str(wait)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    default = url_for("admin.dashboard")
    form = SignInForm()
    next_url = safe_next(form.next.data or request.args.get("next"), default)
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    error = None
    if form.validate_on_submit():
        email = form.email.data
        refused = _throttled(email)
        if refused:
            return _too_many("admin/login.html", form, next_url, *refused)
        staff = accounts.authenticate(email, form.password.data)
        if staff is None:
            # The same words whether the email is unknown or the password wrong.
            error = NO_MATCH
        else:
            throttle.succeeded()
            accounts.rehash_if_needed(staff, form.password.data)
            accounts.start_session(staff, Actor.staff(staff, request.remote_addr))
            # A new session: nothing from before sign-in survives, the CSRF token included.
            session.clear()
            g.pop("csrf_token", None)
            login_user(staff)
            signin.mark_recent()
            return redirect(next_url, 303)
    form.password.data = ""
    return render_template("admin/login.html", form=form, error=error, next_url=next_url)


@bp.post("/logout")
def logout():
    """Sign out: the session ends here and its cookie is refused from now on."""
    accounts.end_session(current_user.id, actor())
    logout_user()
    session.clear()
    flash("You are signed out.", "ok")
    return redirect(url_for("admin.login"), 303)


@bp.route("/reauth", methods=["GET", "POST"])
def reauth():
    """Confirm the password again before a sensitive change, then go back."""
    default = url_for("admin.dashboard")
    form = ConfirmPasswordForm()
    next_url = safe_next(form.next.data or request.args.get("next"), default)
    error = None
    if form.validate_on_submit():
        refused = _throttled(current_user.email)
        if refused:
            return _too_many("admin/reauth.html", form, next_url, *refused)
        staff = accounts.authenticate(current_user.email, form.password.data)
        if staff is not None and staff.id == current_user.id:
            throttle.succeeded()
            accounts.record_reauthentication(staff, actor())
            signin.mark_recent()
            flash("Password confirmed. You can make your change now.", "ok")
            return redirect(next_url, 303)
        error = "That password is not right."
    return render_template("admin/reauth.html", form=form, error=error, next_url=next_url)


# -- the dashboard and the audit log ----------------------------------------------------------

WAIT_CHART_MARKETS = 10  # the longest waitlists shown on the dashboard


@bp.get("/", endpoint="dashboard")
def dashboard_page():
    """The overview: today's calls, seat fill, waitlists, calls per week (charts), changes."""
    rows = overview()
    return render_template(
        "admin/dashboard.html",
        bars=dashboard.seat_fill(rows),
        wait_bars=dashboard.waitlist_chart(rows, WAIT_CHART_MARKETS),
        totals=dashboard.totals(rows),
        recent=audit_log.recent(10),
        today=dashboard.todays_calls(),
        weeks=dashboard.calls_per_week(),
    )


PER_PAGE = 50


def _text_arg(name: str) -> str:
    """A short filter value from the query string ('' when absent, absurdly long or binary)."""
    value = request.args.get(name, "").strip()
    return value if len(value) <= 64 and value.isprintable() else ""


@bp.get("/audit")
def audit():
    """Every recorded change, newest first."""
    filters = {
        "action": _text_arg("action"),
        "entity_type": _text_arg("entity_type"),
        "entity_id": _text_arg("entity_id"),
    }
    rows = audit_log.page(paging.asked_page(), PER_PAGE, **filters)
    actions, entity_types = audit_log.filter_choices()
    return render_template(
        "admin/audit.html",
        rows=rows,
        filters={k: v for k, v in filters.items() if v},
        actions=actions,
        entity_types=entity_types,
    )
