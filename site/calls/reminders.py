"""After booking: reminder emails to the loan officer before their call, and each host's morning
agenda of the day's calls.

Reminders are planned in the transaction that books, moves or cancels a call (`plan_in`,
`withdraw_in`); `flask send-reminders`, run by a timer, queues the due ones and the agendas in
the outbox (`send_due`). Each goes out exactly once however many hosts run the command at the
same moment: a reminder is taken with a conditional UPDATE (scheduled to sent) in the same
transaction that queues its email, and an agenda by inserting its row, which a unique index
allows once per host and day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..clock import utcnow
from ..database import write_transaction
from ..extensions import db
from ..models import Booking
from ..models import CallReminder
from ..models import CONFIRMED
from ..models import Host
from ..models import HostAgenda
from . import mail
from .slots import day_bounds
from .slots import local_to_utc
from .slots import parse_zone

# An agenda goes out from HOST_AGENDA_HOUR for this long; a day whose window the timer missed
# altogether (the host was down all morning) gets none, rather than a "morning" one at night.
AGENDA_WINDOW = timedelta(hours=4)

R = CallReminder


def offsets() -> tuple[int, ...]:
    """Minutes before a call that a reminder goes out, longest first (REMINDER_OFFSETS_MINUTES)."""
    return tuple(current_app.config["REMINDER_OFFSETS_MINUTES"])


# ---------------------------------------------------------------------------
# Planning, in the booking's own transaction


def plan_in(session, booking: Booking, now: datetime) -> list[int]:
    """Plan the reminders of the call's current time (the booking must be flushed); returns
    the offsets still ahead. One whose moment has already passed is kept as skipped."""
    ahead = []
    for minutes in offsets():
        due = booking.starts_at - timedelta(minutes=minutes)
        status = R.SCHEDULED if due > now else R.SKIPPED
        session.add(
            CallReminder(
                booking_id=booking.id,
                minutes_before=minutes,
                sequence=booking.sequence,
                due_at=due,
                status=status,
            )
        )
        if status == R.SCHEDULED:
            ahead.append(minutes)
    return ahead


def withdraw_in(session, booking: Booking) -> None:
    """Withdraw the reminders not sent yet: the call is cancelled, or moved (then planned
    again for its new time)."""
    session.execute(
        update(CallReminder)
        .where(CallReminder.booking_id == booking.id, CallReminder.status == R.SCHEDULED)
        .values(status=R.WITHDRAWN)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------------------
# Sending: what `flask send-reminders` does


@dataclass
class ReminderReport:
    """What one run queued."""

    sent: int = 0
    skipped: int = 0
    agendas: int = 0


def send_due(now: datetime | None = None, limit: int = 500) -> ReminderReport:
    """Queue every reminder that is due, then the hosts' agendas that are due."""
    now = now or utcnow()
    report = ReminderReport()
    db.session.rollback()
    due = db.session.execute(
        select(R.id, R.booking_id)
        .where(R.status == R.SCHEDULED, R.due_at <= now)
        .order_by(R.due_at, R.id)
        .limit(limit)
    ).all()
    db.session.rollback()  # end the read: each reminder is its own transaction
    for reminder_id, booking_id in due:
        outcome = _send_reminder(reminder_id, booking_id, now)
        if outcome == R.SENT:
            report.sent += 1
        elif outcome == R.SKIPPED:
            report.skipped += 1
    report.agendas = send_agendas(now)
    return report


def _send_reminder(reminder_id: int, booking_id: int, now: datetime) -> str | None:
    """Take one due reminder and queue its email (sent), or let it go (skipped); None when
    another sender took it first."""
    with write_transaction() as session:
        # The booking's row first, as cancelling and moving lock it: a reminder is judged by
        # the call as committed, never sent beside a cancel in flight.
        call = session.scalars(
            select(Booking)
            .where(Booking.id == booking_id)
            .options(selectinload(Booking.host), selectinload(Booking.market))
            .with_for_update(of=Booking)
            .execution_options(populate_existing=True)
        ).one()
        claimed = session.execute(
            update(CallReminder)
            .where(CallReminder.id == reminder_id, CallReminder.status == R.SCHEDULED)
            .values(status=R.SENT, sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return None
        reminder = session.get(CallReminder, reminder_id, populate_existing=True)
        if _stale(session, call, reminder, now):
            reminder.status, reminder.sent_at = R.SKIPPED, None
            return R.SKIPPED
        message = mail.queue_reminder(call, reminder.minutes_before)
        session.flush()
        reminder.outbox_message_id = message.id
    return R.SENT


def _stale(session, call: Booking, reminder: CallReminder, now: datetime) -> bool:
    """Whether a due reminder no longer makes sense: the call isn't on at that time any more,
    has begun, or a nearer reminder is due too (the timer was down; one email, not two)."""
    if call.status != CONFIRMED or call.sequence != reminder.sequence or call.starts_at <= now:
        return True
    nearer = session.scalar(
        select(R.id).where(
            R.booking_id == call.id,
            R.sequence == reminder.sequence,
            R.minutes_before < reminder.minutes_before,
            R.status.in_((R.SCHEDULED, R.SENT)),
            R.due_at <= now,
        )
    )
    return nearer is not None


def send_agendas(now: datetime | None = None) -> int:
    """Queue the morning agenda of each active host whose agenda hour has come in their zone
    and who has calls that day; returns how many were queued."""
    now = now or utcnow()
    hour = time(int(current_app.config["HOST_AGENDA_HOUR"]))
    due: list[tuple[int, date]] = []
    for host_id, zone in db.session.execute(
        select(Host.id, Host.time_zone).where(Host.active.is_(True)).order_by(Host.id)
    ):
        tz = parse_zone(zone)
        if tz is None:
            continue  # booking.load_hosts logs it
        day = now.astimezone(tz).date()
        opens = local_to_utc(day, hour, tz)
        if opens <= now < opens + AGENDA_WINDOW:
            due.append((host_id, day))
    done = set()
    if due:
        rows = db.session.execute(
            select(HostAgenda.host_id, HostAgenda.day).where(
                HostAgenda.host_id.in_([host_id for host_id, _ in due]),
                HostAgenda.day.in_({day for _, day in due}),
            )
        )
        done = {(host_id, day) for host_id, day in rows}
    db.session.rollback()
    return sum(
        _send_agenda(host_id, day, now) for host_id, day in due if (host_id, day) not in done
    )


def _send_agenda(host_id: int, day: date, now: datetime) -> int:
    """Take the host's agenda for the day and queue it when they have calls; 1 if queued."""
    with write_transaction() as session:
        agenda = HostAgenda(host_id=host_id, day=day, calls=0, sent_at=now)
        try:
            with session.begin_nested():
                session.add(agenda)
        except IntegrityError:
            return 0  # another sender took this host's day
        host = session.get(Host, host_id)
        begins, ends = day_bounds(day, parse_zone(host.time_zone))
        calls = session.scalars(
            select(Booking)
            .where(
                Booking.host_id == host_id,
                Booking.status == CONFIRMED,
                Booking.starts_at >= begins,
                Booking.starts_at < ends,
            )
            .options(selectinload(Booking.market), selectinload(Booking.quote))
            .order_by(Booking.starts_at, Booking.id)
        ).all()
        agenda.calls = len(calls)
        if not calls:
            return 0  # nothing to say: the row only marks the day as done
        message = mail.queue_agenda(host, day, calls)
        session.flush()
        agenda.outbox_message_id = message.id
    return 1
