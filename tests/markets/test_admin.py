"""The markets screen: caps and prices edited in place, stale saves refused, changes audited."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from mortgage_connect import capacity
from mortgage_connect.extensions import db
from mortgage_connect.models import AuditLog
from mortgage_connect.models import Market
from mortgage_connect.models import PriceSheet
from mortgage_connect.models import Quote
from tests.conftest import admin_client
from tests.factories import issue_quote
from tests.factories import make_market
from tests.factories import PASSWORD
from tests.factories import PRICES
from tests.factories import seat_n
from tests.factories import sign_in

HX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/admin/markets"}


def prices(**changes) -> dict:
    """The price form's fields for PRICES, with changes."""
    values = {
        "price_per_lead": "85.00",
        "monthly_minimum_leads": "30",
        "setup_fee": "500",
        "return_window_days": "7",
        "credit_policy": PRICES["credit_policy"],
    }
    values.update(changes)
    return values


def audit_rows(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def market(market_id: int) -> Market:
    db.session.expire_all()
    return db.session.get(Market, market_id)


@pytest.fixture
def dallas(app):
    m = make_market(cap=5)
    seat_n(m.id, 2)
    capacity.hold(m.id, name="Held Person", email="held@lender.example")
    return m


def test_table_shows_cap_seated_held_waiting_open_and_price(signed_in, dallas):
    page = signed_in.get("/admin/markets")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    row = body.split(f'id="market-{dallas.id}"')[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].strip()[:12] for c in row.split("<td")[1:]]
    assert [c.split("<")[0].strip() for c in cells[:4]] == ["5", "2", "1", "0"]
    assert '<span class="status status-few">2</span>' in row
    assert "$85" in row


def test_cap_edited_in_place_with_htmx(signed_in, dallas):
    form = signed_in.get(f"/admin/markets/{dallas.id}/cap", headers=HX)
    assert form.status_code == 200
    assert form.headers["Vary"] == "HX-Request" or "HX-Request" in form.headers["Vary"]
    html = form.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="market-{dallas.id}" class="editing">')
    assert 'name="version" type="hidden" value="1"' in html

    saved = signed_in.post(
        f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "8", "version": "1"}, headers=HX
    )
    assert saved.status_code == 200
    html = saved.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="market-{dallas.id}">')
    assert "seat cap 5 → 8" in html
    assert market(dallas.id).seat_cap == 8
    [row] = audit_rows("market.cap")
    assert (row.entity_type, row.entity_id, row.actor) == (
        "market",
        str(dallas.id),
        "dana@example.com",
    )
    assert row.changes == [("seat_cap", 5, 8)]


def test_cap_edit_works_without_javascript(signed_in, dallas):
    page = signed_in.get(f"/admin/markets/{dallas.id}/cap")
    assert page.status_code == 200
    assert "<h1>Edit Dallas–Fort Worth</h1>" in page.get_data(as_text=True)
    saved = signed_in.post(
        f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "6", "version": "1"}
    )
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/admin/markets#market-{dallas.id}"
    table = signed_in.get("/admin/markets").get_data(as_text=True)
    assert "Dallas–Fort Worth: seat cap 5 → 6." in table
    assert signed_in.get(f"/admin/markets/{dallas.id}/row").status_code == 302


def test_lost_update_is_refused_and_current_values_shown(app, dallas, staff_member):
    first, second = admin_client(app), admin_client(app)
    for editor in (first, second):
        sign_in(editor, *staff_member)
    # Both open the editor on version 1 (the second sign-in ended the first's session,
    # so the first signs in again: one account, two editors is the same race).
    sign_in(first, *staff_member)
    ok = first.post(f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "7", "version": "1"})
    assert ok.status_code == 303
    sign_in(second, *staff_member)
    late = second.post(
        f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "3", "version": "1"}, headers=HX
    )
    html = late.get_data(as_text=True)
    assert late.status_code == 200  # htmx swaps it into the row
    assert "Someone else changed this market" in html
    assert 'value="7"' in html and 'name="version" type="hidden" value="2"' in html
    assert market(dallas.id).seat_cap == 7
    plain = second.post(f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "3", "version": "1"})
    assert plain.status_code == 409
    assert len(audit_rows("market.cap")) == 1


def test_stale_price_sheet_is_refused(signed_in, dallas):
    first = signed_in.post(f"/admin/markets/{dallas.id}/prices", data=prices(version="1"))
    assert first.status_code == 303
    again = signed_in.post(
        f"/admin/markets/{dallas.id}/prices", data=prices(price_per_lead="10", version="1")
    )
    assert again.status_code == 409
    assert "Someone else changed this market" in again.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(PriceSheet.price_per_lead_cents).order_by(PriceSheet.id.desc()).limit(1)
        )
        == 8500
    )


def test_missing_or_garbled_version_is_treated_as_stale(signed_in, dallas):
    for version in ("", "abc", "-1", "9" * 30):
        response = signed_in.post(
            f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "9", "version": version}
        )
        assert response.status_code == 409, version
    assert market(dallas.id).seat_cap == 5


def test_lowering_below_seats_in_use_asks_first_and_unseats_nobody(signed_in, dallas):
    ask = signed_in.post(
        f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "1", "version": "1"}, headers=HX
    )
    html = ask.get_data(as_text=True)
    assert "3 seats in use (seated and held). A cap of 1 unseats nobody" in html
    assert "Lower the cap to 1" in html
    assert 'name="confirm" type="hidden" value="1"' in html
    assert market(dallas.id).seat_cap == 5
    done = signed_in.post(
        f"/admin/markets/{dallas.id}/cap",
        data={"seat_cap": "1", "version": "1", "confirm": "1"},
        headers=HX,
    )
    assert "seat cap 5 → 1" in done.get_data(as_text=True)
    a = capacity.availability_by_id(dallas.id)
    assert (a.cap, a.seated, a.held, a.open) == (1, 2, 1, 0)
    # A confirmation for another number does not count.
    again = signed_in.post(
        f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "0", "version": "2", "confirm": "1"}
    )
    assert "Lower the cap to 0" in again.get_data(as_text=True)
    assert market(dallas.id).seat_cap == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("<script>alert(1)</script>", "Enter a whole number from 0 to 1,000."),
        ('5" hx-get="/admin/logout" hx-trigger="load', "Enter a whole number from 0 to 1,000."),
        ("-3", "Enter a whole number from 0 to 1,000."),
        ("99999999999999999999999", "Enter a whole number from 0 to 1,000."),
        ("1001", "Enter a whole number from 0 to 1,000."),
        ("1e3", "Enter a whole number from 0 to 1,000."),
        ("5.5", "Enter a whole number from 0 to 1,000."),
        ("", "Enter a whole number from 0 to 1,000."),
        ("\u0661\u0662", "Enter a whole number from 0 to 1,000."),
        ("\x00", "Enter a whole number from 0 to 1,000."),
    ],
)
def test_hostile_cap_gets_a_message_in_the_row(signed_in, dallas, value, message):
    response = signed_in.post(
        f"/admin/markets/{dallas.id}/cap", data={"seat_cap": value, "version": "1"}, headers=HX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "<script>alert" not in html and 'hx-get="/admin/logout"' not in html
    assert market(dallas.id).seat_cap == 5
    plain = signed_in.post(
        f"/admin/markets/{dallas.id}/cap", data={"seat_cap": value, "version": "1"}
    )
    assert plain.status_code == 422


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price_per_lead", "85.505", "Use at most two decimals"),
        ("price_per_lead", "-85", "Enter an amount in dollars"),
        ("price_per_lead", "0", "Enter an amount from $0.01 to $10,000.00."),
        ("price_per_lead", "1" * 40, "Enter an amount in dollars"),
        ("price_per_lead", "<b>85</b>", "Enter an amount in dollars"),
        ("price_per_lead", "NaN", "Enter an amount in dollars"),
        ("setup_fee", "1e9", "Enter an amount in dollars"),
        ("setup_fee", "99999999999", "Enter an amount from $0.00 to $1,000,000.00."),
        ("monthly_minimum_leads", "-1", "Enter a whole number from 0 to 10,000."),
        ("return_window_days", "366", "Enter a whole number from 0 to 365."),
        ("credit_policy", "", "Describe the credit policy."),
        ("credit_policy", "x" * 2001, "Keep the credit policy under 2,000 characters."),
    ],
)
def test_hostile_prices_get_a_message_in_the_row(signed_in, dallas, field, value, message):
    response = signed_in.post(
        f"/admin/markets/{dallas.id}/prices", data=prices(version="1", **{field: value}), headers=HX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "<b>85</b>" not in html
    assert db.session.scalar(select(PriceSheet.id).order_by(PriceSheet.id.desc()).limit(1)) == 1


def test_price_change_makes_a_new_sheet_and_old_quotes_keep_their_numbers(signed_in, dallas):
    quote = issue_quote(dallas.id)
    response = signed_in.post(
        f"/admin/markets/{dallas.id}/prices",
        data=prices(
            price_per_lead="$1,095.5",
            setup_fee="0",
            version="1",
            credit_policy="<script>x</script> Credits within 5 days.",
        ),
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert "new prices in effect from now" in html
    assert "$1,095.50" in html
    sheets = capacity.price_history(dallas.id)
    assert [s.price_per_lead_cents for s in sheets] == [109550, 8500]
    db.session.expire_all()
    kept = db.session.get(Quote, quote.id)
    assert (kept.price_per_lead_cents, kept.setup_fee_cents) == (8500, 50000)
    [row] = audit_rows("market.price")
    changed = dict((k, (b, a)) for k, b, a in row.changes)
    assert changed["price_per_lead_cents"] == (8500, 109550)
    assert changed["setup_fee_cents"] == (50000, 0)
    detail = signed_in.get(f"/admin/markets/{dallas.id}").get_data(as_text=True)
    assert "<script>x</script>" not in detail and "&lt;script&gt;x&lt;/script&gt;" in detail


def test_cap_and_price_changes_need_a_recent_sign_in(signed_in, dallas):
    with signed_in.session_transaction() as session:
        session["signed_in_at"] = int(time.time()) - 20 * 60
    plain = signed_in.post(
        f"/admin/markets/{dallas.id}/cap",
        data={"seat_cap": "9", "version": "1"},
        headers={"Referer": "http://localhost/admin/markets"},
    )
    assert plain.status_code == 303
    assert plain.headers["Location"] == "/admin/reauth?next=/admin/markets"
    fragment = signed_in.post(
        f"/admin/markets/{dallas.id}/prices", data=prices(version="1"), headers=HX
    )
    assert fragment.status_code == 403
    assert fragment.headers["HX-Redirect"] == "/admin/reauth?next=/admin/markets"
    assert signed_in.get(f"/admin/markets/{dallas.id}/cap").status_code == 302
    assert market(dallas.id).seat_cap == 5
    signed_in.post("/admin/reauth", data={"password": PASSWORD, "next": "/admin/markets"})
    ok = signed_in.post(f"/admin/markets/{dallas.id}/cap", data={"seat_cap": "9", "version": "1"})
    assert ok.status_code == 303
    assert market(dallas.id).seat_cap == 9


def new_market_form(**changes) -> dict:
    values = {
        "name": "Boise",
        "official_name": "Boise City, ID",
        "slug": "boise",
        "states": "id",
        "time_zone": "America/Boise",
        "aliases": "Boise; Nampa; Meridian",
        "seat_cap": "4",
        **prices(),
    }
    values.update(changes)
    return values


def test_add_a_market(signed_in):
    response = signed_in.post("/admin/markets/new", data=new_market_form())
    assert response.status_code == 303
    boise = capacity.get_availability("boise").market
    assert response.headers["Location"] == f"/admin/markets/{boise.id}"
    assert (boise.seat_cap, boise.states) == (4, "ID")
    assert capacity.current_sheet(boise.id).price_per_lead_cents == 8500
    assert [r.entity_id for r in audit_rows("market.create")] == [str(boise.id)]
    assert len(audit_rows("market.price")) == 1
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Boise was added." in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"states": "ZZ"}, "States must be US state codes"),
        ({"time_zone": "Mars/Olympus"}, "is not an IANA time zone"),
        ({"slug": "Not A Slug"}, "Use lowercase letters and digits joined by hyphens."),
        ({"seat_cap": "-1"}, "Enter a whole number from 0 to 1,000."),
        ({"name": "<script>alert(1)</script>", "states": "ZZ"}, "States must be US state codes"),
    ],
)
def test_add_a_market_refuses_bad_values_with_messages(signed_in, changes, message):
    response = signed_in.post("/admin/markets/new", data=new_market_form(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "<script>alert(1)" not in html
    assert capacity.get_availability("boise") is None


def test_add_a_market_refuses_a_duplicate_address(signed_in, dallas):
    response = signed_in.post("/admin/markets/new", data=new_market_form(slug="dallas-fort-worth"))
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_seat_hold_and_release_from_the_market_page(signed_in, dallas):
    url = f"/admin/markets/{dallas.id}"
    seated = signed_in.post(
        url + "/seats",
        data={
            "seat-name": "Lee Park",
            "seat-email": "lee@lender.example",
            "seat-company": "Park Lending",
        },
    )
    assert seated.status_code == 303
    held = signed_in.post(
        url + "/holds",
        data={"hold-name": "Kim Ode", "hold-email": "kim@lender.example", "hold-hours": "24"},
    )
    assert held.status_code == 303
    page = signed_in.get(url).get_data(as_text=True)
    assert "Lee Park" in page and "Kim Ode" in page
    a = capacity.availability_by_id(dallas.id)
    assert (a.seated, a.held, a.open) == (3, 2, 0)

    full = signed_in.post(
        url + "/seats", data={"seat-name": "Too Late", "seat-email": "late@lender.example"}
    )
    assert full.status_code == 409
    assert "is full" in full.get_data(as_text=True)

    hold = next(s for s in capacity.active_seats(dallas.id) if s.name == "Kim Ode")
    officer = next(s for s in capacity.active_seats(dallas.id) if s.name == "Lee Park")
    confirm = signed_in.get(f"/admin/seats/{hold.id}/release")
    assert confirm.status_code == 200
    assert "Release the hold for Kim Ode?" in confirm.get_data(as_text=True)
    assert capacity.availability_by_id(dallas.id).held == 2  # asking changes nothing
    assert signed_in.post(f"/admin/seats/{hold.id}/release").status_code == 303
    page = signed_in.get(f"/admin/seats/{officer.id}/release").get_data(as_text=True)
    assert "Release Lee Park's seat?" in page
    assert signed_in.post(f"/admin/seats/{officer.id}/release").status_code == 303
    again = signed_in.post(f"/admin/seats/{officer.id}/release", follow_redirects=True)
    assert "Lee Park was already released." in again.get_data(as_text=True)
    assert signed_in.get("/admin/seats/999999/release").status_code == 404
    assert signed_in.post("/admin/seats/999999/release").status_code == 404
    a = capacity.availability_by_id(dallas.id)
    assert (a.seated, a.held) == (2, 1)
    assert [
        len(audit_rows(a)) for a in ("seat.add", "hold.add", "seat.release", "hold.release")
    ] == [1, 1, 1, 1]
    [added] = audit_rows("hold.add")
    assert dict((k, a) for k, _, a in added.changes)["name"] == "Kim Ode"


@pytest.mark.parametrize(
    "data",
    [
        {"seat-name": "", "seat-email": "x@y.example"},
        {"seat-name": "A", "seat-email": "not an email"},
        {"seat-name": "A", "seat-email": "a@b.example", "seat-nmls_id": "12ab"},
        {"seat-name": "<script>alert(1)</script>" * 20, "seat-email": "a@b.example"},
    ],
)
def test_seat_form_refuses_bad_values_with_messages(signed_in, dallas, data):
    response = signed_in.post(f"/admin/markets/{dallas.id}/seats", data=data)
    assert response.status_code == 422
    assert "<script>alert(1)" not in response.get_data(as_text=True)
    assert capacity.availability_by_id(dallas.id).seated == 2


def test_unknown_market_is_404_everywhere(signed_in):
    for url in (
        "/admin/markets/999",
        "/admin/markets/999/row",
        "/admin/markets/999/cap",
        "/admin/markets/999/prices",
    ):
        assert signed_in.get(url, headers=HX).status_code == 404, url
    assert signed_in.post("/admin/markets/999/seats", data={}).status_code == 404


# -- the table a page at a time --------------------------------------------------------------


@pytest.fixture
def seven_markets(app):
    """Seven markets, "Metro 1" to "Metro 7", three to a page; only Metro 5 has no prices."""
    app.config["MARKETS_PER_PAGE"] = 3
    return [
        make_market(f"metro-{i}", name=f"Metro {i}", prices=None if i == 5 else PRICES)
        for i in range(1, 8)
    ]


def _rows(html: str) -> list[str]:
    return re.findall(
        r'<tr id="market-\d+">\s*<th scope="row"><a href="[^"]+">(Metro \d)</a>', html
    )


def test_table_pages_with_prices_for_the_markets_shown(signed_in, seven_markets):
    html = signed_in.get("/admin/markets?page=2").get_data(as_text=True)
    assert _rows(html) == ["Metro 4", "Metro 5", "Metro 6"]
    assert "7 markets, 4–6 shown." in html
    assert html.count("$85") == 2 and '<span class="meta">none</span>' in html
    assert '<nav class="pager" aria-label="Pages">' in html
    assert 'href="/admin/markets?page=3" rel="next"' in html
    assert re.search(r'href="/admin/markets\?page=2" aria-current="page"', html)
    assert 'hx-get="/admin/markets?' not in html  # plain links: the whole page changes


@pytest.mark.parametrize(("page", "shown"), [("9", "Metro 7"), ("nine", "Metro 1")])
def test_table_page_that_does_not_exist_shows_the_nearest(signed_in, seven_markets, page, shown):
    response = signed_in.get("/admin/markets", query_string={"page": page})
    assert response.status_code == 200
    assert shown in _rows(response.get_data(as_text=True))


def test_save_without_javascript_returns_to_the_page_showing_the_market(signed_in, seven_markets):
    metro_7 = seven_markets[-1]
    saved = signed_in.post(
        f"/admin/markets/{metro_7.id}/cap", data={"seat_cap": "6", "version": "1"}
    )
    assert saved.headers["Location"] == f"/admin/markets?page=3#market-{metro_7.id}"
    table = signed_in.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Metro 7: seat cap 5 → 6." in table
    cancel = signed_in.get(f"/admin/markets/{metro_7.id}/row")
    assert cancel.headers["Location"] == f"/admin/markets?page=3#market-{metro_7.id}"
