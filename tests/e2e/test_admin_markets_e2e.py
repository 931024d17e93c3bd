"""Raising a full market's cap in place: the admin row updates, the public widget follows."""

from __future__ import annotations

from playwright.sync_api import expect

from mortgage_connect import capacity
from mortgage_connect.extensions import db
from mortgage_connect.models import WaitlistEntry
from mortgage_connect.staff import accounts
from mortgage_connect.waitlist import places
from tests.e2e.conftest import assert_accessible
from tests.factories import make_market
from tests.factories import seat_n

PASSWORD = "correct horse battery staple"


def test_raise_a_full_markets_cap_in_place(page, browser, live_server):
    accounts.create_staff("dana@example.com", PASSWORD, name="Dana Reyes")
    market = make_market(cap=2)
    seat_n(market.id, 2)
    first = places.join(
        market.id,
        name="Wren First",
        email="wren@lender.example",
        phone="214-555-0101",
        company="First Lending",
    ).entry
    places.join(
        market.id, name="Sol Second", email="sol@lender.example", phone="214-555-0102",
        company="Second Lending",
    )  # fmt: skip

    live_server.app.config["SEAT_WIDGET_POLL_SECONDS"] = 2  # a quick refresh for the test
    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/markets/{market.slug}")
    widget = visitor.locator(f"#seat-widget-{market.slug}")
    expect(widget).to_contain_text("Full")

    page.goto(live_server.url + "/admin/markets")
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.url == live_server.url + "/admin/markets"
    assert_accessible(page)

    row = page.locator(f"#market-{market.id}")
    row.get_by_role("link", name=f"Edit seat cap of {market.name}").click()
    cap = page.get_by_label(f"Seat cap for {market.name}")
    cap.wait_for()
    expect(cap).to_be_focused()  # focus follows the swap (moved once htmx has settled)
    assert page.url == live_server.url + "/admin/markets"  # edited in place, no page load
    assert_accessible(page)
    cap.fill("abc")
    page.get_by_role("button", name="Save cap").click()
    page.get_by_text("Enter a whole number from 0 to 1,000.").wait_for()
    cap.fill("5")
    page.get_by_role("button", name="Save cap").click()
    row.get_by_role("status").wait_for()
    expect(row.get_by_role("status")).to_contain_text("seat cap 2 → 5")
    edit = row.get_by_role("link", name=f"Edit seat cap of {market.name}")
    expect(edit).to_be_focused()  # focus comes back to the row
    db.session.rollback()  # end this thread's read snapshot: the server saved the change
    a = capacity.availability_by_id(market.id)
    assert (a.cap, a.seated, a.held, a.waiting, a.open) == (5, 2, 2, 0, 1)
    # Both people waiting got an offer, first come first served, each with a held seat.
    db.session.expire_all()
    assert db.session.get(WaitlistEntry, first.id).status == WaitlistEntry.OFFERED
    assert_accessible(page)

    # The public widget polls; at its next refresh it shows the open seat.
    widget.get_by_text("Few left").wait_for(timeout=10_000)
    expect(widget).to_contain_text("1 of 5 seats open")

    page.goto(live_server.url + "/admin/")
    expect(
        page.get_by_role("img", name="Seats in use against the cap in 1 markets")
    ).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/admin/markets/{market.id}")
    assert_accessible(page)
    page.get_by_role("link", name="Release Officer 0").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Release Officer 0's seat?")
    assert_accessible(page)
    page.get_by_role("button", name="Release the seat").click()
    expect(page.get_by_role("status")).to_have_text("Released the seat of Officer 0.")
    page.goto(f"{live_server.url}/admin/markets/new")
    assert_accessible(page)


def test_cap_edit_without_javascript(nojs_page, live_server):
    page = nojs_page
    accounts.create_staff("dana@example.com", PASSWORD)
    market = make_market(cap=2)
    page.goto(live_server.url + "/admin/login")
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/admin/markets")
    page.get_by_role("link", name=f"Edit seat cap of {market.name}").click()
    assert page.url == f"{live_server.url}/admin/markets/{market.id}/cap"
    page.get_by_label(f"Seat cap for {market.name}").fill("4")
    page.get_by_role("button", name="Save cap").click()
    assert page.url == f"{live_server.url}/admin/markets#market-{market.id}"
    expect(page.get_by_role("status").first).to_contain_text("seat cap 2 → 4")
