"""The seat rules: arithmetic, seats and holds, caps, price history and quotes."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest
from sqlalchemy import select

from mortgage_connect import capacity
from mortgage_connect.capacity import Status
from mortgage_connect.extensions import db
from mortgage_connect.models import Quote
from mortgage_connect.models import Seat
from tests.factories import issue_quote
from tests.factories import make_market
from tests.factories import PRICES
from tests.factories import seat_n


def quote_by_reference(reference: str):
    """The stored quote with this reference."""
    return db.session.scalars(select(Quote).where(Quote.reference == reference)).one()


T0 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


# -- arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "seated", "held", "waiting", "expected"),
    [
        (5, 0, 0, 0, 5),
        (5, 2, 1, 0, 2),
        (5, 2, 1, 1, 1),
        (5, 5, 0, 0, 0),
        (3, 5, 0, 0, 0),  # cap lowered below the seats in use: never below zero
        (5, 3, 3, 2, 0),
        (0, 0, 0, 0, 0),
    ],
)
def test_open_seats(cap, seated, held, waiting, expected):
    assert capacity.open_seats(cap, seated, held, waiting) == expected


@pytest.mark.parametrize(
    ("open_count", "status"),
    [(0, Status.FULL), (1, Status.FEW_LEFT), (2, Status.FEW_LEFT), (3, Status.OPEN)],
)
def test_status_for(open_count, status):
    assert capacity.status_for(open_count) is status


def test_status_labels():
    assert [s.label for s in Status] == ["Open", "Few left", "Full"]
    assert [s.css for s in Status] == ["open", "few", "full"]


# -- seats and holds -------------------------------------------------------------------------


def test_seating_counts_down_to_full_and_then_refuses(app):
    market = make_market(cap=3)
    seat_n(market.id, 2)
    a = capacity.get_availability("dallas-fort-worth")
    assert (a.cap, a.seated, a.held, a.open, a.status) == (3, 2, 0, 1, Status.FEW_LEFT)
    capacity.seat(market.id, name="Last One", email="last@lender.example")
    with pytest.raises(capacity.MarketFull, match="Dallas–Fort Worth is full"):
        capacity.seat(market.id, name="Too Late", email="late@lender.example")
    a = capacity.availability_by_id(market.id)
    assert (a.seated, a.open, a.status, a.full) == (3, 0, Status.FULL, True)
    assert db.session.query(Seat).count() == 3


def test_release_frees_a_seat_and_keeps_history(app):
    market = make_market(cap=1)
    (taken,) = seat_n(market.id, 1)
    capacity.release_seat(taken.id)
    assert capacity.get_availability(market.slug).open == 1
    row = db.session.get(Seat, taken.id)
    assert row.released_at is not None  # kept as history, not deleted
    with pytest.raises(capacity.AlreadyReleased):
        capacity.release_seat(taken.id)
    capacity.seat(market.id, name="Next", email="next@lender.example")
    assert capacity.get_availability(market.slug).open == 0


def test_release_unknown_or_wrong_kind(app):
    market = make_market(cap=2)
    (taken,) = seat_n(market.id, 1)
    with pytest.raises(capacity.UnknownSeat):
        capacity.release_seat(99999)
    with pytest.raises(capacity.UnknownSeat):
        capacity.release_hold(taken.id)  # a seated officer is not a hold


def test_holds_count_until_they_expire(app):
    market = make_market(cap=2)
    held = capacity.hold(market.id, name="Offered", email="o@lender.example", hours=48, now=T0)
    assert held.expires_at == T0 + timedelta(hours=48)
    assert held.expires_at.tzinfo is not None  # aware on SQLite too
    a = capacity.get_availability(market.slug, now=T0 + timedelta(hours=47))
    assert (a.held, a.open) == (1, 1)
    a = capacity.get_availability(market.slug, now=T0 + timedelta(hours=48, seconds=1))
    assert (a.held, a.open) == (0, 2)  # expired by time, without any write


def test_hold_refused_when_full_and_released_early(app):
    market = make_market(cap=1)
    held = capacity.hold(market.id, name="Offered", email="o@lender.example", now=T0)
    with pytest.raises(capacity.MarketFull):
        capacity.hold(market.id, name="Second", email="s@lender.example", now=T0)
    with pytest.raises(capacity.MarketFull):
        capacity.seat(market.id, name="Walk In", email="w@lender.example", now=T0)
    capacity.release_hold(held.id, now=T0 + timedelta(hours=1))
    assert capacity.get_availability(market.slug, now=T0 + timedelta(hours=1)).open == 1


def test_expired_hold_frees_the_seat_for_someone_else(app):
    market = make_market(cap=1)
    capacity.hold(market.id, name="Offered", email="o@lender.example", hours=1, now=T0)
    later = T0 + timedelta(hours=2)
    capacity.seat(market.id, name="Walk In", email="w@lender.example", now=later)
    a = capacity.get_availability(market.slug, now=later)
    assert (a.seated, a.held, a.open) == (1, 0, 0)


def test_confirm_hold_turns_it_into_a_seat_without_needing_another(app):
    market = make_market(cap=1)
    held = capacity.hold(market.id, name="Offered", email="o@lender.example", now=T0)
    taken = capacity.confirm_hold(held.id, now=T0 + timedelta(hours=1))
    assert (taken.kind, taken.name, taken.email) == ("seated", "Offered", "o@lender.example")
    a = capacity.get_availability(market.slug, now=T0 + timedelta(hours=1))
    assert (a.seated, a.held, a.open) == (1, 0, 0)
    with pytest.raises(capacity.AlreadyReleased):
        capacity.confirm_hold(held.id)


def test_confirm_expired_hold_needs_an_open_seat(app):
    market = make_market(cap=1)
    held = capacity.hold(market.id, name="Offered", email="o@lender.example", hours=1, now=T0)
    later = T0 + timedelta(hours=2)
    capacity.seat(market.id, name="Walk In", email="w@lender.example", now=later)
    with pytest.raises(capacity.MarketFull, match="expired"):
        capacity.confirm_hold(held.id, now=later)


def test_active_seats_lists_seated_and_live_holds(app):
    market = make_market(cap=4)
    (seated,) = seat_n(market.id, 1, now=T0)
    live = capacity.hold(market.id, name="Live", email="l@x.example", hours=10, now=T0)
    capacity.hold(market.id, name="Stale", email="s@x.example", hours=1, now=T0)
    ids = [s.id for s in capacity.active_seats(market.id, now=T0 + timedelta(hours=2))]
    assert ids == [seated.id, live.id]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "", "email": "a@b.example"}, "name"),
        ({"name": "A", "email": "not-an-email"}, "email"),
        ({"name": "A", "email": "a b@c.example"}, "email"),
        ({"name": "A", "email": "a@b.example", "nmls_id": "12ab"}, "NMLS"),
        ({"name": "A" * 121, "email": "a@b.example"}, "name"),
    ],
)
def test_seat_validates_the_person(app, kwargs, message):
    market = make_market()
    with pytest.raises(capacity.InvalidInput, match=message):
        capacity.seat(market.id, **kwargs)
    assert capacity.get_availability(market.slug).seated == 0


def test_unknown_market(app):
    with pytest.raises(capacity.UnknownMarket):
        capacity.seat(424242, name="A", email="a@b.example")
    assert capacity.get_availability("no-such-market") is None
    assert capacity.get_availability("Not A Slug!") is None
    assert capacity.get_availability("../etc/passwd") is None


# -- the cap ---------------------------------------------------------------------------------


def test_cap_lowered_below_seats_in_use_unseats_nobody(app):
    market = make_market(cap=5)
    seat_n(market.id, 4)
    capacity.set_cap(market.id, 2)
    a = capacity.get_availability(market.slug)
    assert (a.cap, a.seated, a.open, a.status, a.over_cap) == (2, 4, 0, Status.FULL, True)
    with pytest.raises(capacity.MarketFull):
        capacity.seat(market.id, name="New", email="n@lender.example")
    # Two releases bring it back to the cap, still full; a third opens a seat.
    for s in capacity.active_seats(market.id)[:3]:
        capacity.release_seat(s.id)
    a = capacity.get_availability(market.slug)
    assert (a.seated, a.open, a.status) == (1, 1, Status.FEW_LEFT)


def test_set_cap_checks_the_version_against_lost_updates(app):
    market = make_market(cap=5)
    version = capacity.get_availability(market.slug).market.version
    capacity.set_cap(market.id, 6, expected_version=version)
    with pytest.raises(capacity.StaleMarket) as refused:
        capacity.set_cap(market.id, 7, expected_version=version)  # a second editor, stale
    assert refused.value.market.seat_cap == 6
    assert capacity.get_availability(market.slug).market.seat_cap == 6


@pytest.mark.parametrize("cap", [-1, 1001, 2.5, "5", True])
def test_set_cap_refuses_nonsense(app, cap):
    market = make_market(cap=5)
    with pytest.raises(capacity.InvalidInput):
        capacity.set_cap(market.id, cap)
    assert capacity.get_availability(market.slug).market.seat_cap == 5


# -- prices and quotes -----------------------------------------------------------------------


def test_price_change_adds_a_sheet_and_keeps_history(app):
    market = make_market(prices=dict(PRICES, effective_at=T0))
    first = capacity.current_sheet(market.id, now=T0 + timedelta(days=1))
    assert first.price_per_lead_cents == 8500
    capacity.change_prices(
        market.id, **dict(PRICES, price_per_lead_cents=9500), now=T0 + timedelta(days=10)
    )
    current = capacity.current_sheet(market.id, now=T0 + timedelta(days=11))
    assert current.price_per_lead_cents == 9500
    history = capacity.price_history(market.id)
    assert [s.price_per_lead_cents for s in history] == [9500, 8500]
    # The old sheet is still what applied on its dates.
    assert capacity.current_sheet(market.id, now=T0 + timedelta(days=5)).id == first.id


def test_future_dated_sheet_waits_for_its_date(app):
    market = make_market(prices=dict(PRICES, effective_at=T0))
    capacity.change_prices(
        market.id,
        **dict(PRICES, price_per_lead_cents=9900),
        effective_at=T0 + timedelta(days=30),
        now=T0 + timedelta(days=1),
    )
    assert (
        capacity.current_sheet(market.id, now=T0 + timedelta(days=29)).price_per_lead_cents == 8500
    )
    assert (
        capacity.current_sheet(market.id, now=T0 + timedelta(days=30)).price_per_lead_cents == 9900
    )


def test_price_change_bumps_version_and_refuses_stale_editor(app):
    market = make_market()
    version = capacity.get_availability(market.slug).market.version
    capacity.change_prices(market.id, **PRICES, expected_version=version)
    with pytest.raises(capacity.StaleMarket):
        capacity.change_prices(market.id, **PRICES, expected_version=version)
    assert len(capacity.price_history(market.id)) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_per_lead_cents", 0),
        ("price_per_lead_cents", 85.5),
        ("monthly_minimum_leads", -1),
        ("setup_fee_cents", -100),
        ("return_window_days", 400),
        ("credit_policy", "   "),
    ],
)
def test_price_change_validates(app, field, value):
    market = make_market()
    with pytest.raises(capacity.InvalidInput):
        capacity.change_prices(market.id, **dict(PRICES, **{field: value}))
    assert len(capacity.price_history(market.id)) == 1


def test_quote_keeps_its_numbers_after_the_price_changes(app):
    market = make_market(prices=dict(PRICES, effective_at=T0))
    quote = issue_quote(market.id, now=T0 + timedelta(days=1), valid_days=30)
    reference = quote.reference
    capacity.change_prices(
        market.id,
        price_per_lead_cents=12000,
        monthly_minimum_leads=50,
        setup_fee_cents=99900,
        return_window_days=3,
        credit_policy="Changed policy.",
        now=T0 + timedelta(days=2),
    )
    db.session.expire_all()
    kept = quote_by_reference(reference)
    assert (
        kept.price_per_lead_cents,
        kept.monthly_minimum_leads,
        kept.setup_fee_cents,
        kept.return_window_days,
        kept.credit_policy,
    ) == (8500, 30, 50000, 7, PRICES["credit_policy"])
    assert kept.monthly_minimum_cents == 8500 * 30
    assert kept.sheet_effective_at == T0
    assert kept.issued_at == T0 + timedelta(days=1)
    assert kept.valid_until == T0 + timedelta(days=31)
    assert kept.is_valid(T0 + timedelta(days=31)) and not kept.is_valid(T0 + timedelta(days=32))
    # A new quote gets the new numbers.
    fresh = issue_quote(market.id, now=T0 + timedelta(days=3))
    assert fresh.price_per_lead_cents == 12000 and fresh.reference != reference


def test_quote_reference_format_and_default_validity(app):
    app.config["QUOTE_VALID_DAYS"] = 14
    market = make_market(prices=dict(PRICES, effective_at=T0))
    quote = issue_quote(market.id, now=T0)
    assert quote.reference.startswith("Q-2026-")
    code = quote.reference.rsplit("-", 1)[1]
    assert len(code) == 6 and set(code) <= set(capacity.QUOTE_ALPHABET)
    assert quote.valid_until == T0 + timedelta(days=14)
    assert quote_by_reference(quote.reference).id == quote.id


def test_quote_reference_collision_is_retried(app, monkeypatch):
    market = make_market(prices=dict(PRICES, effective_at=T0))
    first = issue_quote(market.id, now=T0)
    references = iter([first.reference, "Q-2026-ABCDEF"])
    monkeypatch.setattr(capacity, "new_reference", lambda now: next(references))
    second = issue_quote(market.id, now=T0)
    assert second.reference == "Q-2026-ABCDEF"
    assert db.session.execute(select(Quote.reference)).scalars().all().count(first.reference) == 1


def test_no_quote_without_a_price_sheet(app):
    market = make_market(prices=None)
    with pytest.raises(capacity.NoPriceSheet):
        issue_quote(market.id)


# -- markets, search and check ---------------------------------------------------------------


def test_create_market_validates(app):
    make_market()
    with pytest.raises(capacity.InvalidInput, match="already exists"):
        make_market()
    with pytest.raises(capacity.InvalidInput, match="time zone"):
        make_market("x-market", time_zone="Mars/Olympus")
    with pytest.raises(capacity.InvalidInput, match="state"):
        make_market("y-market", states="XX")
    with pytest.raises(capacity.InvalidInput):
        make_market("Bad Slug")
    with pytest.raises(capacity.InvalidInput):
        make_market("check")  # /markets/check is taken


def test_market_slugs_for_the_sitemap(app):
    make_market("houston", aliases="Houston")
    make_market("austin", aliases="Austin")
    assert capacity.market_slugs() == ["austin", "houston"]


def test_availability_fingerprint_follows_the_count(app):
    market = make_market(cap=3)
    a1 = capacity.get_availability(market.slug).fingerprint()
    assert capacity.get_availability(market.slug).fingerprint() == a1
    seat_n(market.id, 1)
    a2 = capacity.get_availability(market.slug).fingerprint()
    capacity.set_cap(market.id, 4)
    a3 = capacity.get_availability(market.slug).fingerprint()
    assert len({a1, a2, a3}) == 3
