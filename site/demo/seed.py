"""Demo data for `make run`: what a visitor sees on a fresh machine."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from datetime import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import capacity
from ..clock import utcnow
from ..database import write_transaction
from ..models import BlackoutDay
from ..models import HELD
from ..models import Host
from ..models import Market
from ..models import PriceSheet
from ..models import Seat
from ..models import SEATED
from ..models import TimeOff
from ..models import WeeklyHours

METROS_CSV = Path(__file__).resolve().parent / "data" / "metros.csv"

CREDIT_POLICY = (
    "A lead is credited in full when its phone number is disconnected or wrong, when it "
    "duplicates a lead delivered to you in the previous 30 days, when the borrower lives "
    "outside the market, or when the borrower was not looking for a mortgage. Report it with "
    "its lead ID within the return window; approved credits come off your next invoice."
)

# Demo markets that show as full, and as "few left"; the rest have seats open.
FULL_RANKS = {2, 11, 20, 28, 36, 44}
FEW_LEFT_RANKS = {1, 7, 15, 25, 33, 41, 47}

FIRST_NAMES = [
    "Maria", "James", "Aisha", "Daniel", "Priya", "Robert", "Elena", "Marcus", "Grace",
    "Luis", "Hannah", "Kevin", "Sofia", "Andre", "Megan", "Victor", "Rachel", "Tomas",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Bennett", "Chen", "Dawson", "Eriksen", "Fischer", "Gupta", "Holloway",
    "Ibarra", "Jensen", "Kowalski", "Lindqvist", "Moreno", "Nakamura", "Okafor", "Patel",
    "Quinn", "Russo", "Sullivan", "Thompson",
]  # fmt: skip
COMPANY_SUFFIXES = ["Home Lending", "Mortgage Group", "Home Loans", "Lending Partners"]


@dataclass(frozen=True)
class Metro:
    """One row of demo/data/metros.csv."""

    rank: int
    official_name: str
    name: str
    slug: str
    states: str
    principal_cities: list[str]
    time_zone: str
    population: int


def load_metros(path: Path = METROS_CSV) -> list[Metro]:
    """The metro areas in the data file, largest first."""
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return [
        Metro(
            rank=int(row["rank"]),
            official_name=row["official_name"],
            name=row["name"],
            slug=row["slug"],
            states=row["states"],
            principal_cities=[c.strip() for c in row["principal_cities"].split(";") if c.strip()],
            time_zone=row["time_zone"],
            population=int(row["population"]),
        )
        for row in csv.DictReader(lines)
    ]


def terms_for(population: int) -> dict:
    """Seat cap and prices that grow with the market: more loan officers, dearer leads."""
    tiers = [
        # population,  cap, price/lead, monthly minimum, setup fee (dollars)
        (10_000_000, 12, 95, 40, 1000),
        (5_000_000, 10, 85, 35, 750),
        (3_000_000, 8, 75, 30, 600),
        (2_000_000, 6, 65, 25, 500),
        (0, 5, 55, 20, 350),
    ]
    for floor, cap, price, minimum, setup in tiers:
        if population >= floor:
            return {
                "seat_cap": cap,
                "price_per_lead_cents": price * 100,
                "monthly_minimum_leads": minimum,
                "setup_fee_cents": setup * 100,
                "return_window_days": 7,
                "credit_policy": CREDIT_POLICY,
            }
    raise ValueError(population)


def seated_count(rank: int, cap: int) -> int:
    """How many demo loan officers sit in a market, so the demo shows every status."""
    if rank in FULL_RANKS:
        return cap
    if rank in FEW_LEFT_RANKS:
        return cap - 1 - rank % 2  # 1 or 2 seats left
    return min(cap - 3, (rank * 7) % (cap - 2))  # at least 3 open


def _person(n: int) -> dict:
    first = FIRST_NAMES[n % len(FIRST_NAMES)]
    last = LAST_NAMES[(n * 7) % len(LAST_NAMES)]
    company = f"{LAST_NAMES[(n * 3 + 5) % len(LAST_NAMES)]} {COMPANY_SUFFIXES[n % 4]}"
    domain = company.lower().replace(" ", "") + ".example"
    return {
        "name": f"{first} {last}",
        "email": f"{first.lower()}.{last.lower()}@{domain}",
        "company": company,
        "nmls_id": str(100000 + (n * 7919) % 2_000_000),
    }


def seed_if_empty() -> bool:
    """Load the demo data unless the database already holds any; True when loaded."""
    now = utcnow()
    metros = load_metros()
    try:
        with write_transaction() as session:
            if session.execute(select(Market.id).limit(1)).first():
                return False
            person = 0
            for metro in metros:
                terms = terms_for(metro.population)
                market = capacity.build_market(
                    slug=metro.slug,
                    name=metro.name,
                    official_name=metro.official_name,
                    states=metro.states,
                    time_zone=metro.time_zone,
                    seat_cap=terms.pop("seat_cap"),
                    aliases=metro.principal_cities,
                    population=metro.population,
                    now=now - timedelta(days=400),
                )
                session.add(market)
                session.flush()
                _add_prices(session, market, metro.rank, terms, now)
                seated = seated_count(metro.rank, market.seat_cap)
                # One full market has a seat held for someone instead of a seated officer.
                holds = 1 if metro.rank == 11 else 0
                for i in range(seated):
                    person += 1
                    kind = HELD if i < holds else SEATED
                    session.add(
                        Seat(
                            market_id=market.id,
                            kind=kind,
                            created_at=now - timedelta(days=30 + i * 11),
                            expires_at=now + timedelta(hours=40) if kind == HELD else None,
                            **_person(person),
                        )
                    )
            _add_hosts(session, now)
    except IntegrityError:  # another process seeded at the same moment
        return False
    return True


def _add_prices(session, market: Market, rank: int, terms: dict, now) -> None:
    """A price sheet per market; every fifth market also has an older, cheaper sheet."""
    if rank % 5 == 0:
        older = dict(terms, price_per_lead_cents=terms["price_per_lead_cents"] - 500)
        session.add(
            PriceSheet(
                market_id=market.id,
                effective_at=now - timedelta(days=200),
                created_at=now - timedelta(days=200),
                **older,
            )
        )
        effective = now - timedelta(days=45)
    else:
        effective = now - timedelta(days=200)
    session.add(
        PriceSheet(market_id=market.id, effective_at=effective, created_at=effective, **terms)
    )


# -- booking: hosts who take calls, their hours, time off and company holidays ---------------

DEMO_HOSTS = [
    # name, time zone, weekly hours (weekdays, ranges in the host's local time)
    ("Dana Whitfield", "America/New_York", range(0, 5), [("09:00", "12:00"), ("13:00", "17:00")]),
    ("Miguel Ortega", "America/Chicago", range(0, 5), [("08:30", "11:30"), ("12:30", "16:30")]),
    ("Priya Raman", "America/Los_Angeles", range(1, 6), [("09:00", "13:00"), ("14:00", "18:00")]),
]

# Company holidays (US federal, as observed) on which nobody takes calls.
HOLIDAYS = [
    ("2026-11-26", "Thanksgiving Day"),
    ("2026-12-25", "Christmas Day"),
    ("2027-01-01", "New Year's Day"),
    ("2027-01-18", "Martin Luther King Jr. Day"),
    ("2027-02-15", "Presidents' Day"),
    ("2027-05-31", "Memorial Day"),
    ("2027-06-18", "Juneteenth (observed)"),
    ("2027-07-05", "Independence Day (observed)"),
    ("2027-09-06", "Labor Day"),
    ("2027-11-25", "Thanksgiving Day"),
    ("2027-12-24", "Christmas Day (observed)"),
]


def _add_hosts(session, now) -> None:
    """Three hosts in different US time zones, with hours, a little time off and holidays."""
    for name, zone, weekdays, ranges in DEMO_HOSTS:
        slug = name.lower().replace(" ", "-")
        host = Host(
            name=name,
            email=f"{slug.split('-')[0]}@mortgageconnect.example",
            time_zone=zone,
            meeting_link=f"https://meet.mortgageconnect.example/{slug}",
            active=True,
            created_at=now,
        )
        session.add(host)
        for weekday in weekdays:
            for starts, ends in ranges:
                host.hours.append(
                    WeeklyHours(
                        weekday=weekday,
                        starts=time.fromisoformat(starts),
                        ends=time.fromisoformat(ends),
                    )
                )
        if name.startswith("Miguel"):
            # A couple of days off next week, so the calendar shows what time off does.
            begins = (now + timedelta(days=8)).replace(hour=0, minute=0, second=0, microsecond=0)
            host.time_off.append(
                TimeOff(starts_at=begins, ends_at=begins + timedelta(days=2), reason="Conference")
            )
    for day, reason in HOLIDAYS:
        session.add(BlackoutDay(day=date.fromisoformat(day), reason=reason))
