"""Finding markets: search by metro, state or principal city, and "is my market open?".

Everything here works on the one-query result of capacity.all_availability(), so a page
costs the same number of queries for 5 markets or 2,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from .capacity import all_availability
from .capacity import Availability
from .capacity import CapacityError
from .geo import fold
from .geo import fold_words
from .geo import US_STATES
from .models import Market


class UnknownState(CapacityError, ValueError):
    """A state filter that is not a US state code."""


@dataclass(frozen=True)
class MarketSearch:
    """The markets matching a search and state filter, and the states to filter by."""

    query: str
    state: str | None
    results: list[Availability]
    states: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0

    @property
    def state_name(self) -> str | None:
        """The full name of the state filtered by."""
        return US_STATES.get(self.state) if self.state else None


@dataclass(frozen=True)
class MarketCheck:
    """The best answer to "is my market open?" and a few other matches."""

    query: str
    best: Availability | None
    others: list[Availability] = field(default_factory=list)


def _matches(search_key: str, words: list[str]) -> bool:
    # Every word typed must start a word the market answers to: "fort wor" finds Fort Worth.
    return all(f" {w}" in search_key for w in words)


def normalize_state(state: str | None) -> str | None:
    """A state code from a filter value ("tx", " TX "); None for no filter."""
    code = (state or "").strip().upper()
    if not code:
        return None
    if code not in US_STATES:
        raise UnknownState(f"“{state[:20]}” is not a US state code. Choose a state from the list.")
    return code


def search_markets(query: str = "", state: str | None = None, now=None) -> MarketSearch:
    """Markets whose names, states or principal cities match, filtered by state.

    One query loads every market with its counts; the filtering happens on that result,
    so the page costs the same number of queries for 5 markets or 2,000.
    """
    code = normalize_state(state)
    everything = all_availability(now)
    words = fold_words(query)
    results = [
        a
        for a in everything
        if _matches(a.market.search_key, words) and (code is None or code in a.market.state_codes)
    ]
    codes = {c for a in everything for c in a.market.state_codes}
    states = sorted(((c, US_STATES.get(c, c)) for c in codes), key=lambda pair: pair[1])
    return MarketSearch(query, code, results, states, len(everything))


def _relevance(market: Market, phrase: str, words: list[str]) -> int:
    names = [fold(market.name), fold(market.official_name.rsplit(",", 1)[0])]
    places = names + [fold(a) for a in market.alias_list]
    if phrase in places:
        return 3
    if any(p.startswith(phrase) for p in places):
        return 2
    if _matches(" " + " ".join(names) + " ", words):
        return 1
    return 0


def check_market(query: str, now=None, others: int = 3) -> MarketCheck:
    """The market a visitor most likely means by what they typed, and a few other matches."""
    words = fold_words(query)
    if not words:
        return MarketCheck(query, None, [])
    phrase = " ".join(words)
    found = [a for a in all_availability(now) if _matches(a.market.search_key, words)]
    found.sort(
        key=lambda a: (
            -_relevance(a.market, phrase, words),
            -(a.market.population or 0),
            a.market.name,
        )
    )
    if not found:
        return MarketCheck(query, None, [])
    return MarketCheck(query, found[0], found[1 : 1 + others])
