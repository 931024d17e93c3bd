"""Test data for every folder: markets and seats, waitlists, hosts, calls and booking forms, staff
sign-in, and a counter of SQL statements. Fixtures live in tests/conftest.py."""

from __future__ import annotations

import math
import re
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

from mortgage_connect import booking
from mortgage_connect import capacity
from mortgage_connect.clock import utcnow
from mortgage_connect.database import write_transaction
from mortgage_connect.extensions import db
from mortgage_connect.models import Booking
from mortgage_connect.models import Host
from mortgage_connect.models import WeeklyHours
from mortgage_connect.waitlist import places

# Markets and seats

PRICES = {
    "price_per_lead_cents": 8500,
    "monthly_minimum_leads": 30,
    "setup_fee_cents": 50000,
    "return_window_days": 7,
    "credit_policy": "Wrong numbers and duplicates reported within 7 days are credited in full.",
}


def make_market(
    slug: str = "dallas-fort-worth",
    *,
    cap: int = 5,
    name: str | None = None,
    official_name: str | None = None,
    states: str = "TX",
    aliases: str = "Dallas; Fort Worth; Arlington",
    time_zone: str = "America/Chicago",
    population: int | None = None,
    prices: dict | None = PRICES,
    now=None,
):
    """A market through the service, with a price sheet unless prices=None.

    The default is Dallas–Fort Worth. Any other slug is named after itself but keeps the
    Dallas aliases unless given its own: pass `aliases` wherever a search must tell it apart.
    """
    name = name or slug.replace("-", " ").title()
    if slug == "dallas-fort-worth" and official_name is None:
        name, official_name = "Dallas–Fort Worth", "Dallas-Fort Worth-Arlington, TX"
    return capacity.create_market(
        slug=slug,
        name=name,
        official_name=official_name or f"{name}, {states}",
        states=states,
        time_zone=time_zone,
        seat_cap=cap,
        aliases=aliases,
        population=population,
        prices=prices,
        now=now,
    )


def seat_n(market_id: int, n: int, now=None) -> list:
    """Seat n loan officers."""
    return [
        capacity.seat(market_id, name=f"Officer {i}", email=f"officer{i}@lender.example", now=now)
        for i in range(n)
    ]


# Waitlists


def full_market(slug: str = "dallas-fort-worth", *, cap: int = 2, **kwargs):
    """A market with every seat taken; returns (market, seats)."""
    market = make_market(slug, cap=cap, **kwargs)
    return market, seat_n(market.id, cap)


def join_n(market_id: int, n: int, start: int = 0, now=None) -> list[places.Joined]:
    """n people join the market's waitlist, in order."""
    return [
        places.join(
            market_id,
            name=f"Waiter {i}",
            email=f"waiter{i}@lender.example",
            phone="214-555-0100",
            company="Lone Star Lending",
            now=now,
        )
        for i in range(start, start + n)
    ]


def tampered(token: str) -> str:
    """The token with one character of its signature changed. Not the last one: in base64 its
    low bits are padding, so changing it may leave the signature as it was."""
    i = len(token) - 10
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


# Hosts, free times and calls


def make_host(name="Ana Lee", zone="UTC", start=time(0), end=time(0), weekdays=range(7)):
    """A host working every day (by default around the clock) in `zone`."""
    host = Host(
        name=name,
        email=f"{name.split()[0].lower()}@mortgageconnect.example",
        time_zone=zone,
        meeting_link=f"https://meet.example.com/{name.split()[0].lower()}",
        active=True,
    )
    for weekday in weekdays:
        host.hours.append(WeeklyHours(weekday=weekday, starts=start, ends=end))
    db.session.add(host)
    db.session.commit()
    return host


def free_times(zone="America/Chicago", days_ahead=2) -> list[datetime]:
    """The free slots on a day a little ahead, in `zone`."""
    tz = ZoneInfo(zone)
    day = (utcnow() + timedelta(days=days_ahead)).astimezone(tz).date()
    slots = booking.day_slots(day, tz)
    db.session.rollback()
    return slots


def slot_after(delta: timedelta) -> datetime:
    """The first half hour (UTC) at least `delta` from now: a free time for a host from
    make_host (around the clock in UTC)."""
    moment = utcnow() + delta
    half_hours = math.ceil(moment.timestamp() / 1800)
    return datetime.fromtimestamp(half_hours * 1800, UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def at_noon(days: int) -> datetime:
    """Noon UTC some days from today (hosts from make_host work around the clock)."""
    today = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days)


def book(market, start: datetime, name: str = "Pat Prospect", **extra) -> Booking:
    """A call booked through the service, as if the form was sent the day before."""
    details = booking.Details(
        name=name,
        email=f"{name.split()[0].lower()}@example.com",
        phone="214-555-0187",
        company=extra.pop("company", "Prospect Home Loans"),
        lead_source="shared",
        time_zone="America/Chicago",
        consent=True,
        **extra,
    )
    made, _token, _created = booking.book(
        market.id, start, details, f"form-{name}-{start:%s}", now=start - timedelta(days=1)
    )
    return made


# Forms


def hidden(html: str, name: str) -> str:
    """The value of a hidden input in a page."""
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'type="hidden" name="{name}" value="([^"]*)"', html
    )
    assert match, f"no hidden {name} in page"
    return match.group(1)


def form_data(start: datetime, token: str, **changes) -> dict:
    """A complete, valid booking form."""
    data = {
        "name": "Pat Prospect",
        "email": "pat@example.com",
        "phone": "214-555-0187",
        "company": "Prospect Home Loans",
        "nmls_id": "123456",
        "lead_source": "shared",
        "notes": "Mostly purchase loans.",
        "consent": "y",
        "start": iso(start),
        "tz": "America/Chicago",
        "form_token": token,
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# Staff

PASSWORD = "correct horse battery staple"


def sign_in(client, email: str, password: str, **kwargs):
    """POST the sign-in form."""
    return client.post("/admin/login", data={"email": email, "password": password}, **kwargs)


# Measuring


class QueryCounter:
    """Counts SQL statements sent to an engine while active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        return len(self.statements)


def issue_quote(market_id: int, **kwargs):
    """A written quote on its own, as booking issues one inside its transaction."""
    with write_transaction() as session:
        return capacity.add_quote(session, market_id, **kwargs)
