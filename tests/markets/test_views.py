"""The market pages: list and search, market page, seat widget with ETag/304, market check."""

from __future__ import annotations

import re
import time
from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import event

from mortgage_connect import capacity
from mortgage_connect.extensions import db
from mortgage_connect.web import page_cache
from tests.conftest import make_app
from tests.factories import make_market
from tests.factories import PRICES
from tests.factories import QueryCounter
from tests.factories import seat_n

T0 = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # still May 31 in Chicago


def _selects(counter: QueryCounter) -> list[str]:
    return [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def markets(app):
    """Three markets: Dallas–Fort Worth open, Houston few left, Austin full."""
    dfw = make_market(cap=5, population=8_000_000, prices=dict(PRICES, effective_at=T0))
    houston = make_market("houston", cap=3, aliases="Houston; Pasadena; The Woodlands")
    austin = make_market("austin", cap=2, aliases="Austin; Round Rock")
    seat_n(houston.id, 1)
    seat_n(austin.id, 2)
    return {"dfw": dfw, "houston": houston, "austin": austin}


# -- /markets/ -------------------------------------------------------------------------------


def test_index_lists_every_market_with_status(client, markets):
    response = client.get("/markets/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    for name in ("Dallas–Fort Worth", "Houston", "Austin"):
        assert name in html
    assert '<span class="status status-open">Open</span>' in html
    assert '<span class="status status-few">Few left</span>' in html
    assert '<span class="status status-full">Full</span>' in html
    assert "5 of 5" in html and "2 of 3" in html and "0 of 2" in html
    assert "3 markets." in html
    assert '<option value="TX">Texas</option>' in html


def test_index_search_finds_dallas_by_fort_worth(client, markets):
    html = client.get("/markets/?q=Fort+Worth").get_data(as_text=True)
    assert "Dallas–Fort Worth" in html
    assert "/markets/houston" not in html and "/markets/austin" not in html
    assert "1 market matches “Fort Worth”." in html
    assert 'value="Fort Worth"' in html  # the search box keeps what was typed


def test_index_htmx_returns_the_results_fragment_with_the_count_out_of_band(client, markets):
    response = client.get("/markets/?q=hou", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "/markets/houston" in html and "Dallas" not in html
    assert 'id="market-count"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_index_history_restore_gets_the_whole_page(client, markets):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client.get("/markets/?q=hou", headers=headers).get_data(as_text=True)
    assert "<html" in html and "/markets/houston" in html


def test_index_state_filter(client, markets):
    make_market("phoenix", states="AZ", aliases="Phoenix; Mesa", time_zone="America/Phoenix")
    html = client.get("/markets/?state=az").get_data(as_text=True)
    assert "/markets/phoenix" in html and "/markets/houston" not in html
    assert '<option value="AZ" selected>Arizona</option>' in html
    assert "1 market matches in Arizona." in html
    html = client.get("/markets/?state=AZ&q=dallas").get_data(as_text=True)
    assert "No market matches “dallas” in Arizona." in html


def test_index_unknown_state_is_a_400_with_a_message(client, markets):
    response = client.get("/markets/?state=ZZ")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is not a US state code" in html
    assert "No markets shown." in html and "/markets/houston" not in html
    assert '<option value="TX">Texas</option>' in html  # the menu to pick a real state


def test_index_book_notice(client, markets):
    html = client.get("/markets/?next=book").get_data(as_text=True)
    assert "To book a call, find your market" in html
    assert '<input type="hidden" name="next" value="book">' in html


def test_index_query_count_does_not_grow_with_markets(app, client):
    for i in range(5):
        make_market(f"market-{i}", aliases=f"Town {i}")
    seat_n(capacity.get_availability("market-0").market.id, 2)
    with QueryCounter(db.engine) as few:
        assert client.get("/markets/?q=town").status_code == 200
    db.session.add_all(
        capacity.build_market(
            slug=f"bulk-{i}",
            name=f"Bulk {i}",
            official_name=f"Bulk {i}, TX",
            states="TX",
            time_zone="America/Chicago",
            seat_cap=5,
            aliases=f"Town {i}",
        )
        for i in range(1995)
    )
    db.session.commit()
    with QueryCounter(db.engine) as many:
        response = client.get("/markets/?q=town")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2000 markets match" in html and "Page 1 of 40." in html
    assert html.count('<th scope="row">') == 50  # one page of rows, not 2,000
    assert many.count == few.count
    assert len(_selects(many)) == 2  # the count (and states), then the page with its seats


# -- /markets/ a page at a time ----------------------------------------------------------------


@pytest.fixture
def seven_markets(app):
    """Seven Texas markets, "Metro 1" to "Metro 7", three to a page."""
    app.config["MARKETS_PER_PAGE"] = 3
    for i in range(1, 8):
        make_market(f"metro-{i}", name=f"Metro {i}", aliases=f"Town {i}; Springfield")


def _listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/markets/(metro-\d)">', html)


def test_index_pages_go_on_where_the_last_one_stopped(client, seven_markets):
    first = client.get("/markets/").get_data(as_text=True)
    assert _listed(first) == ["metro-1", "metro-2", "metro-3"]
    assert "7 markets. Page 1 of 3." in first
    second = client.get("/markets/?page=2").get_data(as_text=True)
    assert _listed(second) == ["metro-4", "metro-5", "metro-6"]
    assert _listed(client.get("/markets/?page=3").get_data(as_text=True)) == ["metro-7"]


def test_pager_is_a_labelled_nav_of_plain_links_marking_the_current_page(client, seven_markets):
    html = client.get("/markets/?page=2").get_data(as_text=True)
    nav = html[
        html.index('<nav class="pager" aria-label="Pages">') : html.index(
            "</nav>", html.index('class="pager"')
        )
    ]
    assert "Page 2 of 3" in nav
    assert 'href="/markets/" id="market-results-previous" rel="prev"' in nav
    assert 'href="/markets/?page=3" id="market-results-next" rel="next"' in nav
    assert re.search(r'href="/markets/\?page=2" aria-current="page"', nav)
    assert nav.count('aria-current="page"') == 1


def test_pager_links_keep_the_search_the_state_and_the_next_step(client, seven_markets):
    html = client.get("/markets/?q=springfield&state=tx&next=book").get_data(as_text=True)
    assert "7 markets match “springfield” in Texas. Page 1 of 3." in html
    assert 'href="/markets/?page=2&amp;q=springfield&amp;state=TX&amp;next=book"' in html
    html = client.get("/markets/?q=town+7&page=2").get_data(as_text=True)
    assert 'class="pager"' not in html  # one match, one page: no pager, no notice needed
    assert _listed(html) == ["metro-7"]


def test_htmx_fragment_carries_the_pager_and_swaps_the_results_alone(client, seven_markets):
    response = client.get("/markets/?q=springfield&page=2", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "HX-Request" in response.headers["Vary"]
    assert _listed(html) == ["metro-4", "metro-5", "metro-6"]
    assert 'hx-swap-oob="innerHTML"' in html and "Page 2 of 3." in html
    link = 'href="/markets/?page=3&amp;q=springfield" id="market-results-next" rel="next"'
    assert link in html
    assert 'hx-get="/markets/?page=3&amp;q=springfield" hx-target="#market-results"' in html
    assert 'hx-push-url="true"' in html


def test_history_restore_of_a_page_gets_the_whole_page(client, seven_markets):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client.get("/markets/?page=2", headers=headers).get_data(as_text=True)
    assert "<html" in html and _listed(html) == ["metro-4", "metro-5", "metro-6"]


@pytest.mark.parametrize(
    ("page", "listed", "notice"),
    [
        ("9", ["metro-7"], "There is no page 9; this is page 3 of 3."),
        ("0", ["metro-1", "metro-2", "metro-3"], "There is no page 0; this is page 1 of 3."),
        ("abc", ["metro-1", "metro-2", "metro-3"], None),
        ("-2", ["metro-1", "metro-2", "metro-3"], None),
        ("99999999999999999999", ["metro-1", "metro-2", "metro-3"], None),
        ("", ["metro-1", "metro-2", "metro-3"], None),
    ],
)
def test_a_page_that_does_not_exist_shows_the_nearest_and_says_so(
    client, seven_markets, page, listed, notice
):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/markets/", query_string={"page": page}, headers=headers)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert _listed(html) == listed
        assert (notice in html) if notice else ("There is no page" not in html)


def test_rows_rendered_and_rows_read_are_bounded_by_the_page_size(app, client, seven_markets):
    """However many markets there are, a page renders and reads at most MARKETS_PER_PAGE."""
    limits = []

    def note_limit(conn, cursor, statement, parameters, context, executemany):
        if " LIMIT " in statement:
            limits.append(context.compiled_parameters[0].get("param_1"))

    for more in (0, 200):
        db.session.add_all(
            capacity.build_market(
                slug=f"more-{more}-{i}",
                name=f"More {more} {i}",
                official_name=f"More {i}, TX",
                states="TX",
                time_zone="America/Chicago",
                seat_cap=5,
            )
            for i in range(more)
        )
        db.session.commit()
        event.listen(db.engine, "before_cursor_execute", note_limit)
        try:
            html = client.get("/markets/?page=2").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", note_limit)
        assert html.count('<th scope="row">') == 3
    assert limits == [3, 3]  # one LIMIT per request, the page size


# -- /markets/<slug> -------------------------------------------------------------------------


def test_market_page_shows_status_seats_and_prices_in_plain_words(client, markets):
    response = client.get("/markets/dallas-fort-worth")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Dallas–Fort Worth</h1>" in html
    assert "Dallas-Fort Worth-Arlington, TX metropolitan area" in html
    assert "Central Time (America/Chicago)" in html
    assert "<strong>$85</strong> per lead" in html
    assert "30 leads a month — $2,550 a month at this price." in html
    assert "$500, paid once when you start." in html
    assert "within 7 days of its delivery" in html
    assert PRICES["credit_policy"] in html
    assert "May 31, 2026" in html  # the effective date in the market's own time zone
    assert 'media="print"' in html and 'class="print-only"' in html
    assert 'id="next-step"' in html and "Take a seat in Dallas–Fort Worth" in html


def test_market_page_includes_the_same_widget_the_fragment_serves(client, markets):
    page = client.get("/markets/houston").get_data(as_text=True)
    fragment = client.get("/markets/houston/seats").get_data(as_text=True)
    assert fragment.strip() in page
    assert 'hx-get="/markets/houston/seats"' in fragment
    assert 'hx-trigger="every 20s"' in fragment and 'hx-swap="outerHTML"' in fragment
    assert 'aria-live="polite"' in fragment


def test_full_market_points_to_the_waitlist(client, markets):
    html = client.get("/markets/austin").get_data(as_text=True)
    assert "Austin is full" in html
    assert "waitlist" in html
    assert "Take a seat" not in html


def test_next_step_links_to_booking_and_the_waitlist(database_url):
    app = make_app(database_url)
    with app.app_context():
        make_market(cap=1)
        make_market("austin", cap=1)
        seat_n(capacity.get_availability("austin").market.id, 1)
        client = app.test_client()
        html = client.get("/markets/dallas-fort-worth").get_data(as_text=True)
        assert '<a class="button" href="/book/dallas-fort-worth">Book a call</a>' in html
        html = client.get("/markets/austin").get_data(as_text=True)
        link = 'href="/markets/austin/waitlist">Join the waitlist'
        link += '<span class="visually-hidden"> for Austin</span></a>'
        assert '<a class="button" ' + link in html
        html = client.get("/markets/check?q=austin").get_data(as_text=True)
        assert link in html
        db.session.remove()


def test_market_without_prices_says_so(client, app):
    make_market(prices=None)
    html = client.get("/markets/dallas-fort-worth").get_data(as_text=True)
    assert "aren’t published yet" in html


@pytest.mark.parametrize(
    "path",
    ["/markets/no-such-market", "/markets/Dallas", "/markets/%00", "/markets/a%20b",
     "/markets/no-such-market/seats", "/markets/%00/seats"],
)  # fmt: skip
def test_unknown_market_is_a_404_page(client, markets, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


# -- /markets/<slug>/seats -------------------------------------------------------------------


def test_seat_widget_etag_and_304(client, markets):
    first = client.get("/markets/dallas-fort-worth/seats")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and "no-cache" in first.headers["Cache-Control"]
    assert "5 of 5" in first.get_data(as_text=True).replace(
        '<strong class="seat-open">', ""
    ).replace("</strong>", "")
    again = client.get("/markets/dallas-fort-worth/seats", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_seat_widget_304_costs_one_query(client, markets, app):
    app.config["LIVE_PAGE_SECONDS"] = 0  # no copy kept: every answer asks the database
    etag = client.get("/markets/dallas-fort-worth/seats").headers["ETag"]
    with QueryCounter(db.engine) as counter:
        response = client.get("/markets/dallas-fort-worth/seats", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert len(_selects(counter)) == 1


def test_seat_widget_304_from_the_kept_copy_costs_no_query(client, markets):
    etag = client.get("/markets/dallas-fort-worth/seats").headers["ETag"]
    with QueryCounter(db.engine) as counter:
        response = client.get("/markets/dallas-fort-worth/seats", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    assert counter.statements == []


def test_etag_changes_with_seats_and_cap(client, markets):
    url = "/markets/dallas-fort-worth/seats"
    etags = [client.get(url).headers["ETag"]]
    (taken,) = seat_n(markets["dfw"].id, 1)
    etags.append(client.get(url).headers["ETag"])
    capacity.set_cap(markets["dfw"].id, 7)
    etags.append(client.get(url).headers["ETag"])
    capacity.release_seat(taken.id)
    response = client.get(url, headers={"If-None-Match": etags[-1]})
    assert response.status_code == 200  # changed: a full answer, not 304
    etags.append(response.headers["ETag"])
    assert len(set(etags)) == 4
    assert "7 of 7" in response.get_data(as_text=True).replace(
        '<strong class="seat-open">', ""
    ).replace("</strong>", "")


def test_etag_changes_when_a_hold_expires_without_any_write(
    client, markets, monkeypatch, time_machine
):
    url = "/markets/dallas-fort-worth/seats"
    capacity.hold(markets["dfw"].id, name="Offered", email="o@x.example", hours=1, now=T0)
    time_machine.move_to(T0 + timedelta(minutes=30))
    held = client.get(url)
    assert "1 seat held" in held.get_data(as_text=True)
    time_machine.move_to(T0 + timedelta(hours=2))
    # Nothing was written, so only time tells: the copy kept for a moment expires too.
    later = time.monotonic() + 5400
    monkeypatch.setattr(page_cache, "clock", lambda: later)
    expired = client.get(url, headers={"If-None-Match": held.headers["ETag"]})
    assert expired.status_code == 200
    assert expired.headers["ETag"] != held.headers["ETag"]
    assert "held" not in expired.get_data(as_text=True)


def test_seat_widget_poll_interval_is_configurable(database_url):
    app = make_app(database_url, SEAT_WIDGET_POLL_SECONDS=2)
    with app.app_context():
        make_market()
        html = app.test_client().get("/markets/dallas-fort-worth/seats").get_data(as_text=True)
        assert 'hx-trigger="every 2s"' in html
        db.session.remove()


# -- check your market -----------------------------------------------------------------------


def test_check_page_without_javascript(client, markets):
    response = client.get("/markets/check?q=Fort+Worth")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "<h1>Check your market</h1>" in html
    assert 'href="/markets/dallas-fort-worth"><strong>Dallas–Fort Worth</strong></a>' in html
    assert "5 of 5 seats open." in html
    assert 'value="Fort Worth"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_check_answers_in_place_for_htmx(client, markets):
    response = client.get("/markets/check?q=austin", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "<strong>Austin</strong>" in html and "every seat is taken" in html


@pytest.mark.parametrize(
    ("query", "text"),
    [("", "Type the city you work in"), ("Boise", "We don’t serve a market matching “Boise”")],
)
def test_check_without_a_match(client, markets, query, text):
    html = client.get("/markets/check", query_string={"q": query}).get_data(as_text=True)
    assert text in html


def test_home_page_has_the_market_check(client, markets):
    html = client.get("/").get_data(as_text=True)
    assert '<label for="home-check-q">Your city or metro</label>' in html
    assert 'action="/markets/check"' in html and 'hx-get="/markets/check"' in html
    assert 'hx-target="#home-check-result"' in html
    assert 'id="home-check-result"' in html


# -- nothing a visitor can type is a 500 -----------------------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    q=st.text(max_size=300),
    state=st.text(max_size=8),
    slug=st.text(min_size=1, max_size=40),
    page=st.text(max_size=30),
)
def test_any_query_string_is_a_page_or_4xx(client, markets, q, state, slug, page):
    for url, params in [
        ("/markets/", {"q": q, "state": state, "page": page}),
        ("/markets/check", {"q": q}),
        ("/markets/", {"q": q}),
    ]:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, query_string=params, headers=headers)
            assert response.status_code in (200, 400), (url, params)
    from urllib.parse import quote

    response = client.get("/markets/" + quote(slug, safe=""))
    assert response.status_code < 500
