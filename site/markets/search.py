"""Finding markets: search by metro, state or principal city, and "is my market open?".

A list of markets is searched, counted and cut into pages in SQL, so a page costs the same
queries, and renders the same number of rows, for 5 markets or 3,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask import current_app
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true

from ..capacity import Availability
from ..capacity import availability_slice
from ..capacity import CapacityError
from ..extensions import db
from ..geo import fold
from ..geo import fold_words
from ..geo import split_states
from ..geo import US_STATES
from ..models import Market
from ..paging import Page

PER_PAGE = 50  # markets on a page unless the caller says otherwise (MARKETS_PER_PAGE)


def markets_per_page() -> int:
    """Markets on one page of a market list (MARKETS_PER_PAGE)."""
    return current_app.config["MARKETS_PER_PAGE"]


class UnknownState(CapacityError, ValueError):
    """A state filter that is not a US state code."""


@dataclass(frozen=True)
class MarketSearch:
    """The markets matching a search and state filter, and the states to filter by."""

    query: str
    state: str | None
    results: list[Availability]
    states: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0  # markets there are, matching or not
    page: Page = field(default_factory=lambda: Page(1, PER_PAGE, 0))

    @property
    def matched(self) -> int:
        """Markets matching the search and filter, on every page."""
        return self.page.total

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


def _conditions(words: list[str], code: str | None) -> list:
    """The search and the state filter as SQL conditions.

    The same test as _matches: every folded word starts a word of the space-padded search
    key. Folded words are letters and digits only, so they carry no LIKE wildcard.
    """
    conditions = [Market.search_key.like(f"% {w}%") for w in words]
    if code is not None:
        # "DC-VA-MD-WV" padded with hyphens contains "-VA-": a code, never part of one.
        conditions.append(("-" + Market.states + "-").like(f"%-{code}-%"))
    return conditions


def _summary(conditions: list) -> tuple[list[tuple[str, str]], int, int]:
    """The states with markets, how many markets there are and how many match — one query."""
    matching = case((and_(true(), *conditions), 1), else_=0)
    rows = db.session.execute(
        select(Market.states, func.count(Market.id), func.sum(matching)).group_by(Market.states)
    ).all()
    codes = {code for states, _, _ in rows for code in split_states(states)}
    states = sorted(((c, US_STATES.get(c, c)) for c in codes), key=lambda pair: pair[1])
    return states, sum(n for _, n, _ in rows), sum(int(m or 0) for _, _, m in rows)


def search_markets(
    query: str = "",
    state: str | None = None,
    page: int | None = None,
    per_page: int = PER_PAGE,
    now=None,
) -> MarketSearch:
    """One page of the markets whose names, states or principal cities match, by name.

    Two queries whatever the number of markets: one counts (and lists the states to filter
    by), one reads the page's markets with their seat counts. A page past the last one
    shows the last one.
    """
    code = normalize_state(state)
    conditions = _conditions(fold_words(query), code)
    states, total, matched = _summary(conditions)
    shown = Page.of(page, per_page, matched)
    results = availability_slice(conditions, shown.per_page, shown.offset, now) if matched else []
    return MarketSearch(query, code, results, states, total, shown)


def page_of_market(market_id: int, per_page: int = PER_PAGE) -> int:
    """The page of the unfiltered list that shows this market (1 when there is no such market)."""
    market = db.session.get(Market, market_id)
    if market is None:
        return 1
    before = db.session.scalar(
        select(func.count(Market.id)).where(
            or_(
                Market.name < market.name,
                and_(Market.name == market.name, Market.id < market.id),
            )
        )
    )
    return before // max(1, per_page) + 1


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
    """The market a visitor most likely means by what they typed, and a few other matches.

    The matching markets are found in SQL and ranked here; seat counts are read for the few
    shown only, so the answer costs two queries however many markets there are.
    """
    words = fold_words(query)
    if not words:
        return MarketCheck(query, None, [])
    phrase = " ".join(words)
    matching = db.session.scalars(select(Market).where(*_conditions(words, None))).all()
    ranked = sorted(
        matching,
        key=lambda m: (-_relevance(m, phrase, words), -(m.population or 0), m.name),
    )[: 1 + others]
    if not ranked:
        return MarketCheck(query, None, [])
    counts = availability_slice([Market.id.in_([m.id for m in ranked])], len(ranked), 0, now)
    by_id = {a.market.id: a for a in counts}
    shown = [by_id[m.id] for m in ranked if m.id in by_id]
    if not shown:  # removed since the first query
        return MarketCheck(query, None, [])
    return MarketCheck(query, shown[0], shown[1:])
