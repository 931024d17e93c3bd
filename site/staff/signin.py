"""The signed-in staff member: who a session names, and whether their password is recent
enough for cap and price changes (`recent_signin_required`)."""

from __future__ import annotations

from functools import wraps

from flask import current_app
from flask import flash
from flask import request
from flask import session

from ..clock import utcnow
from ..extensions import login_manager
from ..web.admin import send_to
from . import accounts

SIGNED_IN_AT = "signed_in_at"


@login_manager.user_loader
def load_user(value: str):
    """The staff member a session names, only while its token is current."""
    return accounts.load_from_session(value)


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


def mark_recent() -> None:
    """Note in the session that the password was given just now."""
    session[SIGNED_IN_AT] = int(utcnow().timestamp())
