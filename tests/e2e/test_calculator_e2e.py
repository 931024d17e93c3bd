"""The calculator in a real browser: live results while typing, a plain form without JS, axe."""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import expect

from mortgage_connect.tools.calculator import EXAMPLE
from tests.e2e.conftest import assert_accessible

PATH = "/tools/cost-per-funded-loan"


def retype(field, text: str) -> None:
    """Replace a field's text the way a person does: select it all, then type."""
    field.click()
    field.press("ControlOrMeta+a")
    field.press_sequentially(text, delay=40)


def test_typing_updates_the_results_in_place_and_keeps_focus(page, live_server):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + PATH)
    verdict = page.locator("#calc-verdict")
    expect(verdict).to_contain_text("Exclusive leads cost $1,815.00 less")
    page.evaluate("window.stillTheSamePage = true")

    funded = page.locator("#sh_funded")
    retype(funded, "10")
    expect(verdict).to_have_text(
        "Shared leads cost $285.00 less per funded loan than exclusive leads (24% less)."
    )
    expect(page.locator("#calc-results")).to_contain_text("$900.00")
    assert "sh_funded=10" in page.url  # the URL holds the inputs
    assert page.evaluate("window.stillTheSamePage") is True  # no navigation happened
    assert page.evaluate("document.activeElement.id") == "sh_funded"
    expect(funded).to_have_value("10")

    retype(funded, "-2")
    error = page.locator("#sh_funded-error")
    expect(error).to_have_text("Loans funded can't be negative.")
    expect(funded).to_have_attribute("aria-invalid", "true")
    expect(verdict).to_have_text("No verdict yet: fix the shared numbers marked in the form.")
    assert page.evaluate("document.activeElement.id") == "sh_funded"
    expect(funded).to_have_value("-2")
    assert "sh_funded=-2" in page.url
    assert_accessible(page)

    retype(funded, "3")
    expect(error).to_be_empty()
    expect(funded).not_to_have_attribute("aria-invalid", "true")
    expect(verdict).to_contain_text("Exclusive leads cost $1,815.00 less")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_typing_on_through_a_refresh_loses_nothing(page, live_server):
    page.goto(live_server.url + PATH)
    leads = page.locator("#ex_leads")
    leads.click()
    leads.press("End")
    # Pause long enough for a request to go out, then keep typing while it is answered.
    leads.press_sequentially("0", delay=0)
    page.wait_for_timeout(320)
    leads.press_sequentially("0", delay=150)
    expect(leads).to_have_value("10000")
    expect(page.locator("#ex_conversations-error")).to_be_empty()
    expect(page.locator("#calc-results")).to_contain_text("$450,000.00")
    assert "ex_leads=10000" in page.url
    assert page.evaluate("document.activeElement.id") == "ex_leads"


def test_back_button_brings_back_the_earlier_numbers(page, live_server):
    page.goto(live_server.url + PATH)
    retype(page.locator("#ex_funded"), "2")
    expect(page.locator("#calc-verdict")).to_contain_text("$630.00 less")
    page.go_back()
    expect(page.locator("#ex_funded")).to_have_value("4")
    expect(page.locator("#calc-verdict")).to_contain_text("$1,815.00 less")


def test_without_javascript_the_form_submits_and_shows_errors(nojs_page, live_server):
    page = nojs_page
    page.goto(live_server.url + PATH)
    page.fill("#ex_funded", "2")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url("**ex_funded=2**")
    expect(page.locator("#calc-verdict")).to_have_text(
        "Exclusive leads cost $630.00 less per funded loan than shared leads (21% less)."
    )
    expect(page.locator("#ex_funded")).to_have_value("2")

    page.fill("#ex_price", "45.555")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url("**ex_price=45.555**")
    expect(page.locator("#ex_price-error")).to_have_text(
        "Price per lead can have at most 2 decimal places (whole cents)."
    )
    expect(page.locator("#ex_price")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#ex_price")).to_have_value("45.555")


def test_the_page_is_accessible_with_the_example_results_and_errors(page, live_server):
    page.goto(live_server.url + PATH)
    assert_accessible(page)

    mine = {**EXAMPLE, "ex_price": "60", "sh_funded": "0", "sh_appointments": "0"}
    page.goto(f"{live_server.url}{PATH}?{urlencode(mine)}")
    expect(page.locator("#sh_funded-note")).to_have_text(
        "With zero funded loans there is no cost per funded loan yet."
    )
    assert_accessible(page)

    broken = {**EXAMPLE, "ex_leads": "lots", "sh_price": "-1", "sh_hours": ""}
    page.goto(f"{live_server.url}{PATH}?{urlencode(broken)}")
    expect(page.locator("#ex_leads")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
