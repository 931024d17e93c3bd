"""What the waitlist sends: joined (with the place), the link again, an offer, an expiry.

Each message is queued in the outbox inside the caller's transaction, so it exists exactly
when the change that caused it was committed.
"""

from __future__ import annotations

from flask import current_app
from flask import render_template

from .. import secret_links
from ..calls.mail import external_url
from ..mail import outbox
from ..models import WaitlistEntry


def links(entry: WaitlistEntry) -> dict:
    """The private links for an entry, absolute on SITE_URL."""
    token = secret_links.token(secret_links.WAITLIST, entry.link_id)
    return {
        "status_url": external_url("waitlist.status", token=token),
        "decline_url": external_url("waitlist.decline", token=token),
        "book_url": external_url("book.calendar", slug=entry.market.slug, offer=token),
        "join_url": external_url("waitlist.join", slug=entry.market.slug),
    }


def _queue(entry: WaitlistEntry, kind: str, subject: str, **context) -> None:
    context = {
        "entry": entry,
        "kind": kind,
        "offer_hours": current_app.config.get("WAITLIST_OFFER_HOURS", 48),
        **links(entry),
        **context,
    }
    outbox.queue_mail(
        entry.email,
        subject,
        render_template("email/waitlist.txt", **context),
        render_template("email/waitlist.html", **context),
        to_name=entry.name,
    )


def queue_joined(entry: WaitlistEntry, place: int) -> None:
    """You're on the list, #place, and here is your private link."""
    _queue(entry, "joined", f"You're #{place} on the waitlist for {entry.market.name}", place=place)


def queue_link_again(entry: WaitlistEntry, place: int | None) -> None:
    """Someone joined again with this address: the place is kept, here is the link again."""
    _queue(entry, "again", f"Your place on the waitlist for {entry.market.name}", place=place)


def queue_offer(entry: WaitlistEntry) -> None:
    """A seat is held for you until the deadline: book your call, or decline."""
    _queue(entry, "offer", f"A seat in {entry.market.name} is yours to take")


def queue_expired(entry: WaitlistEntry, *, booked: bool) -> None:
    """The offer (or the seat held after a call) ran out and went to the next person."""
    what = "held seat" if booked else "offer of a seat"
    _queue(
        entry,
        "expired",
        f"Your {what} in {entry.market.name} has expired",
        booked=booked,
        status_url=None,
    )
