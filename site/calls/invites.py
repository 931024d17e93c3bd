"""Calendar invites (iCalendar, RFC 5545/5546) for booked calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import UTC

from icalendar import Calendar
from icalendar import Event
from icalendar import vCalAddress

from ..clock import utcnow

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//Mortgage Connect Pro//Twenty-minute calls//EN"


@dataclass(frozen=True)
class Invite:
    """What an invite says about one call."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    location: str
    organizer_name: str
    organizer_email: str
    attendee_name: str
    attendee_email: str
    url: str = ""


def render_ics(invite: Invite, method: str = REQUEST, stamp: datetime | None = None) -> str:
    """The invite as iCalendar text: REQUEST to add or move the call, CANCEL to remove it.

    The UID never changes for a call; calendars match a new SEQUENCE with the same UID to
    the event they already hold, so a reschedule moves it and a cancel removes it.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported iTIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", (stamp or utcnow()).astimezone(UTC))
    event.add("dtstart", invite.starts_at.astimezone(UTC))
    event.add("dtend", invite.ends_at.astimezone(UTC))
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    event.add("location", invite.location)
    if invite.url:
        event.add("url", invite.url)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add(
        "organizer",
        vCalAddress(f"mailto:{invite.organizer_email}"),
        parameters={"CN": invite.organizer_name},
    )
    event.add(
        "attendee",
        vCalAddress(f"mailto:{invite.attendee_email}"),
        parameters={
            "CN": invite.attendee_name,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        },
    )
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
