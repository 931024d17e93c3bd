"""Finding markets: by metro, state or principal city, and the best answer to a market check."""

from __future__ import annotations

import pytest

from mortgage_connect import market_search
from tests.market_helpers import make_market


@pytest.fixture
def three_markets(app):
    make_market(population=8_000_000)
    make_market(
        "washington-dc",
        name="Washington, D.C.",
        official_name="Washington-Arlington-Alexandria, DC-VA-MD-WV",
        states="DC-VA-MD-WV",
        aliases="Washington; Arlington; Alexandria",
        time_zone="America/New_York",
        population=6_000_000,
    )
    make_market(
        "minneapolis-st-paul",
        name="Minneapolis–St. Paul",
        official_name="Minneapolis-St. Paul-Bloomington, MN-WI",
        states="MN-WI",
        aliases="Minneapolis; St. Paul; Bloomington",
        population=3_000_000,
    )


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("Fort Worth", ["dallas-fort-worth"]),
        ("fort worth", ["dallas-fort-worth"]),
        ("Ft. Worth", ["dallas-fort-worth"]),
        ("Dallas-Fort Worth", ["dallas-fort-worth"]),
        ("Dallas–Fort Worth", ["dallas-fort-worth"]),  # en dash
        ("DALLAS fort", ["dallas-fort-worth"]),
        ("Texas", ["dallas-fort-worth"]),
        ("tx", ["dallas-fort-worth"]),
        ("Saint Paul", ["minneapolis-st-paul"]),
        ("St Paul", ["minneapolis-st-paul"]),
        ("Wisconsin", ["minneapolis-st-paul"]),
        ("D.C.", ["washington-dc"]),
        ("Virginia", ["washington-dc"]),
        ("Arlington", ["dallas-fort-worth", "washington-dc"]),
        ("", ["dallas-fort-worth", "minneapolis-st-paul", "washington-dc"]),
        ("Boise", []),
        ("orth", []),  # words match from their start
    ],
)
def test_search_by_metro_state_and_city(three_markets, query, slugs):
    found = market_search.search_markets(query)
    assert [a.market.slug for a in found.results] == slugs
    assert found.total == 3


def test_search_is_accent_insensitive(app):
    make_market("san-jose", name="San José", states="CA", aliases="San José; Sunnyvale")
    assert [a.market.slug for a in market_search.search_markets("san jose").results] == ["san-jose"]
    assert [a.market.slug for a in market_search.search_markets("SAN JOSÉ").results] == ["san-jose"]


def test_state_filter(three_markets):
    found = market_search.search_markets("", "va")
    assert found.state == "VA" and found.state_name == "Virginia"
    assert [a.market.slug for a in found.results] == ["washington-dc"]
    assert ("WI", "Wisconsin") in found.states and ("TX", "Texas") in found.states
    assert market_search.search_markets("", "AK").results == []  # a state without markets
    with pytest.raises(market_search.UnknownState):
        market_search.search_markets("", "ZZ")
    with pytest.raises(market_search.UnknownState):
        market_search.search_markets("", "Texas")


@pytest.mark.parametrize(
    ("query", "best", "others"),
    [
        ("Fort Worth", "dallas-fort-worth", []),
        ("Arlington", "dallas-fort-worth", ["washington-dc"]),  # both exact; larger first
        ("washington", "washington-dc", []),
        ("Minneapolis", "minneapolis-st-paul", []),
        ("", None, []),
        ("Boise", None, []),
    ],
)
def test_check_market_best_match(three_markets, query, best, others):
    result = market_search.check_market(query)
    assert (result.best.market.slug if result.best else None) == best
    assert [a.market.slug for a in result.others] == others
