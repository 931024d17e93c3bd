"""Test data for booking: a market with a price sheet, hosts with hours, free slots."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

from mortgage_connect import booking
from mortgage_connect import capacity
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.models import Host
from mortgage_connect.models import WeeklyHours

PRICES = {
    "price_per_lead_cents": 8500,
    "monthly_minimum_leads": 30,
    "setup_fee_cents": 50000,
    "return_window_days": 7,
    "credit_policy": "Disconnected numbers and duplicates are credited in full.",
}


def make_market(slug="dallas-fort-worth", name="Dallas–Fort Worth", cap=5, zone="America/Chicago"):
    """A market with seats open and a price sheet."""
    return capacity.create_market(
        slug=slug,
        name=name,
        official_name=f"{name}, TX Metro Area",
        states="TX",
        time_zone=zone,
        seat_cap=cap,
        aliases=name.replace("–", ";").split(";"),
        population=8_000_000,
        prices=dict(PRICES),
    )


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


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
