"""A market's waitlist in the admin: offer the next open seat now, take someone off the list."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .. import capacity
from ..markets import market_admin
from ..web.admin import actor
from ..web.admin import bp
from ..web.errors import found_or_404
from . import places
from . import queue_admin


def _offer_message(market_id: int, changes: capacity.QueueChanges) -> tuple[str, str]:
    """What offering the next seat did, in plain words, and the notice's kind."""
    row = market_admin.row(market_id)
    a = row.availability
    parts = []
    if changes.expired:
        names = ", ".join(e.name for e in changes.expired)
        parts.append(f"Offers that ran out ended: {names}.")
    if changes.offered:
        for entry in changes.offered:
            deadline = entry.offer_expires_at.strftime("%Y-%m-%d %H:%M")
            parts.append(f"{entry.name} was offered a seat until {deadline} UTC.")
        return " ".join(parts), "ok"
    if not any(line.place for line in queue_admin.queue(market_id)):
        parts.append(f"Nobody is waiting in {a.market.name}, so no offer was made.")
    else:
        parts.append(
            f"No seat is free in {a.market.name}: {a.in_use} of {a.cap} seats are in use. "
            "Release a seat or raise the cap, and the first person waiting is offered it."
        )
    return " ".join(parts), "warn"


@bp.post("/markets/<int:market_id>/waitlist/offer")
def queue_offer(market_id: int):
    """Offer the free seats now to the first people waiting (the queue's own rule)."""
    found_or_404(market_admin.row(market_id))
    changes = queue_admin.offer_next(actor(), market_id)
    message, kind = _offer_message(market_id, changes)
    flash(message, kind)
    return redirect(url_for("admin.market_detail", market_id=market_id) + "#waitlist", 303)


@bp.route("/waitlist/<int:entry_id>/remove", methods=["GET", "POST"])
def queue_remove(entry_id: int):
    """Take someone off a market's waitlist, after a confirmation page (GET)."""
    entry = found_or_404(queue_admin.get_entry(entry_id))
    back = url_for("admin.market_detail", market_id=entry.market_id) + "#waitlist"
    if not entry.active:
        flash(f"{entry.name} is no longer on the waitlist ({entry.status}).", "warn")
        return redirect(back, 303 if request.method == "POST" else 302)
    if request.method == "GET":
        return render_template(
            "admin/markets/remove_entry.html",
            entry=entry,
            place=places.place(entry),
            market=entry.market,
        )
    try:
        removed = queue_admin.remove_entry(actor(), entry_id)
    except places.EntryGone as error:  # removed, or the offer ended, meanwhile
        flash(error.message, "warn")
        return redirect(back, 303)
    flash(f"{removed.name} was taken off the waitlist.", "ok")
    return redirect(back, 303)
