"""What a booked call sends: the confirmation, reschedule and cancel emails and the invite, the
reminders before the call, and the hosts' morning agendas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import UTC
from urllib.parse import quote
from urllib.parse import urlencode

from flask import current_app
from flask import render_template
from flask import url_for

from .. import secret_links
from ..mail import outbox
from ..models import Booking
from ..models import Host
from ..models import OutboxMessage
from .invites import CANCEL
from .invites import Invite
from .invites import render_ics
from .invites import REQUEST


def external_url(endpoint: str, **values) -> str:
    """An absolute link on SITE_URL (never the request's Host header), usable anywhere."""
    with current_app.test_request_context("/", base_url=current_app.config["SITE_URL"]):
        return url_for(endpoint, _external=True, **values)


def manage_url(token: str) -> str:
    """The booking's private manage page."""
    return external_url("book.manage", token=token)


def invite_for(booking: Booking, token: str) -> Invite:
    """The calendar event for a booking."""
    site = current_app.config["SITE_NAME"]
    link = manage_url(token)
    return Invite(
        uid=booking.ics_uid,
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"{site}: 20-minute call about {booking.market.name}",
        description=(
            f"Your call with {booking.host.name} about exclusive leads in "
            f"{booking.market.name}.\n\nJoin: {booking.host.meeting_link}\n\n"
            f"Reschedule or cancel: {link}"
        ),
        location=booking.host.meeting_link,
        organizer_name=booking.host.name,
        organizer_email=booking.host.email,
        attendee_name=booking.name,
        attendee_email=booking.email,
        url=link,
    )


def ics_for(booking: Booking, token: str) -> str:
    """The .ics for the booking as it stands (CANCEL once it is cancelled)."""
    method = REQUEST if booking.is_confirmed else CANCEL
    return render_ics(invite_for(booking, token), method=method)


def google_calendar_url(booking: Booking, token: str) -> str:
    """A link that opens Google Calendar with the call filled in."""
    return _google_url(invite_for(booking, token))


def _google_url(invite: Invite) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    dates = (
        f"{invite.starts_at.astimezone(UTC).strftime(stamp)}/"
        f"{invite.ends_at.astimezone(UTC).strftime(stamp)}"
    )
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": invite.summary,
            "dates": dates,
            "details": invite.description,
            "location": invite.location,
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"


# Outlook's "add an event" deeplinks: personal accounts (Outlook.com) and work or school ones
# (Office 365) live on different hosts, with the same query.
OUTLOOK_COM = "https://outlook.live.com/calendar/0/deeplink/compose"
OFFICE_365 = "https://outlook.office.com/calendar/0/deeplink/compose"


def _outlook_url(base: str, invite: Invite) -> str:
    iso = "%Y-%m-%dT%H:%M:%SZ"
    query = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": invite.summary,
            "startdt": invite.starts_at.astimezone(UTC).strftime(iso),
            "enddt": invite.ends_at.astimezone(UTC).strftime(iso),
            "body": invite.description,
            "location": invite.location,
        },
        # %20, not "+": Outlook shows a "+" in the body as it is.
        quote_via=quote,
        safe="/:",
    )
    return f"{base}?{query}"


@dataclass(frozen=True)
class CalendarLink:
    """A web calendar that opens with the call filled in: its name and the link."""

    name: str
    url: str


def calendar_links(booking: Booking, token: str) -> list[CalendarLink]:
    """Google Calendar, Outlook.com and Office 365 links for the call (the .ics is apart: it
    is a download, or an attachment)."""
    invite = invite_for(booking, token)
    return [
        CalendarLink("Google Calendar", _google_url(invite)),
        CalendarLink("Outlook.com", _outlook_url(OUTLOOK_COM, invite)),
        CalendarLink("Office 365", _outlook_url(OFFICE_365, invite)),
    ]


def _context(booking: Booking, kind: str) -> dict:
    # Always the link signed with the current key, whichever link the change came through.
    token = secret_links.token(secret_links.BOOKING, booking.link_id)
    return {
        "booking": booking,
        "manage_url": manage_url(token),
        "kind": kind,
        "calendar_links": calendar_links(booking, token),
        "ics_url": external_url("book.invite", token=token),
        "book_again_url": external_url("book.calendar", slug=booking.market.slug),
        "token": token,
    }


def _send(
    booking: Booking, kind: str, subject: str, method: str, reminders: Sequence[int] = ()
) -> None:
    context = {**_context(booking, kind), "reminders": list(reminders)}
    ics = render_ics(invite_for(booking, context["token"]), method=method)
    outbox.queue_mail(
        booking.email,
        subject,
        render_template("email/booking.txt", **context),
        render_template("email/booking.html", **context),
        [outbox.calendar_attachment(ics, method)],
        to_name=booking.name,
    )
    outbox.queue_mail(
        booking.host.email,
        f"[{kind}] {booking.name}, {booking.market.name}",
        render_template("email/host_note.txt", **context),
        to_name=booking.host.name,
    )


def queue_confirmation(booking: Booking, reminders: Sequence[int] = ()) -> None:
    """Queue the confirmation and invite (in the booking's transaction), saying which
    reminders will follow (minutes before the call)."""
    _send(booking, "Booked", f"Your call about {booking.market.name} is booked", REQUEST, reminders)


def queue_rescheduled(booking: Booking, reminders: Sequence[int] = ()) -> None:
    """Queue the new time and the updated invite (same UID, higher SEQUENCE)."""
    _send(booking, "Moved", f"Your call about {booking.market.name} has moved", REQUEST, reminders)


def queue_cancelled(booking: Booking) -> None:
    """Queue the cancellation and the CANCEL invite that removes the event."""
    _send(booking, "Cancelled", f"Your call about {booking.market.name} is cancelled", CANCEL)


def queue_reminder(booking: Booking, minutes_before: int) -> OutboxMessage:
    """Queue a reminder of the call to the loan officer, in their zone and the market's."""
    context = {**_context(booking, "Reminder"), "minutes_before": minutes_before}
    return outbox.queue_mail(
        booking.email,
        render_template("email/reminder_subject.txt", **context),
        render_template("email/reminder.txt", **context),
        render_template("email/reminder.html", **context),
        to_name=booking.name,
    )


def queue_agenda(host: Host, day: date, calls: Sequence[Booking]) -> OutboxMessage:
    """Queue a host's agenda: their calls of one local day, in their zone."""
    context = {"host": host, "day": day, "calls": calls}
    return outbox.queue_mail(
        host.email,
        render_template("email/host_agenda_subject.txt", **context),
        render_template("email/host_agenda.txt", **context),
        to_name=host.name,
    )
