"""The layout in a real browser: navigation, skip link, htmx loaded under the CSP, axe clean."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible


def test_home_page_layout_is_accessible_and_htmx_runs_under_csp(page, live_server):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.version") == "2.0.11"
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert_accessible(page)


def test_error_page_is_accessible(page, live_server):
    response = page.goto(live_server.url + "/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)
