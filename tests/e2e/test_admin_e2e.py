"""The staff admin in a real browser: sign in, move around, sign out; axe clean throughout."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mortgage_connect.clock import utcnow
from mortgage_connect.staff import accounts
from mortgage_connect.waitlist import places
from tests.e2e.conftest import assert_accessible
from tests.factories import make_host
from tests.factories import make_market
from tests.factories import seat_n

pytestmark = pytest.mark.clock

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_email(live_server):
    """A staff account in the live server's database."""
    accounts.create_staff("dana@example.com", PASSWORD, name="Dana Reyes")
    return "dana@example.com"


def sign_in(page, base_url: str, email: str, password: str = PASSWORD):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_work_and_sign_out(page, live_server, staff_email):
    page.goto(live_server.url + "/admin/audit")
    assert page.url.startswith(live_server.url + "/admin/login?next=")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    assert_accessible(page)

    sign_in(page, live_server.url, staff_email, "not the right one")
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password don't match a staff account."
    )
    expect(page.get_by_label("Password")).to_have_value("")
    assert_accessible(page)

    sign_in(page, live_server.url, staff_email)
    assert page.url == live_server.url + "/admin/audit"
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    assert page.get_by_role("cell", name="staff.sign_in").count() == 1
    assert_accessible(page)

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    assert_accessible(page)

    page.goto(live_server.url + "/admin/reauth?next=/admin/")
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    assert page.url == live_server.url + "/admin/"

    page.get_by_role("button", name="Sign out").click()
    assert page.url == live_server.url + "/admin/login"
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.go_back()
    page.reload()
    assert page.url.startswith(live_server.url + "/admin/login")


def test_calls_and_outbox_pages_are_accessible(page, live_server, staff_email):
    from datetime import timedelta

    from mortgage_connect import booking

    market = make_market()
    make_host()
    start = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    details = booking.Details(
        name="Pat Prospect", email="pat@example.com", phone="214-555-0187",
        company="Prospect Home Loans", lead_source="shared", time_zone="America/Chicago",
        consent=True,
    )  # fmt: skip
    booking.book(market.id, start + timedelta(days=3), details, "form-a", now=start)
    page.goto(live_server.url + "/admin/login")
    sign_in(page, live_server.url, staff_email)
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Calls").click()
    expect(page.get_by_role("cell", name="Dallas–Fort Worth")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel the call with Pat Prospect").click()
    assert_accessible(page)
    page.get_by_label("Something else").check()
    page.get_by_label("Tell us more (optional)").fill("Booked twice")
    page.get_by_role("button", name="Cancel the call").click()
    expect(page.get_by_text("the cancellation was emailed")).to_be_visible()
    expect(page.get_by_text("Reason: Something else: “Booked twice”")).to_be_visible()
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Outbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    assert_accessible(page)


def test_host_pages_are_accessible(page, live_server, staff_email):
    host = make_host("Ana Lee", zone="America/Chicago")
    page.goto(live_server.url + "/admin/login")
    sign_in(page, live_server.url, staff_email)
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Hosts").click()
    assert_accessible(page)
    page.get_by_role("link", name="Ana Lee").click()
    page.get_by_label("Tuesday", exact=True).fill("25:00-26:00")
    page.get_by_role("button", name="Save hours").click()
    expect(page.get_by_text("Write each range as 09:00–12:00")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Tuesday", exact=True).fill("09:00-12:00, 13:00-17:00")
    page.get_by_role("button", name="Save hours").click()
    expect(page.get_by_label("Tuesday", exact=True)).to_have_value("09:00–12:00, 13:00–17:00")
    page.goto(f"{live_server.url}/admin/hosts/{host.id}")
    page.get_by_label("From", exact=True).fill("2026-12-24T09:00")
    page.get_by_label("Until", exact=True).fill("2026-12-26T18:00")
    page.get_by_role("button", name="Add time off").click()
    expect(page.get_by_text("Time off added.")).to_be_visible()
    page.goto(live_server.url + "/admin/blackouts")
    assert_accessible(page)
    page.goto(live_server.url + "/admin/hosts/new")
    assert_accessible(page)


def test_market_waitlist_and_dashboard_chart_are_accessible(page, live_server, staff_email):
    market = make_market(cap=1)
    seat_n(market.id, 1)
    for name in ("Wren First", "Sol Second"):
        places.join(
            market.id,
            name=name,
            email=f"{name.split()[0].lower()}@lender.example",
            phone="214-555-0100",
            company="Lending Co",
        )
    page.goto(f"{live_server.url}/admin/markets/{market.id}")
    sign_in(page, live_server.url, staff_email)
    queue = page.get_by_role("table", name=f"The waitlist of {market.name}, in order of joining")
    assert queue.get_by_role("row").count() == 3
    assert_accessible(page)

    page.get_by_role("button", name="Offer the next open seat now").click()
    expect(page.get_by_role("status")).to_contain_text("No seat is free")
    assert_accessible(page)

    page.get_by_role("link", name="Remove from the queue: Wren First").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove Wren First from the waitlist?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Remove from the queue").click()
    expect(page.get_by_role("status")).to_have_text("Wren First was taken off the waitlist.")
    assert queue.get_by_role("row").count() == 2
    assert_accessible(page)

    page.goto(live_server.url + "/admin/")  # the dashboard charts the waitlist that is left
    waitlists = page.get_by_role("table", name="Waitlist by market")
    assert waitlists.get_by_role("row").count() == 2
    assert page.get_by_role("img", name="People waiting").count() == 1
    assert_accessible(page)
