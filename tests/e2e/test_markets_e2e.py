"""Markets in a real browser: search as you type, the self-refreshing seat widget, the market
check answering in place, the same pages without JavaScript, print, and axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from mortgage_connect import capacity
from mortgage_connect.extensions import db
from tests.conftest import LiveServer
from tests.conftest import make_app
from tests.e2e.conftest import assert_accessible
from tests.factories import make_market
from tests.factories import seat_n


def _markets():
    """Dallas–Fort Worth open, Houston few left, Austin full."""
    dfw = make_market(cap=5, population=8_000_000)
    houston = make_market("houston", cap=3, aliases="Houston; Pasadena; The Woodlands")
    austin = make_market("austin", cap=1, aliases="Austin; Round Rock")
    seat_n(houston.id, 1)
    seat_n(austin.id, 1)
    return dfw


@pytest.fixture
def fast_server(database_url):
    """The live server with the seat widget polling every second instead of every 20."""
    app = make_app(database_url, WTF_CSRF_ENABLED=True, TESTING=False, SEAT_WIDGET_POLL_SECONDS=1)
    with app.app_context():
        with LiveServer(app) as server:
            yield server
        db.session.remove()
        db.engine.dispose()


def test_search_fort_worth_shows_dallas_as_you_type(page, live_server):
    _markets()
    make_market("phoenix", states="AZ", aliases="Phoenix; Mesa", time_zone="America/Phoenix")
    page.goto(live_server.url + "/markets/")
    rows = page.locator("#market-results tbody tr")
    expect(rows).to_have_count(4)
    assert_accessible(page)

    page.get_by_label("Metro, state or city").fill("Fort Worth")  # no Enter: htmx on input
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Dallas–Fort Worth")
    expect(rows.first).to_contain_text("Open")
    expect(page.locator("#market-count")).to_have_text("1 market matches “Fort Worth”.")
    expect(page).to_have_url(re.compile(r"/markets/\?q=Fort(\+|%20)Worth"))
    assert_accessible(page)

    page.get_by_label("Metro, state or city").fill("")
    expect(rows).to_have_count(4)
    page.get_by_label("State", exact=True).select_option("TX")  # filters without a click
    expect(rows).to_have_count(3)
    expect(page.locator("#market-count")).to_have_text("3 markets match in Texas.")
    page.get_by_label("Metro, state or city").fill("aus")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Full")


def test_seat_widget_updates_after_a_seat_change_without_a_reload(page, fast_server):
    dfw = _markets()
    page.goto(fast_server.url + "/markets/dallas-fort-worth")
    count = page.locator(".seat-count")
    expect(count).to_have_text("5 of 5 seats open")
    page.evaluate("window.notReloaded = true")
    assert_accessible(page)

    seat_n(dfw.id, 3)  # staff seat three loan officers, in another process's shoes
    expect(count).to_have_text("2 of 5 seats open", timeout=10_000)
    expect(page.locator(".seat-status .status")).to_have_text("Few left")

    capacity.set_cap(dfw.id, 3)
    expect(count).to_have_text("0 of 3 seats open", timeout=10_000)
    expect(page.locator(".seat-status")).to_contain_text("Full")
    assert page.evaluate("window.notReloaded") is True  # updated in place, never reloaded
    assert_accessible(page)


def test_market_pages_are_accessible(page, live_server):
    _markets()
    for path in ("/markets/austin", "/markets/check?q=Fort+Worth", "/markets/check"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    page.goto(live_server.url + "/markets/austin")
    expect(page.locator("#next-step")).to_contain_text("Austin is full")
    expect(page.get_by_role("button", name="Print this price sheet")).to_be_visible()


def test_market_check_answers_in_place_on_the_home_page(page, live_server):
    _markets()
    page.goto(live_server.url + "/")
    box = page.get_by_label("Your city or metro")
    box.fill("Fort Worth")
    page.get_by_role("button", name="Check seats").click()
    result = page.locator("#home-check-result")
    expect(result).to_contain_text("Dallas–Fort Worth")
    expect(result).to_contain_text("5 of 5 seats open.")
    assert page.url == live_server.url + "/"  # answered in place
    assert_accessible(page)

    box.fill("Austin")  # answers as you type, too
    expect(result).to_contain_text("every seat is taken")
    result.get_by_role("link", name="Austin", exact=True).click()
    expect(page).to_have_url(live_server.url + "/markets/austin")


def test_markets_work_without_javascript(nojs_page, live_server):
    _markets()
    page = nojs_page
    page.goto(live_server.url + "/markets/")
    page.get_by_label("Metro, state or city").fill("Fort Worth")
    page.get_by_role("button", name="Show markets").click()
    expect(page).to_have_url(re.compile(r"/markets/\?q=Fort(\+|%20)Worth"))
    expect(page.locator("#market-results tbody tr")).to_have_count(1)
    expect(page.locator("#market-results")).to_contain_text("Dallas–Fort Worth")

    page.goto(live_server.url + "/")
    page.get_by_label("Your city or metro").fill("Fort Worth")
    page.get_by_role("button", name="Check seats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your market")
    expect(page.locator(".check-result")).to_contain_text("Dallas–Fort Worth")

    page.goto(live_server.url + "/markets/dallas-fort-worth")
    expect(page.locator(".seat-count")).to_have_text("5 of 5 seats open")
    expect(page.get_by_role("button", name="Print this price sheet")).to_be_hidden()


def test_market_page_prints_as_a_price_sheet(page, live_server):
    _markets()
    page.goto(live_server.url + "/markets/dallas-fort-worth")
    expect(page.locator(".print-only")).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".print-only")).to_be_visible()
    expect(page.locator(".price-sheet")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("#next-step")).to_be_hidden()


@pytest.fixture
def paged_server(database_url):
    """The live server with three markets to a page."""
    app = make_app(database_url, WTF_CSRF_ENABLED=True, TESTING=False, MARKETS_PER_PAGE=3)
    with app.app_context():
        with LiveServer(app) as server:
            yield server
        db.session.remove()
        db.engine.dispose()


def test_pages_of_markets_by_keyboard_in_place(page, paged_server):
    for i in range(1, 8):
        make_market(f"metro-{i}", name=f"Metro {i}", aliases=f"Town {i}; Springfield")
    page.goto(paged_server.url + "/markets/?q=springfield")
    rows = page.locator("#market-results tbody tr")
    expect(rows).to_have_count(3)
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Page 1 of 3")
    assert_accessible(page)

    next_link = pager.get_by_role("link", name="Next")
    next_link.focus()
    page.keyboard.press("Enter")
    expect(rows.first).to_contain_text("Metro 4")
    expect(page).to_have_url(re.compile(r"/markets/\?page=2&q=springfield$"))
    expect(page.locator("#market-count")).to_have_text(
        "7 markets match “springfield”. Page 2 of 3."
    )
    expect(pager.locator('[aria-current="page"]')).to_have_text("Page 2")
    expect(page.locator("#market-results-next")).to_be_focused()  # kept across the swap
    assert_accessible(page)

    page.go_back()  # the history entry htmx pushed
    expect(rows.first).to_contain_text("Metro 1")
    page.get_by_label("Metro, state or city").fill("town 7")  # a new search starts at page 1
    expect(rows).to_have_count(1)
    expect(page.get_by_role("navigation", name="Pages")).to_have_count(0)
