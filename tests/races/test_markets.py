"""A seat is never given beyond the cap, however many processes race for it."""

from __future__ import annotations

import multiprocessing

import pytest

from mortgage_connect import capacity
from mortgage_connect.extensions import db
from mortgage_connect.models import Seat
from tests.factories import make_market
from tests.races.racing import run_racers

RACERS = 20
CAP = 5


def _race_for_a_seat(database_url, market_id, barrier, results, n):
    """One racer in its own process: its own app and connection, then seat at the signal."""
    from sqlalchemy import text

    from mortgage_connect import capacity
    from mortgage_connect.extensions import db
    from tests.conftest import make_app

    app = make_app(database_url)
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))  # connect before the start signal
            db.session.rollback()
            barrier.wait(timeout=120)
            capacity.seat(market_id, name=f"Racer {n}", email=f"racer{n}@lender.example")
            outcome = "seated"
        except capacity.MarketFull:
            outcome = "full"
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"error: {error!r}"
        finally:
            db.session.remove()
            db.engine.dispose()
    results.put((n, outcome))


@pytest.mark.slow
def test_twenty_processes_race_for_five_seats(app, database_url):
    market = make_market(cap=CAP)
    # A fork server: every racer starts fresh (no connection inherited from this process),
    # and forking it is quicker than starting twenty interpreters.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mortgage_connect", "tests.conftest"])
    barrier = context.Barrier(RACERS)
    results = context.Queue()
    racers = [
        context.Process(
            target=_race_for_a_seat, args=(database_url, market.id, barrier, results, n)
        )
        for n in range(RACERS)
    ]
    outcomes = run_racers(racers, results)

    assert sorted(set(outcomes.values())) == ["full", "seated"], outcomes
    assert list(outcomes.values()).count("seated") == CAP
    assert list(outcomes.values()).count("full") == RACERS - CAP
    db.session.rollback()  # end this process's read snapshot (SQLite WAL) before looking
    availability = capacity.get_availability(market.slug)
    assert (availability.seated, availability.open) == (CAP, 0)
    assert db.session.query(Seat).filter_by(market_id=market.id).count() == CAP
