"""Each host's private calendar feed (.ics) of their calls, behind a random token that staff
can rotate (secret_links.py says why it is not a signed link)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from icalendar import Calendar
from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from .. import secret_links
from ..clock import utcnow
from ..database import write_transaction
from ..domain import NotFound
from ..extensions import db
from ..models import Booking
from ..models import CANCELLED
from ..models import Host
from ..models import HostFeedToken

PRODID = "-//Mortgage Connect Pro//Host calls feed//EN"
PAST_DAYS = 60  # how far back the feed reaches; calendars keep what they already have


def has_feed(host_id: int) -> bool:
    """Whether the host has a feed URL at the moment."""
    return (
        db.session.scalar(select(HostFeedToken.id).where(HostFeedToken.host_id == host_id))
        is not None
    )


def rotate(actor: audit.Actor, host_id: int) -> str:
    """A new feed token for the host (the old URL stops working); returned once, never stored."""
    token = secret_links.new_random_token()
    with write_transaction() as session:
        if session.get(Host, host_id) is None:
            raise NotFound("That host doesn't exist.")
        found = session.scalar(select(HostFeedToken).where(HostFeedToken.host_id == host_id))
        if found is None:
            session.add(HostFeedToken(host_id=host_id, token_hash=secret_links.hashed(token)))
        else:
            found.token_hash, found.created_at = secret_links.hashed(token), utcnow()
        audit.record(actor, "host.feed_token.rotate", ("host", host_id), None, {"rotated": True})
    return token


def host_for(token: str) -> Host | None:
    """The host a feed token belongs to, or None."""
    digest = secret_links.hashed(token)
    if digest is None:
        return None
    return db.session.scalar(
        select(Host).join(HostFeedToken).where(HostFeedToken.token_hash == digest)
    )


def render(host: Host, site_name: str, now: datetime | None = None) -> str:
    """The host's calls from PAST_DAYS ago on, as an iCalendar feed."""
    now = now or utcnow()
    calls = db.session.scalars(
        select(Booking)
        .where(
            Booking.host_id == host.id,
            Booking.status != CANCELLED,
            Booking.starts_at >= now - timedelta(days=PAST_DAYS),
        )
        .options(selectinload(Booking.market))
        .order_by(Booking.starts_at)
    )
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{site_name}: {host.name}'s calls")
    for call in calls:
        event = Event()
        event.add("uid", call.ics_uid)  # the same UID as the prospect's invite
        event.add("sequence", call.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", call.starts_at)
        event.add("dtend", call.ends_at)
        company = f" ({call.company})" if call.company else ""
        event.add("summary", f"Call: {call.name}{company}, {call.market.name}")
        notes = f"\n\nNotes: {call.notes}" if call.notes else ""
        event.add(
            "description",
            f"{call.name}{company}\nEmail: {call.email}\nPhone: {call.phone}\n"
            f"Lead source: {call.lead_source_label}{notes}",
        )
        event.add("location", host.meeting_link)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
