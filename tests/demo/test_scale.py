"""`seed-demo --scale`: the large data set tops up to its totals and the site still serves it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from mortgage_connect.clock import utcnow
from mortgage_connect.demo import seed
from mortgage_connect.demo.scale import seed_scale
from mortgage_connect.extensions import db
from mortgage_connect.models import Booking
from mortgage_connect.models import Host
from mortgage_connect.models import Market


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_scale_seed_tops_up_to_the_totals_once(app):
    seed.seed_if_empty()
    added = seed_scale(markets=70, hosts=7, bookings=420)
    assert added == {"markets": 20, "hosts": 4, "bookings": 420}
    assert (_count(Market), _count(Host), _count(Booking)) == (70, 7, 420)
    assert seed_scale(markets=70, hosts=7, bookings=420) == {
        "markets": 0,
        "hosts": 0,
        "bookings": 0,
    }
    now = utcnow()
    starts = db.session.scalars(select(Booking.starts_at)).all()
    assert min(starts) < now - timedelta(days=30)  # past calls ...
    assert now < max(starts) <= now + timedelta(days=21)  # ... and future ones in the horizon
    per_host = db.session.execute(select(Booking.host_id, func.count()).group_by(Booking.host_id))
    assert sorted(n for _, n in per_host) == [60] * 7


def test_a_second_top_up_keeps_clear_of_existing_calls(app):
    seed.seed_if_empty()
    seed_scale(markets=50, hosts=3, bookings=3)
    # Topping up by the same number again would pick the very same host and time for each.
    assert seed_scale(markets=50, hosts=3, bookings=6)["bookings"] == 3
    rows = db.session.execute(select(Booking.host_id, Booking.starts_at)).all()
    assert len(rows) == len(set(rows)) == 6


def test_the_site_serves_the_scale_data(app, client):
    seed.seed_if_empty()
    seed_scale(markets=60, hosts=5, bookings=300)
    copy = db.session.scalars(select(Market.slug).order_by(Market.id.desc()).limit(1)).one()
    assert copy.endswith("-59")
    for path in ("/", "/markets/", f"/markets/{copy}", f"/markets/{copy}/seats", "/book/atlanta"):
        assert client.get(path).status_code == 200, path
    assert copy in client.get("/markets/").text


def test_the_command_reports_what_it_added(app):
    runner = app.test_cli_runner()
    args = ["seed-demo", "--scale", "--markets", "55", "--hosts", "4", "--bookings", "40"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Demo data loaded." in result.output
    assert "added 5 markets, 1 hosts and 40 bookings" in result.output
    assert _count(Booking) == 40
