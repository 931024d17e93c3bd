"""Fairness under races: separate processes, each with its own app and connection, started
together by a barrier, settle the queue without gaps, repeats or double offers."""

from __future__ import annotations

import multiprocessing
import re
from datetime import timedelta

import pytest

from mortgage_connect import capacity
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.models import OutboxMessage
from mortgage_connect.models import Seat
from mortgage_connect.models import WaitlistEntry
from mortgage_connect.waitlist import places
from tests.clock import handover
from tests.factories import full_market
from tests.factories import join_n
from tests.races.racing import run_racers

W = WaitlistEntry


def _racer(database_url, clock_offset, barrier, results, n, action, arg):
    """One racer in its own process: connect, wait for the signal, then act."""
    from sqlalchemy import text

    from mortgage_connect import capacity
    from mortgage_connect.extensions import db
    from mortgage_connect.waitlist import places
    from tests.clock import follow
    from tests.conftest import make_app

    follow(clock_offset)
    app = make_app(database_url)
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))  # connect before the start signal
            db.session.rollback()
            barrier.wait(timeout=120)
            if action == "join":
                joined = places.join(
                    arg,
                    name=f"Racer {n}",
                    email=f"racer{n}@lender.example",
                    phone="214-555-0100",
                    company="Racing Lending",
                )
                db.session.rollback()
                outcome = places.place(db.session.get(WaitlistEntry, joined.entry.id))
            elif action == "release":
                capacity.release_seat(arg)
                outcome = "released"
            elif action == "advance":
                capacity.advance_queue(arg)
                outcome = "advanced"
            elif action == "cli":
                result = app.test_cli_runner().invoke(args=["advance-waitlist"])
                outcome = result.output.strip() if result.exit_code == 0 else repr(result)
            else:
                outcome = f"error: unknown action {action}"
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"error: {error!r}"
        finally:
            db.session.remove()
            db.engine.dispose()
    results.put((n, outcome))


def race(database_url, jobs: list[tuple[str, object]]) -> dict:
    """Run each (action, argument) in its own process, all released at once; their outcomes."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mortgage_connect", "tests.conftest"])
    clock_offset = handover()
    barrier = context.Barrier(len(jobs))
    results = context.Queue()
    racers = [
        context.Process(
            target=_racer, args=(database_url, clock_offset, barrier, results, n, action, arg)
        )
        for n, (action, arg) in enumerate(jobs)
    ]
    outcomes = run_racers(racers, results)
    errors = [o for o in outcomes.values() if isinstance(o, str) and o.startswith("error")]
    assert not errors, errors
    db.session.rollback()  # end this process's read snapshot before looking
    return outcomes


def held_for(market_id) -> list[str]:
    """Emails of the market's unreleased holds."""
    return sorted(
        s.email
        for s in db.session.query(Seat).filter_by(market_id=market_id, kind="held")
        if s.released_at is None
    )


@pytest.mark.slow
def test_twenty_processes_join_a_full_market_in_places_one_to_twenty(app, database_url):
    market, _ = full_market(cap=2)
    outcomes = race(database_url, [("join", market.id)] * 20)
    assert sorted(outcomes.values()) == list(range(1, 21)), outcomes
    entries = db.session.query(W).filter_by(market_id=market.id).order_by(W.id).all()
    assert len(entries) == 20
    # The place each racer saw is its order of joining, which is the order of the ids.
    by_email = {e.email: i + 1 for i, e in enumerate(entries)}
    assert {n: by_email[f"racer{n}@lender.example"] for n in outcomes} == outcomes
    assert [places.place(e) for e in entries] == list(range(1, 21))


@pytest.mark.slow
def test_two_seats_freed_at_once_are_offered_to_the_first_two_exactly_once(app, database_url):
    market, seats = full_market(cap=2)
    joined = join_n(market.id, 3)
    # Both seats are released at the same moment while two more processes settle the queue.
    jobs = [("release", seats[0].id), ("release", seats[1].id)] + [("advance", market.id)] * 2
    race(database_url, jobs)
    assert [db.session.get(W, j.entry.id).status for j in joined] == [
        W.OFFERED,
        W.OFFERED,
        W.WAITING,
    ]
    assert held_for(market.id) == ["waiter0@lender.example", "waiter1@lender.example"]
    assert places.place(db.session.get(W, joined[2].entry.id)) == 1
    a = capacity.get_availability(market.slug)
    assert (a.seated, a.held, a.waiting, a.open) == (0, 2, 1, 0)


@pytest.mark.slow
@pytest.mark.clock  # offers run out by the clock, in racers handed the test's
def test_advance_waitlist_run_twice_at_once_makes_no_double_offers(app, database_url):
    market, seats = full_market(cap=1)
    other, other_seats = full_market("houston", cap=1, aliases="Houston")
    joined = join_n(market.id, 3)
    other_joined = join_n(other.id, 2)
    past = utcnow() - timedelta(hours=49)  # offers made 49 hours ago are overdue now
    capacity.release_seat(seats[0].id, now=past)
    capacity.release_seat(other_seats[0].id, now=past)
    outcomes = race(database_url, [("cli", None)] * 3)
    # The runs may share the work between them (one market each), but between them they
    # expire each overdue offer once and make each new offer once.
    counts = [
        re.fullmatch(r"(\d+) offers expired, (\d+) offers made\.", o) for o in outcomes.values()
    ]
    assert all(counts), outcomes
    assert sum(int(m.group(1)) for m in counts) == 2, outcomes
    assert sum(int(m.group(2)) for m in counts) == 2, outcomes
    assert [db.session.get(W, j.entry.id).status for j in joined] == [
        W.EXPIRED,
        W.OFFERED,
        W.WAITING,
    ]
    assert [db.session.get(W, j.entry.id).status for j in other_joined] == [W.EXPIRED, W.OFFERED]
    assert held_for(market.id) == ["waiter1@lender.example"]
    assert held_for(other.id) == ["waiter1@lender.example"]
    # One email per offer and per expiry: two first offers, then one expiry and one new
    # offer in each market, whatever the number of runs.
    subjects = [m.subject for m in db.session.query(OutboxMessage)]
    assert sum("yours to take" in s for s in subjects) == 4
    assert sum("has expired" in s for s in subjects) == 2
