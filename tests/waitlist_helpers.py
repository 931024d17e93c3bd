"""Helpers for waitlist tests: full markets and people joining them."""

from __future__ import annotations

from mortgage_connect.waitlist import places
from tests.market_helpers import make_market
from tests.market_helpers import seat_n


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
