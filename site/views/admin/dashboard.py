"""The admin dashboard."""

from __future__ import annotations

from flask import render_template

from ... import audit
from ... import call_admin
from ... import market_admin
from .blueprint import bp

WAIT_CHART_MARKETS = 10  # the longest waitlists shown on the dashboard


@bp.get("/")
def dashboard():
    """The overview: today's calls, seat fill, waitlists, calls per week (charts), changes."""
    rows = market_admin.overview()
    totals = {
        "cap": sum(r.availability.cap for r in rows),
        "seated": sum(r.availability.seated for r in rows),
        "held": sum(r.availability.held for r in rows),
        "full": sum(1 for r in rows if r.availability.full),
        "waiting": sum(r.availability.waiting for r in rows),
        "waiting_markets": sum(1 for r in rows if r.availability.waiting),
    }
    return render_template(
        "admin/dashboard.html",
        bars=market_admin.seat_fill(rows),
        wait_bars=market_admin.waitlist_chart(rows, WAIT_CHART_MARKETS),
        totals=totals,
        recent=audit.recent(10),
        today=call_admin.todays_calls(),
        weeks=call_admin.calls_per_week(),
    )
