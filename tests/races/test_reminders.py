"""Reminders and agendas exactly once: `flask send-reminders` run by several hosts at the same
moment (separate processes, each with its own app and connection, released together) queues
each reminder and each host's agenda once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import re
import uuid
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlalchemy import select

from mortgage_connect import booking
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.models import CallReminder
from mortgage_connect.models import HostAgenda
from mortgage_connect.models import OutboxMessage
from tests.clock import handover
from tests.factories import make_host
from tests.factories import make_market
from tests.races.racing import run_racers

pytestmark = [pytest.mark.slow, pytest.mark.clock]
RACERS = 4
CALLS = 6


def _racer(database_url, clock_offset, barrier, results, n):
    """One host's timer in its own process: connect, wait for the others, run the command."""
    from sqlalchemy import text

    from mortgage_connect.extensions import db
    from tests.clock import follow
    from tests.conftest import make_app

    follow(clock_offset)
    app = make_app(database_url)
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))  # connect before the start signal
            db.session.rollback()
            barrier.wait(timeout=120)
            result = app.test_cli_runner().invoke(args=["send-reminders"])
            outcome = result.output.strip() if result.exit_code == 0 else f"error: {result!r}"
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"error: {error!r}"
        finally:
            db.session.remove()
            db.engine.dispose()
    results.put((n, outcome))


def race(database_url, racers: int) -> dict:
    """Run the command in `racers` processes at once; what each printed."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mortgage_connect", "tests.conftest"])
    clock_offset = handover()
    barrier = context.Barrier(racers)
    results = context.Queue()
    processes = [
        context.Process(target=_racer, args=(database_url, clock_offset, barrier, results, n))
        for n in range(racers)
    ]
    outcomes = run_racers(processes, results)
    errors = [o for o in outcomes.values() if o.startswith("error")]
    assert not errors, errors
    db.session.rollback()
    return outcomes


def zone_at_eight(moment) -> str:
    """A fixed-offset zone whose clock shows 8 o'clock at this moment (on the hour)."""
    hours = (8 - moment.hour) % 24
    hours = hours - 24 if hours > 12 else hours
    return f"Etc/GMT{-hours:+d}" if hours else "Etc/GMT"  # Etc/GMT-3 is three hours ahead


def test_hosts_running_send_reminders_at_once_queue_each_email_once(
    app, database_url, time_machine
):
    now = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    time_machine.move_to(now, tick=False)
    run_at = now + timedelta(days=3)
    zone = zone_at_eight(run_at)
    assert run_at.astimezone(ZoneInfo(zone)).time() == time(8)
    market = make_market()
    hosts = [make_host("Ana Lee", zone=zone), make_host("Bo Chan", zone=zone)]
    for i in range(CALLS):  # later the same local day, shared between the hosts
        details = booking.Details(
            name=f"Racer {i}", email=f"racer{i}@example.com", phone="214-555-0187",
            company="Racing Lending", lead_source="shared", time_zone="America/Chicago",
            consent=True,
        )  # fmt: skip
        start = run_at + timedelta(hours=2, minutes=30 * i)
        booking.book(market.id, start, details, uuid.uuid4().hex)
    db.session.rollback()
    before = db.session.scalar(select(func.max(OutboxMessage.id)))

    # Every call's day-before reminder is due and none of the hour-before ones; both hosts'
    # agendas are due (8 o'clock in their zone).
    time_machine.move_to(run_at, tick=True)
    outcomes = race(database_url, RACERS)

    printed = [
        re.fullmatch(r"Reminders queued: (\d+), skipped: (\d+); agendas queued: (\d+)\.", o)
        for o in outcomes.values()
    ]
    assert all(printed), outcomes
    assert sum(int(m.group(1)) for m in printed) == CALLS, outcomes
    assert sum(int(m.group(2)) for m in printed) == 0, outcomes
    assert sum(int(m.group(3)) for m in printed) == len(hosts), outcomes

    queued = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id)
    ).all()
    reminded = sorted(m.recipient for m in queued if m.subject.startswith("Reminder:"))
    assert reminded == sorted(f"racer{i}@example.com" for i in range(CALLS))
    agendas = sorted(m.recipient for m in queued if m.subject.startswith("Your calls today"))
    assert agendas == ["ana@mortgageconnect.example", "bo@mortgageconnect.example"]
    assert len(queued) == CALLS + len(hosts)

    rows = db.session.scalars(select(CallReminder).where(CallReminder.minutes_before == 1440))
    sent = [(r.status, r.outbox_message_id) for r in rows]
    assert sorted(status for status, _ in sent) == ["sent"] * CALLS
    assert len({message_id for _, message_id in sent}) == CALLS
    agenda_rows = db.session.scalars(select(HostAgenda)).all()
    assert sorted((a.host_id, a.calls) for a in agenda_rows) == [
        (hosts[0].id, CALLS // 2),
        (hosts[1].id, CALLS // 2),
    ]

    # Run again by every host a moment later: nothing more.
    time_machine.move_to(run_at + timedelta(minutes=1), tick=True)
    again = race(database_url, RACERS)
    assert set(again.values()) == {"Reminders queued: 0, skipped: 0; agendas queued: 0."}
