"""The waitlist in a real browser: join a full market, find the place through the emailed
link, receive an offer by email and book a call through its link, or decline it behind a
confirmation; every page axe clean, and joining and leaving without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mortgage_connect import capacity
from mortgage_connect.extensions import db
from mortgage_connect.models import OutboxMessage
from tests.e2e.conftest import assert_accessible
from tests.factories import full_market
from tests.factories import join_n
from tests.factories import make_host

pytestmark = pytest.mark.clock


def _fill(page, email="ann.lee@lender.example"):
    page.get_by_label("Your name").fill("Ann Lee")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill("214-555-0187")
    page.get_by_label("Company").fill("Lone Star Lending")
    page.get_by_label("NMLS ID (optional)").fill("123456")


def emailed_link(live_server, email: str, path: str) -> str:
    """The link to `path` in the last email to an address, on the live server."""
    db.session.rollback()
    mail = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    found = re.search(rf"http://localhost({re.escape(path)}\S+)", mail.text_body)
    return live_server.url + found.group(1)


def expect_check_your_email(page, email="ann.lee@lender.example"):
    """What anyone who joins sees: the link went by email, and what to do if it doesn't come."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_role("status")).to_contain_text(f"to {email}")
    expect(page.get_by_text("look in your spam")).to_be_visible()


def test_join_see_the_place_get_an_offer_and_decline(page, live_server):
    market, seats = full_market(cap=1)
    join_n(market.id, 1)  # someone is already waiting
    page.goto(f"{live_server.url}/markets/{market.slug}")
    page.get_by_role("link", name="Join the waitlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Join the waitlist for Dallas–Fort Worth"
    )
    assert_accessible(page)

    # A mistake is shown beside its field, the rest of the input kept.
    _fill(page)
    page.get_by_label("Phone").fill("call me")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("#phone-error")).to_contain_text("Enter a phone number")
    expect(page.get_by_label("Company")).to_have_value("Lone Star Lending")
    expect(page.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("Phone").fill("214-555-0187")
    page.get_by_role("button", name="Join the waitlist").click()
    expect_check_your_email(page)
    assert_accessible(page)

    # The private link is in the email; it opens the place in line.
    status_url = emailed_link(live_server, "ann.lee@lender.example", "/waitlist/")
    page.goto(status_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("You are #2 for Dallas–Fort Worth")
    assert_accessible(page)

    # Joining again with the same address looks just the same, and sends the link again.
    page.goto(f"{live_server.url}/markets/{market.slug}/waitlist")
    _fill(page)
    page.get_by_role("button", name="Join the waitlist").click()
    expect_check_your_email(page)
    assert emailed_link(live_server, "ann.lee@lender.example", "/waitlist/") == status_url

    # A seat opens and goes to #1; Ann moves up. Then #1 declines and the seat is Ann's.
    capacity.release_seat(seats[0].id)
    page.goto(status_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("You are #1 for Dallas–Fort Worth")
    capacity.set_cap(market.id, 2)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "A seat in Dallas–Fort Worth is yours to take"
    )
    expect(page.locator(".offer")).to_contain_text("We are holding a seat")
    assert_accessible(page)

    page.get_by_role("link", name="Decline the offer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Decline the seat in Dallas–Fort Worth?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Yes, decline the offer").click()  # a real POST with CSRF
    expect(page.get_by_role("heading", level=1)).to_have_text("You declined the offer")
    assert_accessible(page)

    response = page.goto(status_url)
    assert response.status == 410
    expect(page.locator("#gone-message")).to_contain_text("You declined the seat")
    assert_accessible(page)


def test_join_and_leave_without_javascript(nojs_page, live_server):
    market, _ = full_market(cap=1)
    page = nojs_page
    page.goto(f"{live_server.url}/markets/{market.slug}/waitlist")
    _fill(page)
    page.get_by_role("button", name="Join the waitlist").click()
    expect_check_your_email(page)
    page.goto(emailed_link(live_server, "ann.lee@lender.example", "/waitlist/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are #1 for Dallas–Fort Worth")
    page.get_by_role("link", name="Leave the waitlist").click()
    page.get_by_role("button", name="Yes, leave the waitlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You left the waitlist")
    expect(page.get_by_role("link", name="Join the waitlist")).to_have_attribute(
        "href", re.compile(r"/markets/dallas-fort-worth/waitlist$")
    )


def test_the_offer_email_books_a_call_in_a_full_market(page, live_server):
    market, seats = full_market(cap=1)
    make_host()
    page.goto(f"{live_server.url}/markets/{market.slug}/waitlist")
    _fill(page)
    page.get_by_role("button", name="Join the waitlist").click()
    expect_check_your_email(page)
    status_url = emailed_link(live_server, "ann.lee@lender.example", "/waitlist/")

    capacity.release_seat(seats[0].id)  # a seat opens: the offer goes out by email
    db.session.rollback()
    offer = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.contains("yours to take"))
    ).one()
    assert (offer.recipient_name, offer.recipient) == ("Ann Lee", "ann.lee@lender.example")
    page.goto(emailed_link(live_server, "ann.lee@lender.example", "/book/dallas-fort-worth?offer="))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Book a 20-minute call: Dallas–Fort Worth"
    )
    expect(page.locator("#offer-notice")).to_contain_text("held for you until")
    assert_accessible(page)

    page.locator("a.slot").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.locator("#offer-notice")).to_be_visible()
    assert_accessible(page)
    _fill(page)
    page.get_by_label("Shared leads").check()
    page.get_by_label("You may contact me").check()
    page.get_by_role("button", name="Book the call").click()
    expect(page.get_by_text("Your call is booked")).to_be_visible()
    assert_accessible(page)

    page.goto(status_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your call about Dallas–Fort Worth is booked"
    )
    assert_accessible(page)
    assert urlsplit(page.url).path.startswith("/waitlist/")
