"""Finding markets: by metro, state or principal city, and the best answer to a market check."""

from __future__ import annotations

import pytest

from mortgage_connect import capacity
from mortgage_connect.capacity import all_availability
from mortgage_connect.demo import seed
from mortgage_connect.demo.scale import seed_scale
from mortgage_connect.geo import fold_words
from mortgage_connect.markets import search
from tests.factories import make_market


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
    found = search.search_markets(query)
    assert [a.market.slug for a in found.results] == slugs
    assert found.total == 3


def test_search_is_accent_insensitive(app):
    make_market("san-jose", name="San José", states="CA", aliases="San José; Sunnyvale")
    assert [a.market.slug for a in search.search_markets("san jose").results] == ["san-jose"]
    assert [a.market.slug for a in search.search_markets("SAN JOSÉ").results] == ["san-jose"]


def test_state_filter(three_markets):
    found = search.search_markets("", "va")
    assert found.state == "VA" and found.state_name == "Virginia"
    assert [a.market.slug for a in found.results] == ["washington-dc"]
    assert ("WI", "Wisconsin") in found.states and ("TX", "Texas") in found.states
    assert search.search_markets("", "AK").results == []  # a state without markets
    with pytest.raises(search.UnknownState):
        search.search_markets("", "ZZ")
    with pytest.raises(search.UnknownState):
        search.search_markets("", "Texas")


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
    result = search.check_market(query)
    assert (result.best.market.slug if result.best else None) == best
    assert [a.market.slug for a in result.others] == others


# -- paging: counted and sliced in SQL, the same markets in the same order ---------------------


def _python_search(query: str, state: str | None) -> list[str]:
    """What the search found before it moved into SQL: every market filtered in Python."""
    words = fold_words(query)
    return [
        a.market.slug
        for a in all_availability()
        if all(f" {w}" in a.market.search_key for w in words)
        and (state is None or state in a.market.state_codes)
    ]


def _every_page(query: str, state: str | None, per_page: int) -> list[str]:
    first = search.search_markets(query, state, 1, per_page)
    slugs = [a.market.slug for a in first.results]
    for number in range(2, first.page.pages + 1):
        found = search.search_markets(query, state, number, per_page)
        assert found.page.number == number and len(found.results) <= per_page
        slugs += [a.market.slug for a in found.results]
    assert len(slugs) == first.matched
    return slugs


@pytest.mark.parametrize(
    ("query", "state"),
    [
        ("", None),
        ("san", None),
        ("fort worth", None),  # a principal city, not the metro's name
        ("saint", None),
        ("new york", None),
        ("tx", None),
        ("", "TX"),
        ("", "WV"),  # last of "DC-VA-MD-WV"
        ("", "DC"),  # first of it
        ("city", "MO"),
        ("1", None),
        ("zzz", None),
    ],
)
def test_pages_hold_what_the_whole_list_held_in_the_same_order(app, query, state):
    seed.seed_if_empty()
    seed_scale(markets=130, hosts=2, bookings=0)
    assert _every_page(query, state, per_page=7) == _python_search(query, state)


def test_page_past_the_last_shows_the_last(three_markets):
    found = search.search_markets("", None, 5, per_page=2)
    assert found.page.number == 2 and found.page.moved and found.page.asked == 5
    assert [a.market.slug for a in found.results] == ["washington-dc"]
    assert found.matched == 3 and found.total == 3


def test_page_of_market(three_markets):
    slugs = ["dallas-fort-worth", "minneapolis-st-paul", "washington-dc"]
    pages = [
        search.page_of_market(capacity.get_availability(s).market.id, per_page=2) for s in slugs
    ]
    assert pages == [1, 1, 2]
    assert search.page_of_market(9999) == 1
