"""Waitlist pages: joining, the private status page, leaving and declining, bad links."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from mortgage_connect import capacity
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.models import OutboxMessage
from mortgage_connect.models import WaitlistEntry
from tests.conftest import make_app
from tests.factories import full_market
from tests.factories import join_n
from tests.factories import make_market
from tests.factories import tampered

pytestmark = pytest.mark.clock

W = WaitlistEntry
JOIN = "/markets/dallas-fort-worth/waitlist"
DETAILS = {
    "name": "Ann Lee",
    "email": "Ann.Lee@Lender.Example",
    "phone": "214-555-0187",
    "company": "Lone Star Lending",
    "nmls_id": "123456",
}


def h1(response) -> str:
    found = re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True), re.S)
    return html.unescape(found.group(1).strip())


def token_of(location: str) -> str:
    return re.search(r"/waitlist/([A-Za-z0-9_.-]+)", location).group(1)


@pytest.fixture
def market(app):
    return full_market(cap=1)


def test_a_full_market_page_leads_to_the_waitlist(client, market):
    html = client.get("/markets/dallas-fort-worth").get_data(as_text=True)
    assert f'href="{JOIN}"' in html and "Join the waitlist" in html


def test_the_join_form_asks_for_the_details(client, market):
    response = client.get(JOIN)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert h1(response) == "Join the waitlist for Dallas–Fort Worth"
    for name in ("name", "email", "phone", "company", "nmls_id"):
        assert f'name="{name}"' in html
    assert 'class="honeypot" aria-hidden="true"' in html and 'name="website"' in html
    assert "Nobody is waiting yet" in html


def test_an_open_market_sends_people_to_book_instead(client, app):
    make_market(cap=3)
    response = client.get(JOIN)
    assert response.status_code == 200 and h1(response) == "Dallas–Fort Worth has open seats"
    response = client.post(JOIN, data=DETAILS)
    assert response.status_code == 409
    assert db.session.query(W).count() == 0


def test_an_unknown_market_has_no_waitlist(client, app):
    assert client.get("/markets/atlantis/waitlist").status_code == 404
    assert client.post("/markets/Not_A_Slug/waitlist", data=DETAILS).status_code == 404


def mails_to(email: str) -> list[OutboxMessage]:
    db.session.rollback()
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
    ).all()


def test_joining_emails_the_private_link_and_says_so(client, market):
    join_n(market[0].id, 2)
    response = client.post(JOIN, data=DETAILS)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert h1(response) == "Check your email"
    assert "ann.lee@lender.example" in html and "spam" in html
    assert "/waitlist/" not in html.replace(JOIN, "")  # the link travels by email only
    assert response.headers["Cache-Control"] == "no-store"
    (mail,) = mails_to("ann.lee@lender.example")
    link = re.search(r"http://localhost(/waitlist/[\w.-]+)", mail.text_body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert h1(page) == "You are #3 for Dallas–Fort Worth"
    assert "2 people are ahead of you" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    entry = db.session.query(W).filter_by(email="ann.lee@lender.example").one()
    assert (entry.name, entry.phone, entry.company, entry.nmls_id) == (
        "Ann Lee",
        "214-555-0187",
        "Lone Star Lending",
        "123456",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your name."),
        ("email", "ann@", "Enter an email address like name@example.com."),
        ("phone", "call me", "Enter a phone number with its area code"),
        ("company", "  ", "Enter your company&#39;s name."),
        ("nmls_id", "12-34", "An NMLS ID is digits only (up to 12)."),
        ("name", "x" * 121, "Keep the name to 120 characters."),
    ],
)
def test_bad_details_get_a_message_beside_the_field_and_keep_the_input(
    client, market, field, value, message
):
    response = client.post(JOIN, data={**DETAILS, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="field-error" id="{field}-error">{message}' in html
    assert f'aria-describedby="{field}-error"' in html or f"{field}-hint {field}-error" in html
    kept = "Lone Star Lending" if field != "company" else "Ann Lee"
    assert f'value="{kept}"' in html
    assert db.session.query(W).count() == 0


def test_the_honeypot_turns_bots_away(client, market):
    response = client.post(JOIN, data={**DETAILS, "website": "http://spam.example"})
    assert response.status_code == 400
    assert "couldn&#39;t accept that submission" in response.get_data(as_text=True)
    assert db.session.query(W).count() == 0


def test_an_address_already_in_line_gets_the_same_answer_as_a_new_one(app, market):
    """Nobody can learn who is waiting by joining with their address: the page is the same,
    and the person in line gets their link again by email."""
    someone = {**DETAILS, "email": "someone@lender.example"}
    new = app.test_client().post(JOIN, data=someone)
    prober = {**someone, "name": "Not Them", "email": "SOMEONE@lender.example"}
    again = app.test_client().post(JOIN, data=prober)  # another visitor, the same address
    assert (again.status_code, again.get_data()) == (new.status_code, new.get_data())
    for header in ("Content-Type", "Cache-Control", "X-Robots-Tag", "Location"):
        assert again.headers.get(header) == new.headers.get(header), header
    assert db.session.query(W).count() == 1
    joined, link_again = mails_to("someone@lender.example")
    assert "You're #1 on the waitlist" in joined.subject
    assert link_again.subject == "Your place on the waitlist for Dallas–Fort Worth"
    assert link_again.recipient_name == "Ann Lee"  # the place's own name, not the one typed
    assert re.search(r"/waitlist/[\w.-]+", link_again.text_body)


def test_with_seats_open_an_address_in_line_is_told_what_a_new_one_is(client, app):
    """A market with an open seat besides one held for an offer: a new address is told to book
    a call (409); the address holding the offer gets that same page, and its link by email."""
    market, _ = full_market(cap=1)
    holder = join_n(market.id, 1)[0]
    capacity.set_cap(market.id, 3)  # one seat offered to the holder, one open
    db.session.rollback()
    assert db.session.get(W, holder.entry.id).status == W.OFFERED
    new = client.post(JOIN, data={**DETAILS, "email": "new@lender.example"})
    known = client.post(JOIN, data={**DETAILS, "email": "waiter0@lender.example"})
    assert new.status_code == known.status_code == 409
    assert new.get_data() == known.get_data()
    assert h1(known) == "Dallas–Fort Worth has open seats"
    assert mails_to("new@lender.example") == []
    assert "Your place on the waitlist" in mails_to("waiter0@lender.example")[-1].subject


def test_joining_is_rate_limited_per_address(database_url):
    app = make_app(database_url, WAITLIST_RATE_LIMIT="2 per minute")
    with app.app_context():
        full_market(cap=1)
        client = app.test_client()
        codes = [
            client.post(JOIN, data={**DETAILS, "email": f"p{i}@lender.example"}).status_code
            for i in range(3)
        ]
        assert codes == [200, 200, 429]
        assert client.get(JOIN).status_code == 200  # reading the form is not limited
        db.session.remove()
        db.engine.dispose()


def test_asking_for_the_link_again_is_rate_limited_too(database_url):
    app = make_app(database_url, WAITLIST_RATE_LIMIT="2 per minute")
    with app.app_context():
        full_market(cap=1)
        client = app.test_client()
        codes = [client.post(JOIN, data=DETAILS).status_code for _ in range(4)]
        assert codes == [200, 200, 429, 429]
        assert len(mails_to("ann.lee@lender.example")) == 2  # joined, then the link once again
        db.session.remove()
        db.engine.dispose()


def test_the_status_page_follows_the_queue(client, market):
    joined = join_n(market[0].id, 3)
    url = f"/waitlist/{joined[2].token}"
    assert h1(client.get(url)) == "You are #3 for Dallas–Fort Worth"
    client.post(f"/waitlist/{joined[1].token}/leave")
    assert h1(client.get(url)) == "You are #2 for Dallas–Fort Worth"
    assert "You are first in line" in client.get(f"/waitlist/{joined[0].token}").get_data(
        as_text=True
    )


def test_leaving_asks_first_and_then_leaves(client, market):
    joined = join_n(market[0].id, 2)
    url = f"/waitlist/{joined[0].token}/leave"
    confirm = client.get(url)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert h1(confirm) == "Leave the waitlist for Dallas–Fort Worth?"
    assert f'<form method="post" action="{url}"' in html
    db.session.rollback()
    assert db.session.get(W, joined[0].entry.id).status == W.WAITING  # a GET changes nothing
    done = client.post(url)
    assert done.status_code == 200 and h1(done) == "You left the waitlist"
    db.session.rollback()
    assert db.session.get(W, joined[0].entry.id).status == W.LEFT
    assert h1(client.get(f"/waitlist/{joined[1].token}")) == "You are #1 for Dallas–Fort Worth"
    # The used link now explains itself: 410, never a 500.
    for response in (client.get(f"/waitlist/{joined[0].token}"), client.post(url)):
        assert response.status_code == 410
        assert "You left the waitlist for Dallas–Fort Worth." in response.get_data(as_text=True)


def test_an_open_offer_shows_its_deadline_and_can_be_declined(client, market):
    m, seats = market
    joined = join_n(m.id, 2)
    now = utcnow()
    capacity.release_seat(seats[0].id, now=now)
    page = client.get(f"/waitlist/{joined[0].token}")
    html = page.get_data(as_text=True)
    assert h1(page) == "A seat in Dallas–Fort Worth is yours to take"
    deadline = (now + timedelta(hours=48)).astimezone(__import__("zoneinfo").ZoneInfo(m.time_zone))
    assert f"{deadline:%B} {deadline.day}, {deadline.year}" in html
    assert f'href="/waitlist/{joined[0].token}/decline"' in html
    assert f'href="/book/dallas-fort-worth?offer={joined[0].token}">Book your call</a>' in html
    url = f"/waitlist/{joined[0].token}/decline"
    assert h1(client.get(url)) == "Decline the seat in Dallas–Fort Worth?"
    done = client.post(url)
    assert done.status_code == 200 and h1(done) == "You declined the offer"
    assert h1(client.get(f"/waitlist/{joined[1].token}")) == (
        "A seat in Dallas–Fort Worth is yours to take"
    )
    again = client.post(url)
    assert again.status_code == 410
    assert "You declined the seat" in again.get_data(as_text=True)


def test_someone_waiting_has_nothing_to_decline(client, market):
    joined = join_n(market[0].id, 1)
    response = client.get(f"/waitlist/{joined[0].token}/decline")
    assert response.status_code == 410
    assert client.post(f"/waitlist/{joined[0].token}/decline").status_code == 410


def test_an_expired_offer_link_is_a_clear_410(client, market):
    m, seats = market
    joined = join_n(m.id, 2)
    capacity.release_seat(seats[0].id, now=utcnow() - timedelta(hours=49))
    for response in (
        client.get(f"/waitlist/{joined[0].token}"),
        client.get(f"/waitlist/{joined[0].token}/decline"),
        client.post(f"/waitlist/{joined[0].token}/decline"),
    ):
        assert response.status_code == 410
        assert "offer of a seat in Dallas–Fort Worth has expired" in response.get_data(as_text=True)
    capacity.advance_all()  # the scheduler settles it: the next person is offered
    assert h1(client.get(f"/waitlist/{joined[1].token}")) == (
        "A seat in Dallas–Fort Worth is yours to take"
    )
    assert "expired" in client.get(f"/waitlist/{joined[0].token}").get_data(as_text=True)


@pytest.mark.parametrize("suffix", ["", "/leave", "/decline"])
def test_tampered_and_malformed_links_are_a_clear_404(client, market, suffix):
    token = join_n(market[0].id, 1)[0].token
    methods = (client.get,) if suffix == "" else (client.get, client.post)
    for bad in (tampered(token), "x", token + "A", "%00", "a" * 500, "%E2%80%AE" + token[3:]):
        for method in methods:
            response = method(f"/waitlist/{bad}{suffix}")
            assert response.status_code == 404, (bad, response.status_code)
            assert "copied the whole link" in response.get_data(as_text=True), bad
    # Not a link at all: the site's plain 404 page.
    assert client.get(f"/waitlist/..%2f..%2fetc{suffix}").status_code == 404


def test_confirmations_need_the_csrf_token(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        market, _ = full_market(cap=1)
        token = join_n(market.id, 1)[0].token
        response = app.test_client().post(f"/waitlist/{token}/leave")
        assert response.status_code == 400
        db.session.rollback()
        assert db.session.query(W).one().status == W.WAITING
        db.session.remove()
        db.engine.dispose()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(token=st.text(min_size=1, max_size=80), offer=st.text(max_size=80))
def test_no_link_anyone_can_type_is_a_500(client, market, token, offer):
    path = quote(token, safe="")
    # A 404 or 410 page; an empty or slash-only token may be redirected by the router first.
    for url in (f"/waitlist/{path}", f"/waitlist/{path}/leave", f"/waitlist/{path}/decline"):
        assert client.get(url).status_code in (308, 404, 410), url
    assert client.post(f"/waitlist/{path}/leave").status_code in (308, 404, 410)
    response = client.get("/book/dallas-fort-worth", query_string={"offer": offer})
    assert response.status_code in (200, 404, 410)
