"""Booking in a real browser: pick a day and a time, book, reschedule, cancel; with and
without JavaScript; axe clean on every page of the flow (axe itself needs JavaScript, so it
runs in the JavaScript flow, on the same pages)."""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from mortgage_connect import booking
from mortgage_connect.clock import utcnow
from mortgage_connect.web.formatting import day_name
from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import assert_fits_width
from tests.e2e.conftest import WIDTHS
from tests.factories import make_host
from tests.factories import make_market
from tests.factories import slot_after

pytestmark = pytest.mark.clock

QUOTE_REF = re.compile(r"Q-\d{4}-[0-9A-Z]{6}")


@pytest.fixture
def bookable(live_server):
    """A market with seats and a host free around the clock."""
    make_market()
    make_host()
    return live_server


def fill_form(page) -> None:
    page.get_by_label("Your name").fill("Pat Prospect")
    page.get_by_label("Email").fill("pat@example.com")
    page.get_by_label("Phone").fill("214-555-0187")
    page.get_by_label("Company").fill("Prospect Home Loans")
    page.get_by_label("NMLS ID (optional)").fill("123456")
    page.get_by_label("Shared leads").check()
    page.get_by_label("You may contact me").check()


def start_of(href: str) -> str:
    return parse_qs(urlsplit(href).query)["start"][0]


def a_free_day(zone: str) -> date:
    """A day three days ahead in `zone`: past the notice, inside the horizon, all free."""
    return (utcnow() + timedelta(days=3)).astimezone(ZoneInfo(zone)).date()


def bookable_months(zone: str) -> tuple[str, str]:
    """The titles of the first and the last month holding bookable time, seen in `zone`."""
    rules, now = booking.rules(), utcnow()
    first = rules.earliest(now).astimezone(ZoneInfo(zone))
    last = (rules.latest(now) - timedelta(seconds=1)).astimezone(ZoneInfo(zone))
    return f"{first:%B %Y}", f"{last:%B %Y}"


def day_link(page, day: date):
    """The calendar's link for a day, moving to the next month first if the day is there."""
    link = page.get_by_role("link", name=re.compile("^" + re.escape(day_name(day)) + " — "))
    if link.count() == 0:
        page.get_by_role("link", name="Next month").click()
        expect(link).to_have_count(1)
    return link


def choose_day(page, day: date) -> None:
    """Choose a day in the calendar."""
    day_link(page, day).click()


def test_book_reschedule_cancel_with_javascript(browser, bookable):
    context = browser.new_context(timezone_id="America/Los_Angeles")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(bookable.url + "/book/")
    page.get_by_label("Metro, state or city").fill("fort worth")
    page.get_by_role("link", name="Book a call about Dallas–Fort Worth").click()

    # The browser's zone is detected and the widget redrawn in it.
    expect(page.locator("#tz")).to_have_value("America/Los_Angeles")
    expect(page.locator("#times")).to_contain_text("Pacific Time")
    assert_accessible(page)

    # Keyboard: focus a marked day, press Enter; its times arrive and take the focus.
    target = a_free_day("America/Los_Angeles")
    day = day_link(page, target)
    name = day.evaluate("el => el.textContent")
    assert re.search(r"\w+day, \w+ \d{1,2}, \d{4} — \d+ times available", name)
    day.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#times")).to_be_focused()
    expect(page.locator("a.day-free[aria-current='true']")).to_have_count(1)
    heading = page.locator("#times-heading").inner_text()
    assert heading in name

    slot = page.locator("a.slot").nth(2)
    first_start = start_of(slot.get_attribute("href"))
    slot.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    assert_accessible(page)
    page.get_by_role("button", name="Book the call").click()  # empty: errors beside fields
    expect(page.locator(".field-error").first).to_be_visible()
    assert_accessible(page)
    fill_form(page)
    page.get_by_role("button", name="Book the call").click()

    expect(page.get_by_text("Your call is booked")).to_be_visible()
    expect(page.get_by_text(QUOTE_REF).first).to_be_visible()
    expect(page.get_by_role("link", name="Add to Google Calendar")).to_be_visible()
    for name in (
        "Add to Outlook.com",
        "Add to Office 365",
        "Apple Calendar or another calendar (.ics file)",
    ):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page)
    manage_url = page.url.split("?")[0]

    # Reschedule to another time on the same day.
    page.get_by_role("link", name="Choose a new time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new time")
    assert_accessible(page)
    choose_day(page, target)
    expect(page.locator("#times")).to_be_focused()
    new_slot = page.locator("a.slot").nth(5)
    new_start = start_of(new_slot.get_attribute("href"))
    assert new_start != first_start
    new_slot.click()
    assert_accessible(page)
    page.get_by_role("button", name="Move my call").click()
    expect(page.get_by_text("Your call has moved")).to_be_visible()

    # The first time is free again.
    page.goto(manage_url + "/reschedule")
    choose_day(page, target)
    expect(page.locator(f"a.slot[href*='{first_start}']")).to_have_count(1)
    expect(page.locator(f"a.slot[href*='{new_start}']")).to_have_count(0)

    # Cancel: a confirmation page, then the POST.
    page.goto(manage_url)
    page.get_by_role("link", name="Cancel the call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your call?")
    assert_accessible(page)
    reasons = page.get_by_role("group", name="Why are you cancelling? (optional)")
    reasons.get_by_label("Something else").check()
    reasons.get_by_label("Tell us more (optional)").fill("Too\x07busy")  # a control character
    page.get_by_role("button", name="Yes, cancel the call").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the field marked below.")
    expect(page.get_by_text("Remove the control characters from this field.")).to_be_visible()
    expect(reasons.get_by_label("Something else")).to_be_checked()  # what was chosen is kept
    assert_accessible(page)
    reasons.get_by_label("Tell us more (optional)").fill("Too busy this month")
    page.get_by_role("button", name="Yes, cancel the call").click()
    expect(page.get_by_text("This call is cancelled")).to_be_visible()
    assert_accessible(page)

    page.goto(bookable.url + "/book/dallas-fort-worth?tz=America/Los_Angeles")
    choose_day(page, target)
    expect(page.locator(f"a.slot[href*='{new_start}']")).to_have_count(1)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_the_same_flow_without_javascript(nojs_page, bookable):
    page = nojs_page
    page.goto(bookable.url + "/book/dallas-fort-worth")
    expect(page.locator("#tz")).to_have_value("America/Chicago")  # the market's zone
    page.locator("#tz").select_option("America/New_York")
    page.get_by_role("button", name="Show times").click()
    assert "tz=America%2FNew_York" in page.url or "tz=America/New_York" in page.url
    # Month links go as far as the bookable days do, and no further.
    first, last = bookable_months("America/New_York")
    title = page.locator(".month-title")
    if first == last:
        expect(title).to_have_text(first)
        expect(page.get_by_role("link", name="Next month")).to_have_count(0)
    elif title.inner_text() == first:
        page.get_by_role("link", name="Next month").click()
        expect(title).to_have_text(last)
        expect(page.get_by_role("link", name="Next month")).to_have_count(0)
        page.get_by_role("link", name="Previous month").click()
        expect(title).to_have_text(first)
    else:  # nothing is left in the first month: the calendar opened on the next
        expect(title).to_have_text(last)
        page.get_by_role("link", name="Previous month").click()
        expect(page.get_by_role("status")).to_contain_text(f"No times are left in {first[:-5]}")
        expect(title).to_have_text(last)
    target = a_free_day("America/New_York")
    choose_day(page, target)
    expect(page.locator("a.day-free[aria-current='true']")).to_have_count(1)
    slot = page.locator("a.slot").first
    first_start = start_of(slot.get_attribute("href"))
    slot.click()
    fill_form(page)
    page.get_by_role("button", name="Book the call").click()
    expect(page.get_by_text("Your call is booked")).to_be_visible()
    expect(page.get_by_text(QUOTE_REF).first).to_be_visible()

    page.get_by_role("link", name="Choose a new time").click()
    choose_day(page, target)
    page.locator("a.slot").nth(3).click()
    page.get_by_role("button", name="Move my call").click()
    expect(page.get_by_text("Your call has moved")).to_be_visible()

    page.get_by_role("link", name="Cancel the call").click()
    page.get_by_label("The pricing doesn't fit").check()
    page.get_by_role("button", name="Yes, cancel the call").click()
    expect(page.get_by_text("This call is cancelled")).to_be_visible()

    page.goto(bookable.url + "/book/dallas-fort-worth?tz=America/New_York")
    choose_day(page, target)
    expect(page.locator(f"a.slot[href*='{first_start}']")).to_have_count(1)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_calendar_and_the_cancel_reasons_at_every_width(page, bookable, width):
    market = make_market("austin", name="Austin", aliases="Austin")
    details = booking.Details(
        name="Pat Prospect", email="pat@example.com", phone="214-555-0187",
        company="Prospect Home Loans", lead_source="shared", time_zone="America/Los_Angeles",
        consent=True,
    )  # fmt: skip
    start = slot_after(timedelta(days=3))
    _, token, _ = booking.book(market.id, start, details, "form-widths")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{bookable.url}/book/manage/{token}?booked=1")
    stamp = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    for name, host in (("Add to Outlook.com", "outlook.live.com"),
                       ("Add to Office 365", "outlook.office.com")):  # fmt: skip
        link = page.get_by_role("link", name=name)
        expect(link).to_be_visible()
        query = parse_qs(urlsplit(link.get_attribute("href")).query)
        assert urlsplit(link.get_attribute("href")).netloc == host
        assert query["startdt"] == [stamp] and query["rru"] == ["addevent"]
    expect(page.get_by_role("link", name="Add to Google Calendar")).to_be_visible()
    ics = page.get_by_role("link", name="Apple Calendar or another calendar (.ics file)")
    expect(ics).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)

    page.get_by_role("link", name="Cancel the call").click()
    expect(page.get_by_role("group", name="Why are you cancelling? (optional)")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
