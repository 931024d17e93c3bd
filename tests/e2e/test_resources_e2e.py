"""Resources in a real browser: reading an article, searching with and without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.factories import make_market

SEED = "/resources/exclusive-vs-shared-mortgage-leads"


def test_read_the_article(page, live_server):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + SEED)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Exclusive vs. Shared Mortgage Leads: What the Difference Really Costs"
    )
    sections = page.locator(".article-body > h2").all_inner_texts()
    assert sections == [
        "What the two models actually are",
        "The sticker price is not the price",
        "When shared leads can still make sense",
        "How to run the comparison for your own numbers",
        "The bottom line",
    ]
    book = page.get_by_role("region", name="See exactly how your leads would be delivered")
    expect(book).to_be_visible()
    expect(book.get_by_role("link", name="Book a call")).to_be_visible()
    market = page.get_by_role("region", name="Your market has a limited number of seats.")
    expect(market).to_be_visible()
    expect(market.get_by_label("Your city or metro")).to_be_visible()
    faq = page.get_by_role("region", name="FAQ")
    expect(faq.get_by_role("heading", level=3)).to_have_count(4)
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_be_visible()
    related = page.get_by_role("region", name="Related articles")
    expect(related.get_by_role("link")).to_have_count(4)  # three articles and "All resources"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert_accessible(page)

    page.locator(".article-body").get_by_role(
        "link", name="cost-per-funded-loan calculator"
    ).click()
    expect(page).to_have_url(live_server.url + "/tools/cost-per-funded-loan")


def test_search_as_you_type_updates_results_in_place(page, live_server):
    page.goto(live_server.url + "/resources/search")
    expect(page.locator("#search-results")).to_contain_text("Type a word or two")
    page.evaluate("window.stillTheSamePage = true")
    box = page.get_by_label("Search articles and FAQ answers")
    box.press_sequentially("return window", delay=20)
    results = page.locator("#search-results")
    expect(results.locator(".search-count")).to_have_text("1 result for “return window”")
    expect(results.get_by_role("link")).to_have_text(
        "Invalid-Lead Credits: Reading a Vendor's Return Policy"
    )
    expect(results.locator("mark").first).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True  # no navigation happened
    expect(page).to_have_url(re.compile(r"/resources/search\?q=return(\+|%20)window$"))
    assert_accessible(page)

    box.fill("zzzzqqq")
    expect(results).to_contain_text("No results for “zzzzqqq”.")
    assert page.evaluate("window.stillTheSamePage") is True


def test_search_without_javascript(nojs_page, live_server):
    page = nojs_page
    page.goto(live_server.url + "/resources/")
    page.get_by_label("Search articles and FAQ answers").fill("credits")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/resources/search\?q=credits$"))
    expect(page.locator(".search-count")).to_have_text(re.compile(r"^\d+ results? for “credits”$"))
    page.get_by_label("Search articles and FAQ answers").fill("speed lead")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".search-count")).to_have_text(re.compile(r"results? for “speed lead”$"))
    # A title match ranks first.
    expect(page.locator("#search-results").get_by_role("link").first).to_have_text(
        re.compile("Speed to Lead")
    )


def test_resource_pages_are_accessible(page, live_server):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    paths = [
        "/",
        "/resources/",
        "/resources/?category=buying-leads",
        "/faq",
        "/resources/invalid-lead-credits-return-policy",  # a table and a custom CTA text
        "/resources/speed-to-lead-first-five-minutes",
        "/resources/how-to-verify-a-lead-is-really-exclusive",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        assert_accessible(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_article_market_check_answers_in_place(page, live_server):
    make_market(cap=5)
    page.goto(live_server.url + SEED)
    market = page.get_by_role("region", name="Your market has a limited number of seats.")
    market.get_by_label("Your city or metro").fill("Fort Worth")
    market.get_by_role("button", name="Check seats").click()
    expect(market).to_contain_text("Dallas–Fort Worth")
    expect(market).to_contain_text("5 of 5 seats open.")
    assert page.url == live_server.url + SEED  # answered in place, no navigation
    assert_accessible(page)
