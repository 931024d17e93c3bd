"""Helpers for tests that need markets, seats and prices."""

from __future__ import annotations

from mortgage_connect import capacity

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
    """A market through the service, with a price sheet unless prices=None."""
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
