"""`seed-demo --scale`: top the demo data up to thousands of markets, a hundred hosts and tens
of thousands of past and future bookings, to show that a page's cost does not grow with data."""

from __future__ import annotations

import hashlib
import uuid
from datetime import time
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from .. import capacity
from .. import secret_links
from ..clock import utcnow
from ..database import write_transaction
from ..models import Booking
from ..models import CANCELLED
from ..models import COMPLETED
from ..models import CONFIRMED
from ..models import Host
from ..models import Market
from ..models import NO_SHOW
from ..models import WeeklyHours
from .seed import _add_prices
from .seed import _person
from .seed import load_metros
from .seed import terms_for

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
SPAN_MINUTES = 180 * 24 * 60  # one host's calls spread over about half a year
CHUNK = 5000


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _add_markets(session, wanted: int, now) -> int:
    """Copies of the real metros, numbered, until there are `wanted` markets."""
    have = _count(session, Market)
    metros = load_metros()
    added = []
    for n in range(have, wanted):
        metro = metros[n % len(metros)]
        terms = terms_for(metro.population)
        market = capacity.build_market(
            slug=f"{metro.slug}-{n}",
            name=f"{metro.name} {n}",
            official_name=f"{metro.official_name} (scale copy {n})",
            states=metro.states,
            time_zone=metro.time_zone,
            seat_cap=terms.pop("seat_cap"),
            aliases=metro.principal_cities,
            population=metro.population,
            now=now - timedelta(days=400),
        )
        added.append((market, metro.rank, terms))
        session.add(market)
    session.flush()  # the ids, for the price sheets
    for market, rank, terms in added:
        _add_prices(session, market, rank, terms, now)
    return len(added)


def _add_hosts(session, wanted: int, now) -> int:
    """Hosts working weekdays 9 to 5 in the four mainland zones, until there are `wanted`."""
    have = _count(session, Host)
    for n in range(have, wanted):
        host = Host(
            name=f"Scale Host {n}",
            email=f"scale-host-{n}@mortgageconnect.example",
            time_zone=ZONES[n % len(ZONES)],
            meeting_link=f"https://meet.mortgageconnect.example/scale-host-{n}",
            active=True,
            created_at=now,
        )
        host.hours.extend(
            WeeklyHours(weekday=day, starts=time(9), ends=time(17)) for day in range(5)
        )
        session.add(host)
    return max(0, wanted - have)


def _status(start, now, n: int) -> str:
    if n % 17 == 0:
        return CANCELLED
    if start >= now:
        return CONFIRMED
    return NO_SHOW if n % 23 == 0 else COMPLETED


def _add_bookings(session, wanted: int, now) -> int:
    """Bookings spread over every host, each host's on its own distinct times, most in the
    past and the rest within the booking horizon."""
    have = _count(session, Booking)
    missing = max(0, wanted - have)
    hosts = session.scalars(select(Host.id).order_by(Host.id)).all()
    markets = session.scalars(select(Market.id).order_by(Market.id)).all()
    per_host = -(-missing // len(hosts)) if missing else 0
    # Each host's calls spread over ~half a year, on whole half-hours, the last ~20 days ahead.
    step = timedelta(minutes=max(30, SPAN_MINUTES // max(1, per_host) // 30 * 30))
    anchor = now.replace(minute=0, second=0, microsecond=0) - step * per_host + timedelta(days=20)
    taken = {tuple(row) for row in session.execute(select(Booking.host_id, Booking.starts_at))}
    rows = []
    for n in range(missing):
        host_index, k = n % len(hosts), n // len(hosts)
        # Hosts are shifted by whole half-hours; a time a host already has is skipped.
        start = anchor + step * k + timedelta(minutes=30 * (host_index % 16))
        while (hosts[host_index], start) in taken:
            start += timedelta(minutes=30)
        taken.add((hosts[host_index], start))
        token = uuid.uuid4().hex
        person = _person(have + n)
        rows.append(
            {
                "market_id": markets[(have + n) % len(markets)],
                "host_id": hosts[host_index],
                "starts_at": start,
                "ends_at": start + timedelta(minutes=20),
                "status": _status(start, now, n),
                "name": person["name"],
                "email": person["email"],
                "phone": "214-555-0187",
                "company": person["company"],
                "nmls_id": person["nmls_id"],
                "lead_source": ("shared", "exclusive", "none")[n % 3],
                "notes": "",
                "consent": True,
                "visitor_time_zone": ZONES[n % len(ZONES)],
                "form_token_hash": hashlib.sha256(token.encode()).hexdigest(),
                "link_id": secret_links.new_link_id(),
                "ics_uid": f"{token}@mortgageconnect.example",
                "sequence": 0,
                "created_at": min(start, now) - timedelta(days=3),
                "updated_at": min(start, now) - timedelta(days=3),
            }
        )
        if len(rows) == CHUNK:
            session.execute(insert(Booking), rows)
            rows = []
    if rows:
        session.execute(insert(Booking), rows)
    return missing


def seed_scale(markets: int = 3000, hosts: int = 100, bookings: int = 50_000) -> dict:
    """Top the data up to these totals (run after the demo seed); what was added."""
    now = utcnow()
    with write_transaction() as session:
        added = {
            "markets": _add_markets(session, markets, now),
            "hosts": _add_hosts(session, hosts, now),
        }
        session.flush()
        added["bookings"] = _add_bookings(session, bookings, now)
    return added
