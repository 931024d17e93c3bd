"""Booking's market picker (/book/) a page at a time, like the market list."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_market


@pytest.fixture
def seven_markets(app):
    """Seven markets, "Metro 1" to "Metro 7", three to a page."""
    app.config["MARKETS_PER_PAGE"] = 3
    for i in range(1, 8):
        make_market(f"metro-{i}", name=f"Metro {i}", aliases=f"Town {i}; Springfield")


def _listed(html: str) -> list[str]:
    return re.findall(r'href="/book/(metro-\d)"', html)


def test_picker_pages_with_the_search_kept(client, seven_markets):
    html = client.get("/book/?q=springfield&page=3").get_data(as_text=True)
    assert _listed(html) == ["metro-7"]
    assert "7 of 7 markets match “springfield”. Page 3 of 3." in html
    assert '<nav class="pager" aria-label="Pages">' in html
    assert 'href="/book/?page=2&amp;q=springfield" id="book-markets-previous" rel="prev"' in html


def test_picker_fragment_carries_the_pager_for_htmx(client, seven_markets):
    response = client.get("/book/?page=2", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "HX-Request" in response.headers["Vary"]
    assert _listed(html) == ["metro-4", "metro-5", "metro-6"]
    assert 'hx-get="/book/?page=3" hx-target="#book-markets"' in html
    assert re.search(r'href="/book/\?page=2" aria-current="page"', html)


@pytest.mark.parametrize("page", ["7", "x", "0", "-1"])
def test_picker_page_that_does_not_exist_is_never_an_error(client, seven_markets, page):
    response = client.get("/book/", query_string={"page": page})
    assert response.status_code == 200
    assert len(_listed(response.get_data(as_text=True))) in (1, 3)


def test_picker_on_one_page_has_no_pager(client, app):
    make_market()
    html = client.get("/book/").get_data(as_text=True)
    assert "1 of 1 markets." in html and 'class="pager"' not in html
