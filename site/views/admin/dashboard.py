"""The admin dashboard."""

from __future__ import annotations

from flask import render_template

from ... import audit
from ... import market_admin
from .blueprint import bp


@bp.get("/")
def dashboard():
    """The overview: seat fill across markets, with its numbers, and what changed lately."""
    rows = market_admin.overview()
    totals = {
        "cap": sum(r.availability.cap for r in rows),
        "seated": sum(r.availability.seated for r in rows),
        "held": sum(r.availability.held for r in rows),
        "full": sum(1 for r in rows if r.availability.full),
    }
    return render_template(
        "admin/dashboard.html",
        bars=market_admin.seat_fill(rows),
        totals=totals,
        recent=audit.recent(10),
    )
