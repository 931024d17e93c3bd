"""Reminders before a call and the hosts' morning agendas, on a pinned clock: the schedule,
skipping what has passed, none after a cancel, re-armed after a move, what they say, and an
SMTP server receiving exactly the expected messages. (Two hosts racing: tests/races.)"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mortgage_connect import booking
from mortgage_connect.calls import reminders
from mortgage_connect.clock import utcnow
from mortgage_connect.config import reminder_offsets
from mortgage_connect.extensions import db
from mortgage_connect.mail import outbox
from mortgage_connect.models import Booking
from mortgage_connect.models import CallReminder
from mortgage_connect.models import HostAgenda
from mortgage_connect.models import OutboxMessage
from mortgage_connect.web.formatting import when
from tests.conftest import make_app
from tests.factories import make_host
from tests.factories import make_market
from tests.factories import slot_after
from tests.mail.test_outbox import mail_config
from tests.mail.test_outbox import smtp_server  # noqa: F401  (the SMTP server fixture)

pytestmark = pytest.mark.clock

LA = ZoneInfo("America/Los_Angeles")
CHICAGO = ZoneInfo("America/Chicago")
R = CallReminder


@pytest.fixture
def clock(time_machine):
    """The clock stopped at the test's instant; move it with clock.move_to(...)."""
    time_machine.move_to(utcnow(), tick=False)
    return time_machine


@pytest.fixture
def market(app):
    """Dallas–Fort Worth with Ana Lee taking calls around the clock (UTC)."""
    market = make_market()
    make_host()
    return market


def book_call(
    market, start: datetime, name: str = "Pat Prospect", zone: str = "America/Los_Angeles"
):
    """A call booked now (the pinned clock), by someone in `zone`; (booking, manage token)."""
    details = booking.Details(
        name=name,
        email=f"{name.split()[0].lower()}@example.com",
        phone="214-555-0187",
        company="Prospect Home Loans",
        lead_source="shared",
        time_zone=zone,
        consent=True,
    )
    made, token, _ = booking.book(market.id, start, details, uuid.uuid4().hex)
    return made, token


def planned(booking_id: int) -> list[tuple]:
    db.session.rollback()
    rows = db.session.scalars(
        select(R).where(R.booking_id == booking_id).order_by(R.sequence, R.minutes_before.desc())
    )
    return [(r.minutes_before, r.sequence, r.due_at, r.status) for r in rows]


def mail_after(message_id: int) -> list[OutboxMessage]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > message_id).order_by(OutboxMessage.id)
        )
    )


def last_mail_id() -> int:
    db.session.rollback()
    return db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())) or 0


def run(clock, moment: datetime) -> reminders.ReminderReport:
    clock.move_to(moment, tick=False)
    return reminders.send_due()


def confirmation(made: Booking) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == made.email)
        .order_by(OutboxMessage.id.desc())
    ).first()


# ---------------------------------------------------------------------------
# The schedule


def test_a_call_is_reminded_a_day_and_an_hour_before(clock, market):
    start = slot_after(timedelta(days=3))
    made, _ = book_call(market, start)
    assert planned(made.id) == [
        (1440, 0, start - timedelta(hours=24), R.SCHEDULED),
        (60, 0, start - timedelta(hours=1), R.SCHEDULED),
    ]
    text = confirmation(made).text_body
    assert "We'll email you a reminder 24 hours and 1 hour before the call." in text


def test_a_reminder_whose_moment_has_passed_at_booking_is_skipped(clock, market, app):
    soon = slot_after(timedelta(hours=3))
    made, _ = book_call(market, soon)
    assert planned(made.id) == [
        (1440, 0, soon - timedelta(hours=24), R.SKIPPED),
        (60, 0, soon - timedelta(hours=1), R.SCHEDULED),
    ]
    assert "We'll email you a reminder 1 hour before the call." in confirmation(made).text_body

    app.config["MIN_NOTICE_MINUTES"] = 30
    sooner = slot_after(timedelta(minutes=31))
    other, _ = book_call(market, sooner, "Lee Late")
    assert [status for *_, status in planned(other.id)] == [R.SKIPPED, R.SKIPPED]
    assert "reminder" not in confirmation(other).text_body
    before = last_mail_id()
    assert run(clock, sooner - timedelta(minutes=1)).sent == 0
    assert mail_after(before) == []


def test_the_offsets_are_settings(clock, market, app):
    app.config["REMINDER_OFFSETS_MINUTES"] = (2880, 90)
    start = slot_after(timedelta(days=4))
    made, _ = book_call(market, start)
    assert [(m, due) for m, _, due, _ in planned(made.id)] == [
        (2880, start - timedelta(days=2)),
        (90, start - timedelta(minutes=90)),
    ]
    assert "a reminder 48 hours and 90 minutes before" in confirmation(made).text_body
    before = last_mail_id()
    run(clock, start - timedelta(minutes=90))
    (message,) = mail_after(before)
    assert message.subject == "Reminder: your call about Dallas–Fort Worth is in 90 minutes"


def test_reminder_offsets_read_from_the_environment():
    assert reminder_offsets("") == (1440, 60)
    assert reminder_offsets("60, 1440") == (1440, 60)
    assert reminder_offsets("30 30 2880") == (2880, 30)
    assert reminder_offsets("none") == ()
    for bad in ("0", "-60", "an hour", "60;30"):
        with pytest.raises(ValueError):
            reminder_offsets(bad)


def test_the_agenda_hour_must_be_an_hour_of_the_day(database_url):
    with pytest.raises(ValueError, match="HOST_AGENDA_HOUR"):
        make_app(database_url, HOST_AGENDA_HOUR=24)


# ---------------------------------------------------------------------------
# Sending


def test_each_reminder_goes_out_once_at_its_moment(clock, market):
    start = slot_after(timedelta(days=3))
    made, token = book_call(market, start)
    before = last_mail_id()

    assert run(clock, start - timedelta(hours=24, minutes=1)).sent == 0
    assert run(clock, start - timedelta(hours=24)).sent == 1
    assert reminders.send_due().sent == 0  # again at once: nothing more
    assert run(clock, start - timedelta(hours=23)).sent == 0
    (first,) = mail_after(before)
    assert first.subject == "Reminder: your call about Dallas–Fort Worth is in 24 hours"
    assert (first.recipient, first.recipient_name) == ("pat@example.com", "Pat Prospect")

    assert run(clock, start - timedelta(hours=1)).sent == 1
    assert run(clock, start - timedelta(minutes=5)).sent == 0
    first_again, second = mail_after(before)
    assert second.subject == "Reminder: your call about Dallas–Fort Worth is in 1 hour"
    rows = db.session.scalars(select(R).where(R.booking_id == made.id).order_by(R.id)).all()
    assert [(r.status, r.outbox_message_id) for r in rows] == [
        (R.SENT, first.id),
        (R.SENT, second.id),
    ]
    assert rows[0].sent_at == start - timedelta(hours=24)


def test_a_reminder_says_when_in_both_zones_with_the_link_the_meeting_and_the_quote(
    clock, market, client
):
    start = slot_after(timedelta(days=2))
    made, _ = book_call(market, start)
    before = last_mail_id()
    run(clock, start - timedelta(hours=1))
    (message,) = mail_after(before)
    text, html = message.text_body, message.html_body
    made = db.session.get(Booking, made.id)
    in_la, in_chicago = when(start, LA), when(start, CHICAGO)
    assert f"When: {in_la}\n      ({in_chicago} in Dallas–Fort Worth)" in text
    assert in_la in html and f"{in_chicago} in Dallas–Fort Worth" in html
    assert "starts in 1 hour." in text
    assert "With: Ana Lee" in text and "Join: https://meet.example.com/ana" in text
    assert "we'll call you on 214-555-0187" in text
    assert f"written quote {made.quote.reference}" in text and made.quote.reference in html
    link = re.search(r"Choose a new time or cancel: (http://localhost(/book/manage/\S+))", text)
    assert link and f'href="{link.group(1)}"' in html
    page = client.get(link.group(2))
    assert page.status_code == 200 and made.quote.reference in page.get_data(as_text=True)


def test_no_reminder_after_a_cancel(clock, market):
    start = slot_after(timedelta(days=3))
    made, token = book_call(market, start)
    booking.cancel(token)
    assert [status for *_, status in planned(made.id)] == [R.WITHDRAWN, R.WITHDRAWN]
    before = last_mail_id()
    for due in (start - timedelta(hours=24), start - timedelta(hours=1)):
        report = run(clock, due)
        assert (report.sent, report.skipped) == (0, 0)
    assert mail_after(before) == []


def test_a_cancel_after_the_first_reminder_stops_the_second(clock, market):
    start = slot_after(timedelta(days=3))
    made, token = book_call(market, start)
    assert run(clock, start - timedelta(hours=24)).sent == 1
    booking.cancel(token)
    assert [status for *_, status in planned(made.id)] == [R.SENT, R.WITHDRAWN]
    before = last_mail_id()
    assert run(clock, start - timedelta(hours=1)).sent == 0
    assert mail_after(before) == []


def test_a_moved_call_is_reminded_of_its_new_time(clock, market):
    start = slot_after(timedelta(days=3))
    made, token = book_call(market, start)
    assert run(clock, start - timedelta(hours=24)).sent == 1  # the day-before reminder went
    new_start = start + timedelta(days=2, hours=3)
    booking.reschedule(token, new_start)
    assert planned(made.id) == [
        (1440, 0, start - timedelta(hours=24), R.SENT),
        (60, 0, start - timedelta(hours=1), R.WITHDRAWN),
        (1440, 1, new_start - timedelta(hours=24), R.SCHEDULED),
        (60, 1, new_start - timedelta(hours=1), R.SCHEDULED),
    ]
    moved = confirmation(made)
    assert "has moved" in moved.subject
    assert "a reminder 24 hours and 1 hour before" in moved.text_body
    before = last_mail_id()
    assert run(clock, start - timedelta(hours=1)).sent == 0  # the old time: nothing
    assert run(clock, new_start - timedelta(hours=24)).sent == 1
    assert run(clock, new_start - timedelta(hours=1)).sent == 1
    day_before, hour_before = mail_after(before)
    assert f"When: {when(new_start, LA)}" in day_before.text_body
    assert "is in 1 hour" in hour_before.subject


def test_a_call_moved_closer_skips_the_reminder_already_past(clock, market):
    start = slot_after(timedelta(days=3))
    made, token = book_call(market, start)
    closer = slot_after(timedelta(hours=5))
    booking.reschedule(token, closer)
    assert [(m, seq, status) for m, seq, _, status in planned(made.id)] == [
        (1440, 0, R.WITHDRAWN),
        (60, 0, R.WITHDRAWN),
        (1440, 1, R.SKIPPED),
        (60, 1, R.SCHEDULED),
    ]
    assert "a reminder 1 hour before" in confirmation(made).text_body


def test_after_a_stop_only_the_nearest_due_reminder_goes(clock, market):
    start = slot_after(timedelta(days=3))
    made, _ = book_call(market, start)
    before = last_mail_id()
    # The timer was down until half an hour before the call: one email about it, not two.
    report = run(clock, start - timedelta(minutes=30))
    assert (report.sent, report.skipped) == (1, 1)
    (message,) = mail_after(before)
    assert message.recipient == "pat@example.com" and "is in 1 hour" in message.subject
    assert [status for *_, status in planned(made.id)] == [R.SKIPPED, R.SENT]


def test_nothing_is_sent_about_a_call_under_way(clock, market):
    start = slot_after(timedelta(days=3))
    made, _ = book_call(market, start)
    assert run(clock, start - timedelta(hours=24)).sent == 1
    before = last_mail_id()
    # The timer was down from before the hour-before reminder until the call began.
    report = run(clock, start + timedelta(minutes=1))
    assert (report.sent, report.skipped) == (0, 1)
    assert [status for *_, status in planned(made.id)] == [R.SENT, R.SKIPPED]
    assert mail_after(before) == []


def test_the_command_reports_what_it_queued(clock, market, app):
    start = slot_after(timedelta(days=3))
    book_call(market, start)
    clock.move_to(start - timedelta(hours=24), tick=False)
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert result.output == "Reminders queued: 1, skipped: 0; agendas queued: 0.\n"


# ---------------------------------------------------------------------------
# The hosts' morning agenda


@pytest.fixture
def chicago_host(app):
    """Dallas–Fort Worth with one host, Cam Reed, working around the clock in Chicago."""
    market = make_market()
    host = make_host("Cam Reed", zone="America/Chicago")
    return market, host


def local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO).astimezone(UTC)


def test_a_host_gets_the_days_calls_at_seven_in_their_zone(clock, chicago_host):
    market, host = chicago_host
    make_host("Idle Ida", zone="America/New_York", weekdays=[])  # no calls: no agenda
    day = (utcnow().astimezone(CHICAGO) + timedelta(days=2)).date()
    afternoon, _ = book_call(market, local(day, 14, 30), "Bo Afternoon", "Europe/London")
    morning, _ = book_call(market, local(day, 10), "Al Morning")
    _, cancelled = book_call(market, local(day, 12), "Cy Cancelled")
    booking.cancel(cancelled)
    book_call(market, local(day + timedelta(days=1), 10), "Di Tomorrow")
    before = last_mail_id()

    clock.move_to(local(day, 6, 59), tick=False)
    assert reminders.send_agendas() == 0
    clock.move_to(local(day, 7), tick=False)
    assert reminders.send_agendas() == 1
    assert reminders.send_agendas() == 0  # once a day
    clock.move_to(local(day, 9), tick=False)
    assert reminders.send_agendas() == 0

    (agenda,) = mail_after(before)
    assert (agenda.recipient, agenda.recipient_name) == ("cam@mortgageconnect.example", "Cam Reed")
    assert agenda.subject == f"Your calls today, {day:%A}, {day:%B} {day.day}, {day.year}: 2 calls"
    text = agenda.text_body
    zone = local(day, 10).astimezone(CHICAGO).strftime("%Z")
    assert "(Central Time (America/Chicago))" in text
    assert f"10:00 AM {zone}  Al Morning (Prospect Home Loans), Dallas–Fort Worth" in text
    assert f"2:30 PM {zone}  Bo Afternoon (Prospect Home Loans), Dallas–Fort Worth" in text
    assert text.index("Al Morning") < text.index("Bo Afternoon")
    assert "Cy Cancelled" not in text and "Di Tomorrow" not in text
    assert f"Quote: {morning.quote.reference}" in text
    assert "Meeting link: https://meet.example.com/cam" in text
    (row,) = db.session.scalars(select(HostAgenda).where(HostAgenda.host_id == host.id))
    assert (row.day, row.calls, row.outbox_message_id) == (day, 2, agenda.id)

    clock.move_to(local(day + timedelta(days=1), 7, 30), tick=False)
    assert reminders.send_agendas() == 1
    (tomorrow,) = mail_after(agenda.id)
    assert tomorrow.subject.endswith(": 1 call") and "Di Tomorrow" in tomorrow.text_body


def test_an_agenda_missed_all_morning_is_not_sent_late(clock, chicago_host):
    market, _ = chicago_host
    day = (utcnow().astimezone(CHICAGO) + timedelta(days=2)).date()
    book_call(market, local(day, 16), "Ed Evening")
    before = last_mail_id()
    clock.move_to(local(day, 11, 1), tick=False)  # the timer was down from before seven
    assert reminders.send_agendas() == 0
    assert mail_after(before) == []


# ---------------------------------------------------------------------------
# Through SMTP: exactly the expected messages


def test_smtp_receives_exactly_the_reminders_and_agendas_due(clock, app, smtp_server):  # noqa: F811
    market = make_market()
    make_host("Cam Reed", zone="America/Chicago")
    day = (utcnow().astimezone(CHICAGO) + timedelta(days=3)).date()
    first, _ = book_call(market, local(day, 10), "Al Morning")
    second, second_token = book_call(market, local(day, 15), "Bo Afternoon", "America/Chicago")
    config = mail_config(app, smtp_server.port)

    def step(moment: datetime) -> list[tuple[str, str]]:
        """Run the timers at a moment; what the SMTP server received, as (to, subject)."""
        clock.move_to(moment, tick=False)
        smtp_server.received.clear()
        cli = app.test_cli_runner()
        assert cli.invoke(args=["send-reminders"]).exit_code == 0
        outbox.deliver_queued(config)
        return sorted((str(m["To"]), str(m["Subject"])) for m in smtp_server.received)

    booked = step(utcnow())
    assert len(booked) == 4  # the two confirmations and the two host notes
    assert step(local(day, 10) - timedelta(hours=24)) == [
        (
            "Al Morning <al@example.com>",
            "Reminder: your call about Dallas–Fort Worth is in 24 hours",
        ),
    ]
    booking.cancel(second_token)
    cancelled = step(local(day, 15) - timedelta(hours=24))  # Bo's day-before: withdrawn
    assert sorted(subject for _, subject in cancelled) == [
        "Your call about Dallas–Fort Worth is cancelled",
        "[Cancelled] Bo Afternoon, Dallas–Fort Worth",
    ]
    assert step(local(day, 7)) == [
        (
            "Cam Reed <cam@mortgageconnect.example>",
            f"Your calls today, {day:%A}, {day:%B} {day.day}, {day.year}: 1 call",
        ),
    ]
    assert step(local(day, 9)) == [
        ("Al Morning <al@example.com>", "Reminder: your call about Dallas–Fort Worth is in 1 hour"),
    ]
    assert step(local(day, 14)) == []  # Bo's hour-before: cancelled
    assert step(local(day, 16)) == []
    (reminder,) = [
        m for m in db.session.scalars(select(OutboxMessage)) if "is in 1 hour" in m.subject
    ]
    assert reminder.status == "sent"


def test_the_agenda_and_reminders_on_the_day_the_clocks_change(time_machine, chicago_host):
    market, _ = chicago_host
    time_machine.move_to(datetime(2027, 3, 12, 12, tzinfo=UTC), tick=False)
    day = datetime(2027, 3, 14).date()  # the US springs forward at 2:00 that morning
    made, _ = book_call(market, local(day, 10), "Al Morning")
    assert made.starts_at == datetime(2027, 3, 14, 15, tzinfo=UTC)  # 10:00 CDT
    assert [due for _, _, due, _ in planned(made.id)] == [
        datetime(2027, 3, 13, 15, tzinfo=UTC),  # 24 hours before: 9:00 CST the day before
        datetime(2027, 3, 14, 14, tzinfo=UTC),
    ]
    before = last_mail_id()
    time_machine.move_to(datetime(2027, 3, 14, 11, 59, tzinfo=UTC), tick=False)  # 6:59 CDT
    assert reminders.send_agendas() == 0
    time_machine.move_to(datetime(2027, 3, 14, 12, tzinfo=UTC), tick=False)  # 7:00 CDT
    assert reminders.send_agendas() == 1
    (agenda,) = mail_after(before)
    assert "10:00 AM CDT  Al Morning" in agenda.text_body
