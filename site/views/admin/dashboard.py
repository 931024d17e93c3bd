"""The admin dashboard."""

from __future__ import annotations

from flask import render_template

from ... import audit
from .blueprint import bp


@bp.get("/")
def dashboard():
    """The overview: what changed lately."""
    return render_template("admin/dashboard.html", recent=audit.recent(10))
