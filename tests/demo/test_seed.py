"""Demo data: the 50 largest metro areas, loaded once, showing every market status."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import available_timezones
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlalchemy import select

from mortgage_connect import capacity
from mortgage_connect.capacity import Status
from mortgage_connect.clock import utcnow
from mortgage_connect.demo import seed
from mortgage_connect.extensions import db
from mortgage_connect.geo import split_states
from mortgage_connect.geo import US_STATES
from mortgage_connect.markets import search
from mortgage_connect.models import Market
from mortgage_connect.models import Seat

pytestmark = pytest.mark.clock


def test_metro_file_is_complete_and_consistent():
    metros = seed.load_metros()
    assert [m.rank for m in metros] == list(range(1, 51))
    populations = [m.population for m in metros]
    assert populations == sorted(populations, reverse=True)
    assert len({m.slug for m in metros}) == 50
    zones = available_timezones()
    for m in metros:
        assert capacity.valid_slug(m.slug), m.slug
        assert m.time_zone in zones, m
        assert all(code in US_STATES for code in split_states(m.states)), m
        # The official title ends with the same states.
        assert m.official_name.endswith(", " + m.states), m
        assert m.principal_cities, m


def test_metro_file_has_the_right_names_and_zones():
    by_slug = {m.slug: m for m in seed.load_metros()}
    assert by_slug["dallas-fort-worth"].official_name == "Dallas-Fort Worth-Arlington, TX"
    assert by_slug["dallas-fort-worth"].name == "Dallas–Fort Worth"
    assert "Fort Worth" in by_slug["dallas-fort-worth"].principal_cities
    assert by_slug["new-york"].rank == 1
    expected_zones = {
        "phoenix": "America/Phoenix",
        "indianapolis": "America/Indiana/Indianapolis",
        "detroit": "America/Detroit",
        "grand-rapids": "America/Detroit",
        "louisville": "America/Kentucky/Louisville",
        "denver": "America/Denver",
        "salt-lake-city": "America/Denver",
        "chicago": "America/Chicago",
        "seattle": "America/Los_Angeles",
        "atlanta": "America/New_York",
    }
    for slug, zone in expected_zones.items():
        assert by_slug[slug].time_zone == zone, slug


def test_terms_grow_with_market_size():
    sizes = [500_000, 2_500_000, 4_000_000, 7_000_000, 19_000_000]
    terms = [seed.terms_for(p) for p in sizes]
    caps = [t["seat_cap"] for t in terms]
    prices = [t["price_per_lead_cents"] for t in terms]
    assert caps == sorted(caps) and caps[0] < caps[-1]
    assert prices == sorted(prices) and prices[0] < prices[-1]
    assert all(t["price_per_lead_cents"] % 100 == 0 for t in terms)


def test_seed_loads_fifty_markets_once(app):
    assert seed.seed_if_empty() is True
    assert db.session.scalar(select(func.count(Market.id))) == 50
    seats = db.session.scalar(select(func.count(Seat.id)))
    assert seats > 50
    assert seed.seed_if_empty() is False  # idempotent: nothing loaded the second time
    assert db.session.scalar(select(func.count(Market.id))) == 50
    assert db.session.scalar(select(func.count(Seat.id))) == seats


def test_seeded_markets_show_every_status_and_never_exceed_the_cap(app):
    seed.seed_if_empty()
    availabilities = capacity.all_availability()
    statuses = {a.status for a in availabilities}
    assert statuses == {Status.OPEN, Status.FEW_LEFT, Status.FULL}
    assert all(a.in_use <= a.cap for a in availabilities)
    assert any(a.held for a in availabilities)
    for a in availabilities:
        sheet = capacity.current_sheet(a.market.id)
        assert sheet is not None and sheet.price_per_lead_cents > 0
    # Some markets carry a price history.
    assert len(capacity.price_history(capacity.get_availability("hartford").market.id)) == 2
    found = search.search_markets("Fort Worth")
    assert [a.market.slug for a in found.results] == ["dallas-fort-worth"]


def test_seed_demo_command(app):
    runner = app.test_cli_runner()
    assert "Demo data loaded." in runner.invoke(args=["seed-demo"]).output
    assert "nothing loaded" in runner.invoke(args=["seed-demo"]).output


def test_seed_adds_three_hosts_in_different_us_zones_with_free_times(app):
    from mortgage_connect import booking
    from mortgage_connect.models import BlackoutDay
    from mortgage_connect.models import Host

    seed.seed_if_empty()
    hosts = db.session.scalars(select(Host).order_by(Host.id)).all()
    assert len(hosts) == 3
    assert len({h.time_zone for h in hosts}) == 3
    assert all(h.time_zone.startswith("America/") and h.hours and h.active for h in hosts)
    assert all(h.meeting_link.startswith("https://") for h in hosts)
    assert any(h.time_off for h in hosts)
    assert db.session.scalar(select(func.count(BlackoutDay.id))) >= 10
    tz = ZoneInfo("America/Chicago")
    now = utcnow()
    days = [(now + timedelta(days=d)).astimezone(tz).date() for d in range(1, 8)]
    assert any(booking.day_slots(day, tz) for day in days)  # a week always has working days
    assert seed.seed_if_empty() is False
    assert db.session.scalar(select(func.count(Host.id))) == 3
