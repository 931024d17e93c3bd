"""The waitlist service and the queue rule: order, offers, expiry, leaving, declining."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mortgage_connect import capacity
from mortgage_connect import contact
from mortgage_connect import secret_links
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.models import Seat
from mortgage_connect.models import WaitlistEntry
from mortgage_connect.waitlist import places
from tests.factories import full_market
from tests.factories import join_n
from tests.factories import make_market
from tests.factories import tampered


def waiting_in(market_id: int) -> list:
    """The people waiting in a market, first in line first."""
    return list(
        db.session.scalars(
            select(W).where(W.market_id == market_id, W.status == W.WAITING).order_by(W.id)
        )
    )


pytestmark = pytest.mark.clock

W = WaitlistEntry


def places_of(joined):
    """Each joiner's current place (None when not waiting)."""
    return [places.place(db.session.get(W, j.entry.id)) for j in joined]


def statuses(joined):
    db.session.rollback()
    return [db.session.get(W, j.entry.id).status for j in joined]


def test_joining_a_full_market_lines_people_up_in_order(app):
    market, _ = full_market()
    joined = join_n(market.id, 3)
    assert [j.created for j in joined] == [True, True, True]
    assert places_of(joined) == [1, 2, 3]
    a = capacity.get_availability(market.slug)
    assert (a.seated, a.held, a.waiting, a.open, a.full) == (2, 0, 3, 0, True)


def test_the_same_email_joins_a_market_once(app):
    market, _ = full_market()
    first = join_n(market.id, 1)[0]
    again = places.join(
        market.id,
        name="Someone Else",
        email="  WAITER0@Lender.Example ",
        phone="214-555-0199",
        company="Other Co",
    )
    assert again.created is False
    assert again.entry.id == first.entry.id
    assert again.token == first.token
    assert db.session.query(W).count() == 1


def test_the_same_email_may_wait_in_two_markets(app):
    one, _ = full_market("dallas-fort-worth")
    two, _ = full_market("houston", aliases="Houston")
    assert join_n(one.id, 1)[0].created and join_n(two.id, 1)[0].created


def test_the_database_refuses_a_second_active_place_for_an_email(app):
    market, _ = full_market()
    entry = join_n(market.id, 1)[0].entry
    twin = W(
        market_id=market.id,
        name="Twin",
        email=entry.email,
        phone="1",
        company="C",
        status=W.WAITING,
        link_id="l" * 22,
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_someone_who_left_may_join_again_at_the_back(app):
    market, _ = full_market()
    first, second = join_n(market.id, 2)
    places.leave(first.token)
    again = join_n(market.id, 1)[0]
    assert again.created and again.token != first.token
    assert places_of([second, again]) == [1, 2]


def test_an_open_market_has_no_waitlist(app):
    market = make_market(cap=3)
    with pytest.raises(places.NotFull):
        join_n(market.id, 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("email", "not-an-email"), ("phone", " "), ("company", ""), ("nmls_id", "12a")],
)
def test_the_service_checks_details_itself(app, field, value):
    market, _ = full_market()
    details = {
        "name": "Ann",
        "email": "ann@lender.example",
        "phone": "214-555-0100",
        "company": "Co",
        field: value,
    }
    with pytest.raises(contact.InvalidContact):
        places.join(market.id, **details)


def test_people_waiting_keep_the_market_full_for_the_public(app):
    market, seats = full_market(cap=2)
    join_n(market.id, 1)
    capacity.set_cap(market.id, 3)  # the new seat goes to the person waiting, as an offer
    a = capacity.get_availability(market.slug)
    assert (a.seated, a.held, a.waiting, a.open) == (2, 1, 0, 0)
    with pytest.raises(capacity.MarketFull):
        capacity.seat(market.id, name="Public", email="public@lender.example")


def test_a_released_seat_is_offered_to_the_first_in_line(app):
    market, seats = full_market(cap=2)
    joined = join_n(market.id, 3)
    now = utcnow()
    capacity.release_seat(seats[0].id, now=now)
    assert statuses(joined) == [W.OFFERED, W.WAITING, W.WAITING]
    assert places_of(joined) == [None, 1, 2]
    first = db.session.get(W, joined[0].entry.id)
    hold_seat = db.session.get(Seat, first.offer_seat_id)
    assert hold_seat.kind == "held" and hold_seat.email == "waiter0@lender.example"
    assert first.offer_expires_at == hold_seat.expires_at == now + timedelta(hours=48)
    assert first.offer_open(now)
    a = capacity.get_availability(market.slug)
    assert (a.seated, a.held, a.waiting, a.open) == (1, 1, 2, 0)


def test_offer_hours_are_configurable(app):
    app.config["WAITLIST_OFFER_HOURS"] = 6
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 1)
    now = utcnow()
    capacity.release_seat(seats[0].id, now=now)
    assert db.session.get(W, joined[0].entry.id).offer_expires_at == now + timedelta(hours=6)


def test_two_freed_seats_go_to_the_first_two_exactly_once(app):
    market, _ = full_market(cap=2)
    joined = join_n(market.id, 3)
    capacity.set_cap(market.id, 4)
    capacity.advance_queue(market.id)  # settling again changes nothing
    assert statuses(joined) == [W.OFFERED, W.OFFERED, W.WAITING]
    assert places_of(joined) == [None, None, 1]
    assert db.session.query(Seat).filter_by(market_id=market.id, kind="held").count() == 2


def test_lowering_the_cap_offers_nothing(app):
    market, seats = full_market(cap=3)
    joined = join_n(market.id, 1)
    capacity.set_cap(market.id, 1)
    capacity.release_seat(seats[0].id)  # still 2 seated over a cap of 1
    assert statuses(joined) == [W.WAITING]


def test_an_expired_offer_passes_to_the_next(app):
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 2)
    start = utcnow()
    capacity.release_seat(seats[0].id, now=start)
    first_hold = db.session.get(W, joined[0].entry.id).offer_seat_id
    # Before the deadline nothing changes; after it, the offer moves on.
    capacity.advance_all(now=start + timedelta(hours=47))
    assert statuses(joined) == [W.OFFERED, W.WAITING]
    later = start + timedelta(hours=48, seconds=1)
    changes = capacity.advance_all(now=later)
    assert [e.id for e in changes.expired] == [joined[0].entry.id]
    assert [e.id for e in changes.offered] == [joined[1].entry.id]
    assert statuses(joined) == [W.EXPIRED, W.OFFERED]
    assert db.session.get(Seat, first_hold).released_at == later


def test_an_expired_hold_stops_counting_before_anyone_settles_it(app):
    market, seats = full_market(cap=1)
    join_n(market.id, 1)
    start = utcnow()
    capacity.release_seat(seats[0].id, now=start)
    a = capacity.get_availability(market.slug, now=start + timedelta(hours=49))
    # The offer lapsed by time: the seat is free; nobody else waits, so the public may have it.
    assert (a.held, a.waiting, a.open) == (0, 0, 1)


def test_leaving_renumbers_those_behind(app):
    market, _ = full_market()
    joined = join_n(market.id, 4)
    places.leave(joined[1].token)
    assert places_of(joined) == [1, None, 2, 3]
    assert statuses(joined)[1] == W.LEFT
    with pytest.raises(places.EntryGone, match="left"):
        places.leave(joined[1].token)


def test_leaving_with_an_offer_passes_it_on(app):
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 2)
    capacity.release_seat(seats[0].id)
    hold_id = db.session.get(W, joined[0].entry.id).offer_seat_id
    places.leave(joined[0].token)
    assert statuses(joined) == [W.LEFT, W.OFFERED]
    assert db.session.get(Seat, hold_id).released_at is not None


def test_declining_passes_the_offer_to_the_next(app):
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 2)
    capacity.release_seat(seats[0].id)
    places.decline(joined[0].token)
    assert statuses(joined) == [W.DECLINED, W.OFFERED]
    with pytest.raises(places.EntryGone, match="declined"):
        places.decline(joined[0].token)


def test_a_waiting_person_has_nothing_to_decline(app):
    market, _ = full_market()
    joined = join_n(market.id, 1)
    with pytest.raises(places.EntryGone, match="no offer yet"):
        places.decline(joined[0].token)


def test_declining_an_expired_offer_is_refused(app):
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 2)
    start = utcnow()
    capacity.release_seat(seats[0].id, now=start)
    with pytest.raises(places.EntryGone, match="expired"):
        places.decline(joined[0].token, now=start + timedelta(hours=49))
    assert statuses(joined) == [W.OFFERED, W.WAITING]  # the command settles it


def test_staff_releasing_an_offers_hold_moves_the_offer_on(app):
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 2)
    capacity.release_seat(seats[0].id)
    capacity.release_hold(db.session.get(W, joined[0].entry.id).offer_seat_id)
    assert statuses(joined) == [W.REMOVED, W.OFFERED]


def test_staff_confirming_an_offers_hold_seats_the_person(app):
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 2)
    capacity.release_seat(seats[0].id)
    taken = capacity.confirm_hold(db.session.get(W, joined[0].entry.id).offer_seat_id)
    assert taken.kind == "seated" and taken.email == "waiter0@lender.example"
    assert statuses(joined) == [W.SEATED, W.WAITING]


def test_links_are_signed_link_ids_and_tampering_finds_nothing(app):
    market, _ = full_market()
    joined = join_n(market.id, 1)[0]
    entry = db.session.get(W, joined.entry.id)
    stored = db.session.execute(select(W.__table__)).one()._asdict()
    assert joined.token not in {str(value) for value in stored.values()}
    assert entry.token_hash is None  # only links sent before signed link ids have one
    assert secret_links.link_id(secret_links.WAITLIST, joined.token) == entry.link_id
    assert places.find(joined.token).id == entry.id
    forged = entry.link_id + "." + "A" * 43
    booking_kind = secret_links.token(secret_links.BOOKING, entry.link_id)
    changed = tampered(joined.token)
    for bad in (changed, forged, booking_kind, "", "short", joined.token + "x", entry.link_id):
        assert places.find(bad) is None, bad


def test_a_link_depends_on_the_secret_key(app):
    market, _ = full_market()
    joined = join_n(market.id, 1)[0]
    app.config["SECRET_KEY"] = "another-key"
    assert places.find(joined.token) is None
    assert places.status_token(joined.entry) != joined.token


def test_the_queue_lists_people_waiting_in_order(app):
    market, _ = full_market()
    joined = join_n(market.id, 3)
    places.leave(joined[0].token)
    assert [e.email for e in waiting_in(market.id)] == [
        "waiter1@lender.example",
        "waiter2@lender.example",
    ]


def test_staff_removing_someone_moves_the_queue_on(app):
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 3)
    capacity.release_seat(seats[0].id)
    places.remove(joined[0].entry.id)  # held an offer: it passes to the next
    places.remove(joined[2].entry.id)
    assert statuses(joined) == [W.REMOVED, W.OFFERED, W.REMOVED]
    with pytest.raises(places.EntryGone, match="no longer on the waitlist"):
        places.remove(joined[0].entry.id)
    with pytest.raises(places.EntryGone, match="no such"):
        places.remove(9999)
