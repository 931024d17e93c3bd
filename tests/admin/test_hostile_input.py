"""Hostile input in any admin field: a message or escaped text, never a 500 — for every route."""

from __future__ import annotations

from werkzeug.routing.converters import NumberConverter

from tests.market_helpers import make_market
from tests.market_helpers import seat_n

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1) hx-get="/admin/logout" hx-trigger="load">',
    "-1",
    "9" * 400,
    "85.505",
    "1e308",
    "NaN",
    "\x00\x01\x7f",
    "\u202e\ufeff\U0001f4a5",
    "' OR 1=1 --",
    "x" * 20_000,
]

FIELDS = [
    "email", "password", "next", "version", "confirm", "seat_cap", "price_per_lead",
    "monthly_minimum_leads", "setup_fee", "return_window_days", "credit_policy", "name",
    "official_name", "slug", "states", "time_zone", "aliases", "kind", "seat-name", "seat-email",
    "seat-company", "seat-nmls_id", "hold-name", "hold-email", "hold-company", "hold-nmls_id",
    "hold-hours",
]  # fmt: skip


def post_urls(app):
    """Every admin URL that takes a POST, except signing out."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or "POST" not in rule.methods:
            continue
        if rule.endpoint == "admin.logout":
            continue
        values = {
            n: 1 if isinstance(c, NumberConverter) else "x" for n, c in rule._converters.items()
        }
        yield adapter.build(rule.endpoint, values)


def test_every_admin_form_survives_hostile_values(app, signed_in):
    market = make_market(cap=3)
    seat_n(market.id, 1)
    urls = list(post_urls(app))
    assert len(urls) >= 7
    for url in urls:
        for value in HOSTILE:
            data = {name: value for name in FIELDS}
            for headers in ({}, {"HX-Request": "true"}):
                response = signed_in.post(url, data=data, headers=headers)
                assert response.status_code < 500, (url, value[:20], response.status_code)
                body = response.get_data(as_text=True)
                assert "<script>alert(1)" not in body, (url, value[:20])
                assert "<img src=x onerror" not in body, (url, value[:20])
    # Still signed in, and nothing hostile was saved over the market.
    assert signed_in.get("/admin/").status_code == 200
    assert signed_in.get(f"/admin/markets/{market.id}").status_code == 200


def test_control_characters_in_otherwise_valid_forms_get_a_message(app, signed_in):
    market = make_market(cap=3)
    url = f"/admin/markets/{market.id}"
    seat = {"seat-name": "Ann\x00Lee", "seat-email": "ann@lender.example", "seat-company": "A\x07"}
    response = signed_in.post(url + "/seats", data=seat)
    assert response.status_code == 422
    assert "Remove the control characters" in response.get_data(as_text=True)
    prices = {
        "version": "1",
        "price_per_lead": "85",
        "monthly_minimum_leads": "30",
        "setup_fee": "0",
        "return_window_days": "7",
        "credit_policy": "Credits\x00 within 7 days.\r\nSecond line\tkept.",
    }
    response = signed_in.post(url + "/prices", data=prices)
    assert response.status_code == 422
    assert "Remove the control characters" in response.get_data(as_text=True)
    prices["credit_policy"] = "Credits within 7 days.\r\nSecond line\tkept."
    assert signed_in.post(url + "/prices", data=prices).status_code == 303
