"""Staff sign-in, sign-out and password re-confirmation for sensitive changes."""

from __future__ import annotations

from functools import wraps

from flask import current_app
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

from ... import signin_throttle
from ... import staff as staff_service
from ...audit import Actor
from ...clock import utcnow
from ...extensions import login_manager
from .blueprint import actor
from .blueprint import bp
from .blueprint import safe_next
from .blueprint import send_to
from .forms import ConfirmPasswordForm
from .forms import SignInForm

SIGNED_IN_AT = "signed_in_at"
NO_MATCH = "That email and password don't match a staff account."


@login_manager.user_loader
def load_user(value: str):
    """The staff member a session names, only while its token is current."""
    return staff_service.load_from_session(value)


def signed_in_recently() -> bool:
    """Whether the password was given within ADMIN_RECENT_SIGNIN_MINUTES."""
    at = session.get(SIGNED_IN_AT)
    if not isinstance(at, int | float):
        return False
    age = utcnow().timestamp() - at
    return 0 <= age <= current_app.config["ADMIN_RECENT_SIGNIN_MINUTES"] * 60


def recent_signin_required(view):
    """Cap and price changes need a recent password: else confirm it and come back."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if signed_in_recently():
            return view(*args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            flash(
                "Nothing was saved. Cap and price changes need your password from the last "
                f"{current_app.config['ADMIN_RECENT_SIGNIN_MINUTES']} minutes.",
                "warn",
            )
        return send_to("admin.reauth", 403)

    return wrapped


def _throttled(email: str):
    """None when this attempt may go ahead, else the refusal page (429 with Retry-After)."""
    wait = signin_throttle.attempt(email)
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
        staff = staff_service.authenticate(email, form.password.data)
        if staff is None:
            # The same words whether the email is unknown or the password wrong.
            error = NO_MATCH
        else:
            signin_throttle.succeeded()
            staff_service.rehash_if_needed(staff, form.password.data)
            staff_service.start_session(staff, Actor.staff(staff, request.remote_addr))
            # A new session: nothing from before sign-in survives, the CSRF token included.
            session.clear()
            g.pop("csrf_token", None)
            login_user(staff)
            session[SIGNED_IN_AT] = int(utcnow().timestamp())
            return redirect(next_url, 303)
    form.password.data = ""
    return render_template("admin/login.html", form=form, error=error, next_url=next_url)


@bp.post("/logout")
def logout():
    """Sign out: the session ends here and its cookie is refused from now on."""
    staff_service.end_session(current_user.id, actor())
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
        staff = staff_service.authenticate(current_user.email, form.password.data)
        if staff is not None and staff.id == current_user.id:
            signin_throttle.succeeded()
            staff_service.record_reauthentication(staff, actor())
            session[SIGNED_IN_AT] = int(utcnow().timestamp())
            flash("Password confirmed. You can make your change now.", "ok")
            return redirect(next_url, 303)
        error = "That password is not right."
    return render_template("admin/reauth.html", form=form, error=error, next_url=next_url)
