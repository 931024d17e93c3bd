"""The admin dashboard."""

from __future__ import annotations

from flask import render_template

from ... import audit
from ... import call_admin
from ... import market_admin
from .blueprint import bp


@bp.get("/")
def dashboard():
    """The overview: today's calls, seat fill and calls per week (charts with tables), changes."""
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
        today=call_admin.todays_calls(),
        weeks=call_admin.calls_per_week(),
    )
