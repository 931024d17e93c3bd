"""The admin blueprint, its sign-in guard, its private-response headers and its navigation."""

from __future__ import annotations

from urllib.parse import SplitResult
from urllib.parse import urlsplit

from flask import Blueprint
from flask import redirect
from flask import request
from flask import Response
from flask import url_for
from flask_login import current_user

from ..audit import Actor
from .security import private

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The only admin endpoints an anonymous visitor may reach.
PUBLIC_ENDPOINTS = frozenset({"admin.login"})

# The admin menu: (section, endpoint, label).
NAV = [
    ("dashboard", "admin.dashboard", "Dashboard"),
    ("markets", "admin.markets", "Markets"),
    ("calls", "admin.calls", "Calls"),
    ("hosts", "admin.hosts", "Hosts"),
    ("audit", "admin.audit", "Audit"),
    ("outbox", "admin.outbox", "Outbox"),
]


def _split(url: str) -> SplitResult | None:
    """The parts of a URL a visitor sent; None when it can't be split ("http://[" …)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def safe_next(target: str | None, default: str) -> str:
    """target when it is a path inside the admin on this site, else default (no open redirect)."""
    if not target or len(target) > 2000 or any(ord(c) < 33 or c == "\\" for c in target):
        return default
    parts = _split(target)
    if parts is None or parts.scheme or parts.netloc or target.startswith("//"):
        return default
    if not (parts.path == "/admin" or parts.path.startswith("/admin/")):
        return default
    return target


def current_page() -> str | None:
    """The admin page the visitor is on: the htmx page, a GET's own URL, or the referrer."""
    if request.headers.get("HX-Current-URL"):
        parts = _split(request.headers["HX-Current-URL"])
        return parts.path + (f"?{parts.query}" if parts.query else "") if parts else None
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    if request.referrer:
        parts = _split(request.referrer)
        if parts and parts.netloc == request.host:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def send_to(endpoint: str, status: int) -> Response:
    """Send the visitor to a sign-in page, coming back here afterwards.

    Pages get a redirect; htmx requests get the status with HX-Redirect, because
    swapping a sign-in form into a table row would make no sense.
    """
    default = url_for("admin.dashboard")
    back = safe_next(current_page(), default)
    target = url_for(endpoint, next=back) if back != default else url_for(endpoint)
    if request.htmx:
        return Response("Sign in again to continue.", status, {"HX-Redirect": target})
    return redirect(target, 302 if request.method in ("GET", "HEAD") else 303)


@bp.before_request
def require_staff():
    """Refuse anonymous requests to every admin route, present and future."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return send_to("admin.login", 401)


@bp.after_request
def keep_private(response: Response) -> Response:
    """Admin pages stay out of caches, browser history and search engines."""
    return private(response)


@bp.context_processor
def admin_layout_values():
    """The admin menu, and the staff member (the lazy proxy: public pages never load a user)."""
    return {"admin_nav": NAV, "current_user": current_user}


def actor() -> Actor:
    """The signed-in staff member and their address, for the audit log."""
    return Actor.staff(current_user, request.remote_addr)
