"""The outbox in the admin: every email the site queued, sent or failed, and a resend."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .. import paging
from ..web.admin import actor
from ..web.admin import bp
from . import outbox


@bp.get("/outbox", endpoint="outbox")
def outbox_messages():
    """Every email the site queued: queued, sent or failed, with its errors."""
    status = request.args.get("status", "")
    status = status if status in outbox.OUTBOX_STATUSES else ""
    return render_template(
        "admin/outbox.html",
        rows=outbox.messages(status, paging.asked_page()),
        status=status,
        statuses=outbox.OUTBOX_STATUSES,
    )


@bp.post("/outbox/<int:message_id>/resend")
def outbox_resend(message_id: int):
    """Queue a fresh copy of a message."""
    copy = outbox.resend(actor(), message_id)
    flash(f"A copy to {copy.recipient} is queued.", "ok")
    return redirect(url_for("admin.outbox"), 303)
