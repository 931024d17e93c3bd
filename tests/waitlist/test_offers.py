"""Waitlist emails through the outbox, and accepting an offer by booking a call."""

from __future__ import annotations

import uuid
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mortgage_connect import booking
from mortgage_connect import capacity
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.models import Booking
from mortgage_connect.models import OutboxMessage
from mortgage_connect.models import Seat
from mortgage_connect.models import WaitlistEntry
from mortgage_connect.waitlist import places
from mortgage_connect.web.formatting import when
from tests.factories import form_data
from tests.factories import free_times
from tests.factories import full_market
from tests.factories import join_n
from tests.factories import make_host
from tests.factories import make_market
from tests.factories import tampered

pytestmark = pytest.mark.clock

W = WaitlistEntry
CHICAGO = ZoneInfo("America/Chicago")


def mail() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def entry(joined) -> WaitlistEntry:
    db.session.rollback()
    return db.session.get(W, joined.entry.id)


def details(**changes) -> booking.Details:
    values = {
        "name": "Waiter Zero",
        "email": "waiter0@lender.example",
        "phone": "214-555-0100",
        "company": "Lone Star Lending",
        "lead_source": "shared",
        "time_zone": "America/Chicago",
        "consent": True,
    }
    return booking.Details(**{**values, **changes})


@pytest.fixture
def offered(app):
    """A full market of one seat, two people waiting, and the seat offered to the first."""
    market, seats = full_market(cap=1)
    make_host()
    joined = join_n(market.id, 2)
    capacity.release_seat(seats[0].id)
    return market, joined


# -- emails ----------------------------------------------------------------------------------


def test_joining_emails_the_place_and_the_private_link(app):
    market, _ = full_market()
    joined = join_n(market.id, 2)
    messages = mail()
    assert [((m.recipient_name, m.recipient), m.subject) for m in messages] == [
        (("Waiter 0", "waiter0@lender.example"), "You're #1 on the waitlist for Dallas–Fort Worth"),
        (("Waiter 1", "waiter1@lender.example"), "You're #2 on the waitlist for Dallas–Fort Worth"),
    ]
    assert f"http://localhost/waitlist/{joined[1].token}" in messages[1].text_body
    assert "you are #2 in line" in messages[1].text_body
    assert f'href="http://localhost/waitlist/{joined[1].token}"' in messages[1].html_body


def test_joining_again_emails_the_link_again_to_the_address(app):
    market, _ = full_market()
    first = join_n(market.id, 2)[1]
    again = places.join(
        market.id,
        name="Somebody",
        email="WAITER1@lender.example",
        phone="214-555-0100",
        company="Co",
    )
    assert not again.created
    last = mail()[-1]
    # The place's own name, not the one typed this time.
    assert (last.recipient_name, last.recipient) == ("Waiter 1", "waiter1@lender.example")
    assert last.subject == "Your place on the waitlist for Dallas–Fort Worth"
    assert "You are #2 in line" in last.text_body
    assert f"/waitlist/{first.token}" in last.text_body


def test_an_offer_emails_the_booking_link_and_the_deadline(app):
    market, seats = full_market(cap=1)
    joined = join_n(market.id, 2)
    now = utcnow()
    capacity.release_seat(seats[0].id, now=now)
    offer = mail()[-1]
    assert (offer.recipient_name, offer.recipient) == ("Waiter 0", "waiter0@lender.example")
    assert offer.subject == "A seat in Dallas–Fort Worth is yours to take"
    token = joined[0].token
    assert f"http://localhost/book/dallas-fort-worth?offer={token}" in offer.text_body
    assert f"http://localhost/waitlist/{token}/decline" in offer.text_body
    assert when(now + timedelta(hours=48), CHICAGO) in offer.text_body
    assert f'href="http://localhost/book/dallas-fort-worth?offer={token}"' in unescape(
        offer.html_body
    )


def test_an_expired_offer_emails_its_holder_and_offers_the_next(app):
    market, seats = full_market(cap=1)
    join_n(market.id, 2)
    start = utcnow()
    capacity.release_seat(seats[0].id, now=start)
    before = len(mail())
    capacity.advance_all(now=start + timedelta(hours=49))
    expired, offer = mail()[before:]
    assert (expired.recipient_name, expired.recipient) == ("Waiter 0", "waiter0@lender.example")
    assert expired.subject == "Your offer of a seat in Dallas–Fort Worth has expired"
    assert "http://localhost/markets/dallas-fort-worth/waitlist" in expired.text_body
    assert "/waitlist/" not in expired.text_body.replace("/markets/dallas-fort-worth/waitlist", "")
    assert (offer.recipient_name, offer.recipient) == ("Waiter 1", "waiter1@lender.example")
    assert offer.subject == "A seat in Dallas–Fort Worth is yours to take"


def test_a_refused_change_queues_no_mail(app):
    market = make_market(cap=3)
    with pytest.raises(places.NotFull):
        join_n(market.id, 1)
    assert mail() == []


# -- accepting by booking a call -------------------------------------------------------------


def test_the_offer_link_opens_the_calendar_of_a_full_market(client, offered):
    market, joined = offered
    assert "is full" in client.get("/book/dallas-fort-worth").get_data(as_text=True)
    page = client.get(f"/book/dallas-fort-worth?offer={joined[0].token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="month-grid"' in html and 'id="offer-notice"' in html
    assert f"offer={joined[0].token}" in html  # days and times keep the offer
    assert page.headers["Cache-Control"] == "no-store"
    # Someone further back has no offer to book with.
    assert client.get(f"/book/dallas-fort-worth?offer={joined[1].token}").status_code == 410


def test_booking_through_the_offer_accepts_it_and_holds_the_seat(client, offered):
    market, joined = offered
    token = joined[0].token
    start = free_times()[0]
    form = form_data(start, uuid.uuid4().hex, email="waiter0@lender.example")
    url = f"/book/dallas-fort-worth/details?offer={token}"
    page = client.get(f"{url}&start={form['start']}&tz=America/Chicago")
    assert page.status_code == 200
    assert f'action="/book/dallas-fort-worth/details?offer={token}"' in unescape(
        page.get_data(as_text=True)
    )
    response = client.post(url, data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    made = db.session.scalars(select(Booking)).one()
    accepted = entry(joined[0])
    assert (accepted.status, accepted.booking_id) == (W.BOOKED, made.id)
    hold_seat = db.session.get(Seat, accepted.offer_seat_id)
    assert hold_seat.expires_at == made.ends_at + timedelta(days=7)
    a = capacity.get_availability("dallas-fort-worth")
    assert (a.held, a.waiting, a.open) == (1, 1, 0)  # still full for everybody else
    status = client.get(f"/waitlist/{token}").get_data(as_text=True)
    assert "Your call about Dallas–Fort Worth is booked" in status
    # The same form again is the same booking; a new one can't use the offer twice.
    assert client.post(url, data=form).status_code == 303
    again = client.post(url, data=form_data(free_times()[1], uuid.uuid4().hex))
    assert again.status_code == 410
    assert "already booked your call" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(Booking)).all()) == 1


def test_hold_days_after_the_call_are_configurable(app, offered):
    app.config["WAITLIST_HOLD_DAYS_AFTER_CALL"] = 2
    market, joined = offered
    made, _, _ = booking.book(
        market.id, free_times()[0], details(), uuid.uuid4().hex, offer_token=joined[0].token
    )
    hold_seat = db.session.get(Seat, entry(joined[0]).offer_seat_id)
    # Never shorter than the offer itself: the later of the deadline and call end + 2 days.
    assert hold_seat.expires_at == max(
        entry(joined[0]).offer_expires_at, made.ends_at + timedelta(days=2)
    )


def test_an_expired_offer_link_books_nothing(client, app):
    market, seats = full_market(cap=1)
    make_host()
    joined = join_n(market.id, 2)
    capacity.release_seat(seats[0].id, now=utcnow() - timedelta(hours=49))
    token = joined[0].token
    start = free_times()[0]
    for response in (
        client.get(f"/book/dallas-fort-worth?offer={token}"),
        client.post(
            f"/book/dallas-fort-worth/details?offer={token}",
            data=form_data(start, uuid.uuid4().hex),
        ),
    ):
        assert response.status_code == 410
        assert "has expired" in response.get_data(as_text=True)
    with pytest.raises(places.EntryGone):
        booking.book(market.id, start, details(), uuid.uuid4().hex, offer_token=token)
    assert db.session.scalars(select(Booking)).all() == []


def test_a_bad_or_foreign_offer_link_is_a_clear_404(client, offered):
    market, joined = offered
    other, _ = full_market("houston", cap=1, aliases="Houston")
    token = joined[0].token
    changed = tampered(token)
    for url in (
        f"/book/dallas-fort-worth?offer={changed}",
        "/book/dallas-fort-worth?offer=nonsense",
        f"/book/houston?offer={token}",
        f"/book/dallas-fort-worth/details?offer={changed}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "offer" in response.get_data(as_text=True) or "link" in response.get_data(
            as_text=True
        )
    response = client.post(
        f"/book/dallas-fort-worth/details?offer={changed}",
        data=form_data(free_times()[0], uuid.uuid4().hex),
    )
    assert response.status_code == 404
    assert db.session.scalars(select(Booking)).all() == []


def test_moving_the_call_moves_the_hold(app, offered):
    market, joined = offered
    times = free_times(days_ahead=3)
    made, manage, _ = booking.book(
        market.id, times[0], details(), uuid.uuid4().hex, offer_token=joined[0].token
    )
    moved = booking.reschedule(manage, times[4])
    hold_seat = db.session.get(Seat, entry(joined[0]).offer_seat_id)
    assert hold_seat.expires_at == moved.ends_at + timedelta(days=7)


def test_cancelling_the_call_reopens_the_offer_until_its_deadline(client, offered):
    market, joined = offered
    deadline = entry(joined[0]).offer_expires_at
    _, manage, _ = booking.book(
        market.id, free_times()[0], details(), uuid.uuid4().hex, offer_token=joined[0].token
    )
    booking.cancel(manage)
    reopened = entry(joined[0])
    assert (reopened.status, reopened.booking_id) == (W.OFFERED, None)
    assert db.session.get(Seat, reopened.offer_seat_id).expires_at == deadline
    page = client.get(f"/waitlist/{joined[0].token}")
    assert "is yours to take" in page.get_data(as_text=True)


def test_cancelling_after_the_deadline_passes_the_seat_on(app):
    market, seats = full_market(cap=1)
    make_host()
    joined = join_n(market.id, 2)
    capacity.release_seat(seats[0].id, now=utcnow() - timedelta(hours=47))  # 1 hour left
    _, manage, _ = booking.book(
        market.id, free_times()[0], details(), uuid.uuid4().hex, offer_token=joined[0].token
    )
    booking.cancel(manage, now=utcnow() + timedelta(hours=2))
    assert [entry(j).status for j in joined] == [W.EXPIRED, W.OFFERED]
    subjects = [((m.recipient_name, m.recipient), m.subject) for m in mail()]
    assert (
        ("Waiter Zero", "waiter0@lender.example"),
        "Your call about Dallas–Fort Worth is cancelled",
    ) in subjects
    assert (
        ("Waiter 0", "waiter0@lender.example"),
        "Your offer of a seat in Dallas–Fort Worth has expired",
    ) in subjects


def test_an_ordinary_booking_touches_no_waitlist_entry(app):
    market = make_market(cap=3)
    make_host()
    _, manage, _ = booking.book(market.id, free_times()[0], details(), uuid.uuid4().hex)
    booking.cancel(manage)
    assert db.session.scalars(select(W)).all() == []
