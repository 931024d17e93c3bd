"""Booking pages: picker, calendar widget, form, confirmation, reschedule and cancel."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from html import unescape
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import func
from sqlalchemy import select

from mortgage_connect import booking
from mortgage_connect import capacity
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.models import Booking
from mortgage_connect.models import OutboxMessage
from mortgage_connect.web.formatting import when
from tests.factories import form_data
from tests.factories import free_times
from tests.factories import iso
from tests.factories import make_host
from tests.factories import make_market

pytestmark = pytest.mark.clock

HX = {"HX-Request": "true"}


@pytest.fixture
def market(app):
    market = make_market()
    make_host()
    return market


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def book_via_form(client, start, token=None, **changes):
    token = token or uuid.uuid4().hex
    return client.post(
        "/book/dallas-fort-worth/details", data=form_data(start, token, **changes)
    ), token


def manage_path(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert re.match(r"^/book/manage/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\?booked=1$", location), (
        location
    )
    return location.split("?")[0]


# ---------------------------------------------------------------------------
# Picker and calendar


def test_picker_lists_open_markets_with_the_calendar_and_full_ones_with_the_waitlist(app):
    make_market()
    make_market(slug="houston", name="Houston", aliases="Houston", cap=0)
    html = app.test_client().get("/book/").get_data(as_text=True)
    assert 'href="/book/dallas-fort-worth"' in html
    assert 'href="/book/houston"' not in html
    assert "Houston" in html and "Full" in html
    found = app.test_client().get("/book/?q=fort+worth", headers=HX)
    assert "<html" not in found.get_data(as_text=True)
    assert "Dallas–Fort Worth" in found.get_data(as_text=True)
    assert "Houston" not in found.get_data(as_text=True)
    assert "HX-Request" in found.headers["Vary"]


def test_nav_book_a_call_goes_to_the_picker(client):
    assert 'class="nav-cta" href="/book/"' in client.get("/").get_data(as_text=True)


def test_calendar_marks_days_with_full_accessible_names(client, market):
    response = client.get("/book/dallas-fort-worth")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert re.search(r"\w+day, \w+ \d{1,2}, \d{4} — \d+ times available", html)
    assert 'aria-current="true"' in html  # the first free day is opened
    assert re.search(r'class="slot" href="/book/dallas-fort-worth/details\?start=', html)
    assert re.search(r"— choose this time", html)
    assert "data-detect-zone" in html and "js/booking.js" in html
    fragment = client.get("/book/dallas-fort-worth?tz=America/New_York", headers=HX)
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="booking-widget"') and "<html" not in body
    assert '<option value="America/New_York" selected>' in body


def test_times_fragment_and_its_no_js_fallback(client, market):
    chicago = ZoneInfo("America/Chicago")
    day = (utcnow() + timedelta(days=3)).astimezone(chicago).date()
    url = f"/book/dallas-fort-worth/times?day={day}&tz=America/Chicago"
    fragment = client.get(url, headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert 'id="times"' in html and 'hx-swap-oob="true"' in html
    # A host working around the clock: a time every 30 minutes of the local day, which is
    # 23 or 25 hours long when the clocks change.
    midnight = datetime.combine(day, time(0), chicago)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), chicago)
    hours = (next_midnight.astimezone(UTC) - midnight.astimezone(UTC)) / timedelta(hours=1)
    assert html.count('class="slot"') == hours * 2
    plain = client.get(url)
    assert plain.status_code == 303
    assert plain.headers["Location"].startswith("/book/dallas-fort-worth?")


@pytest.mark.parametrize(
    "query",
    [
        "?tz=Mars/Olympus",
        "?tz=" + "x" * 500,
        "?month=2027-13",
        "?month=garbage",
        "?day=2027-02-30",
        "?day=1999-01-01",
        "?month=1900-01",
        "?month=9999-12&day=9999-12-31",
    ],
)
def test_bad_calendar_queries_get_a_page_not_an_error(client, market, query):
    response = client.get("/book/dallas-fort-worth" + query)
    assert response.status_code == 200
    if "tz=" in query:
        assert "We don't know the time zone" in unescape(response.get_data(as_text=True))


def test_a_month_with_nothing_left_opens_on_the_next(client, app, time_machine):
    market = make_market()
    make_host(zone="America/Chicago", start=time(9), end=time(17))
    # 8 PM on March 31 in Chicago: the rest of March is past its two hours' notice.
    time_machine.move_to(datetime(2027, 3, 31, 20, tzinfo=ZoneInfo("America/Chicago")), tick=False)
    html = unescape(client.get(f"/book/{market.slug}").get_data(as_text=True))
    assert '<h2 id="month-title" class="month-title">April 2027</h2>' in html
    assert "No times are left" not in html
    assert re.search(r"Thursday, April 1, 2027 — 16 times available", html)
    # Asked for March (its "Previous month" link): April, and why.
    html = unescape(client.get(f"/book/{market.slug}?month=2027-03").get_data(as_text=True))
    assert "No times are left in March, so here is April." in html
    assert '<h2 id="month-title" class="month-title">April 2027</h2>' in html


def test_a_zone_already_in_the_next_month_shows_that_month(client, market, time_machine):
    # 6 PM on March 31 in Chicago is already April 1 in UTC, where March has no time left.
    time_machine.move_to(datetime(2027, 3, 31, 23, tzinfo=UTC), tick=False)
    chicago = unescape(client.get("/book/dallas-fort-worth").get_data(as_text=True))
    assert '<h2 id="month-title" class="month-title">March 2027</h2>' in chicago
    assert "Wednesday, March 31, 2027 — 8 times available" in chicago  # 8:00 PM to 11:30 PM
    # The zone form carries the month on show; in UTC the calendar starts in April.
    utc = client.get("/book/dallas-fort-worth?tz=UTC&month=2027-03&day=2027-03-31")
    html = unescape(utc.get_data(as_text=True))
    assert '<h2 id="month-title" class="month-title">April 2027</h2>' in html
    assert "Thursday, April 1, 2027 — 46 times available" in html  # from 1:00 AM


def test_unknown_market_is_404(client, market):
    assert client.get("/book/atlantis").status_code == 404
    assert client.get("/book/Not A Slug!").status_code == 404


def test_full_market_offers_the_waitlist_instead(client, app):
    make_market(slug="houston", name="Houston", aliases="Houston", cap=0)
    make_host()
    html = client.get("/book/houston").get_data(as_text=True)
    assert "Houston is full" in html and "waitlist" in html
    assert 'class="month-grid"' not in html
    start = free_times()[0]
    posted = client.post("/book/houston/details", data=form_data(start, uuid.uuid4().hex))
    assert posted.status_code == 409
    assert count(Booking) == 0


# ---------------------------------------------------------------------------
# The form


def test_booking_makes_one_booking_a_quote_and_queued_mail(client, market):
    start = free_times()[3]
    page = client.get(f"/book/dallas-fort-worth/details?start={iso(start)}&tz=America/Chicago")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="form_token"' in html and 'class="honeypot"' in html

    response, _ = book_via_form(client, start)
    path = manage_path(response)
    made = db.session.scalars(select(Booking)).one()
    assert made.starts_at == start and made.status == "confirmed"
    assert made.quote is not None and made.quote.price_per_lead_cents == 8500
    assert made.visitor_time_zone == "America/Chicago"
    mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.recipient_name, m.recipient) for m in mail] == [
        ("Pat Prospect", "pat@example.com"),
        ("Ana Lee", "ana@mortgageconnect.example"),
    ]
    (attachment,) = mail[0].attachments
    assert attachment["content_type"] == "text/calendar" and attachment["method"] == "REQUEST"
    assert path in mail[0].text_body  # the manage link
    assert made.quote.reference in mail[0].text_body

    confirmation = client.get(path + "?booked=1")
    html = confirmation.get_data(as_text=True)
    assert confirmation.headers["Cache-Control"] == "no-store"
    assert "Your call is booked" in html
    assert made.quote.reference in html and "$85" in html
    assert "https://meet.example.com/ana" in html
    assert when(start, ZoneInfo("America/Chicago")) in html
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in html
    ics = client.get(path + "/invite.ics")
    assert ics.headers["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == start
    assert str(event["UID"]) == made.ics_uid


def test_confirmation_shows_the_visitors_zone_and_the_markets(client, market):
    start = free_times()[0]
    path = manage_path(book_via_form(client, start, tz="Europe/London")[0])
    html = client.get(path).get_data(as_text=True)
    assert when(start, ZoneInfo("Europe/London")) in html
    assert when(start, ZoneInfo("America/Chicago")) + " in Dallas–Fort Worth" in html


def test_the_quote_on_the_manage_page_says_when_it_runs_out(client, market, time_machine):
    path = manage_path(book_via_form(client, free_times()[0])[0])
    made = db.session.scalars(select(Booking)).one()
    until = made.quote.valid_until.astimezone(ZoneInfo("America/Chicago"))
    day = f"{until:%B} {until.day}, {until.year}"
    assert f"valid until {day}" in client.get(path).get_data(as_text=True)
    time_machine.move_to(made.quote.valid_until + timedelta(minutes=1))
    html = client.get(path).get_data(as_text=True)
    assert f"expired on {day}" in html and "valid until" not in html


def test_a_resubmitted_form_returns_the_first_booking(client, market):
    start = free_times()[0]
    first, token = book_via_form(client, start)
    again, _ = book_via_form(client, start, token=token, email="PAT@example.com ")
    assert manage_path(first) == manage_path(again)
    assert count(Booking) == 1
    assert count(OutboxMessage) == 2


def test_the_form_token_is_stored_only_as_a_hash_of_what_it_booked(client, market):
    start = free_times()[0]
    response, token = book_via_form(client, start)
    manage_path(response)
    made = db.session.scalars(select(Booking)).one()
    stored = db.session.execute(select(Booking.__table__)).one()._asdict()
    assert token not in {str(value) for value in stored.values()}
    assert made.form_token_hash == booking.form_token_hash(
        token, made.market_id, start, "pat@example.com"
    )
    assert made.manage_token_hash is None  # only links sent before signed link ids have one


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "eve@evil.example", "name": "Eve"},  # another person with the token
        {"start": "later"},  # the same person, another time
        {"market": "houston"},  # another market
    ],
)
def test_a_form_token_is_no_key_to_another_booking(client, market, changes):
    """Someone holding a form's token (it sits in the page) can't open the booking it made:
    with another email, time or market the post is a new booking request like any other."""
    make_market(slug="houston", name="Houston", aliases="Houston")
    slots = free_times()
    first, token = book_via_form(client, slots[0])
    assert first.status_code == 303
    mine = first.headers["Location"].split("?")[0]
    start = slots[2] if changes.get("start") == "later" else slots[0]
    data = form_data(start, token, **{k: v for k, v in changes.items() if k in ("email", "name")})
    slug = changes.get("market", "dallas-fort-worth")
    again = client.post(f"/book/{slug}/details", data=data)
    html = again.get_data(as_text=True)
    assert mine not in html and mine not in again.headers.get("Location", "")
    if start == slots[0]:
        # The one host already has a call then: refused like anyone's request for that time.
        assert again.status_code == 409 and "That time was just taken" in html
        assert count(Booking) == 1
    else:
        # A fresh booking of its own, with its own manage link.
        assert again.status_code == 303 and again.headers["Location"].split("?")[0] != mine
        assert count(Booking) == 2


def test_a_taken_time_is_409_with_fresh_times_and_input_kept(client, market):
    start = free_times()[0]
    manage_path(book_via_form(client, start)[0])
    response, _ = book_via_form(client, start, name="Second Person", email="second@example.com")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "That time was just taken" in html
    assert 'value="Second Person"' in html
    assert 'type="radio" name="start"' in html
    assert iso(start) not in re.findall(r'name="start" id="start-\d+" value="([^"]+)"', html)
    assert count(Booking) == 1


def test_the_next_free_host_takes_the_same_time(client, market):
    make_host("Ben Ito", zone="UTC")
    start = free_times()[0]
    manage_path(book_via_form(client, start)[0])
    manage_path(book_via_form(client, start, email="b@example.com")[0])
    hosts = db.session.scalars(select(Booking.host_id).order_by(Booking.id)).all()
    assert len(set(hosts)) == 2
    assert book_via_form(client, start, email="c@example.com")[0].status_code == 409


def test_a_host_filled_up_after_the_first_look_is_refused_under_the_lock(
    app, client, market, monkeypatch
):
    """The hosts are first looked at before the write transaction; a booking committed in
    between (as by another worker) is seen when the candidates are locked and read again —
    here one that brings the only host to the daily cap, which no unique index would catch."""
    app.config["HOST_DAILY_CAP"] = 1
    first, other = free_times()[:2]
    look_first = booking._candidate_hosts

    def look_then_lose_the_race(session, *args):
        found = look_first(session, *args)
        monkeypatch.setattr(booking, "_candidate_hosts", look_first)
        manage_path(book_via_form(client, other, email="quicker@example.com")[0])
        return found

    monkeypatch.setattr(booking, "_candidate_hosts", look_then_lose_the_race)
    response, _ = book_via_form(client, first, email="slower@example.com")
    assert response.status_code == 409
    assert "That time was just taken" in response.get_data(as_text=True)
    assert count(Booking) == 1


def test_assignment_goes_to_the_host_with_fewest_calls_that_week(client, market):
    ben = make_host("Ben Ito", zone="UTC")
    slots = free_times()
    manage_path(book_via_form(client, slots[0])[0])  # Ana (lowest id on a tie)
    manage_path(book_via_form(client, slots[4], email="b@example.com")[0])  # Ben: 0 calls vs 1
    hosts = db.session.scalars(select(Booking.host_id).order_by(Booking.id)).all()
    assert hosts[1] == ben.id and hosts[0] != ben.id


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"name": ""}, "Enter your name."),
        ({"name": "   "}, "Enter your name."),
        ({"company": "  "}, "Enter your company"),
        ({"email": "not-an-email"}, "Enter an email address like name@example.com."),
        ({"phone": "call me"}, "Enter a phone number with its area code"),
        ({"phone": "12"}, "Enter a phone number with its area code"),
        ({"company": ""}, "Enter your company"),
        ({"nmls_id": "12AB"}, "An NMLS ID is digits only"),
        ({"lead_source": "rumours"}, "Not a valid choice"),
        ({"lead_source": None}, "Choose where your leads come from today."),
        ({"consent": None}, "Tick this box"),
        ({"notes": "x" * 2001}, "Keep notes under 2,000 characters."),
        ({"name": "y" * 121}, "Keep the name to 120 characters."),
    ],
)
def test_invalid_fields_get_messages_beside_them_and_keep_input(
    client, market, changes, field_error
):
    start = free_times()[0]
    response, _ = book_via_form(client, start, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error in html
    assert 'aria-invalid="true"' in html
    assert 'value="Prospect Home Loans"' in html or not changes.get("company", "x").strip()
    assert count(Booking) == 0 and count(OutboxMessage) == 0


def test_honeypot_refuses_without_booking(client, market):
    response, _ = book_via_form(client, free_times()[0], website="http://spam.example")
    assert response.status_code == 400
    assert count(Booking) == 0


@pytest.mark.parametrize(
    ("start", "status", "message"),
    [
        ("2020-01-01T15:00:00Z", 400, "in the past or too soon"),
        ("garbage", 400, "pick a time from the calendar"),
        ("2027-03-14T02:30:00", 400, "pick a time from the calendar"),  # no offset
        ("", 400, "pick a time from the calendar"),
        ("2099-01-01T15:00:00Z", 400, "up to 21 days ahead"),
    ],
)
def test_bad_times_are_refused(client, market, start, status, message):
    token = uuid.uuid4().hex
    data = form_data(free_times()[0], token)
    data["start"] = start
    response = client.post("/book/dallas-fort-worth/details", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert count(Booking) == 0


@pytest.mark.parametrize(
    ("minutes", "words"), [(120, "2 hours' notice"), (60, "1 hour's notice"), (90, "90 minutes'")]
)
def test_a_time_too_soon_says_the_notice_in_words(client, market, app, minutes, words):
    app.config["MIN_NOTICE_MINUTES"] = minutes
    soon = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=minutes - 30)
    data = form_data(soon, uuid.uuid4().hex)
    response = client.post("/book/dallas-fort-worth/details", data=data)
    assert response.status_code == 400
    assert f"calls need at least {words}" in unescape(response.get_data(as_text=True))


def test_a_time_outside_hours_or_off_the_grid_is_refused(client, app):
    make_market()
    make_host(zone="America/Chicago", start=time(9), end=time(17))
    tz = ZoneInfo("America/Chicago")
    day = (utcnow() + timedelta(days=3)).astimezone(tz).date()
    for local in (time(20), time(9, 10)):
        start = datetime.combine(day, local, tzinfo=tz)
        response, _ = book_via_form(client, start)
        assert response.status_code == 400
        assert "isn't one we offer" in unescape(response.get_data(as_text=True))
    assert count(Booking) == 0


def test_unknown_zone_and_bad_token_are_refused(client, market):
    start = free_times()[0]
    response, _ = book_via_form(client, start, tz="Mars/Base")
    # An unknown zone falls back to the market's zone and says so; the booking still works.
    assert response.status_code == 303
    bad = client.post(
        "/book/dallas-fort-worth/details", data=form_data(free_times()[1], "not-a-token")
    )
    assert bad.status_code == 422
    assert count(Booking) == 1


def test_oversize_body_is_413(client, market):
    data = form_data(free_times()[0], uuid.uuid4().hex, notes="x" * 100_000)
    response = client.post("/book/dallas-fort-worth/details", data=data)
    assert response.status_code == 413
    assert count(Booking) == 0


def test_rate_limit_per_address_shows_the_styled_page(app, market):
    app.config["BOOKING_RATE_LIMIT"] = "2 per minute"
    client = app.test_client()
    slots = free_times()
    for i in range(2):
        book_via_form(client, slots[i], email=f"p{i}@example.com")
    response, _ = book_via_form(client, slots[5])
    assert response.status_code == 429
    assert "Slow down" in response.get_data(as_text=True)
    assert client.get("/book/dallas-fort-worth").status_code == 200  # reading isn't limited


# ---------------------------------------------------------------------------
# Manage: reschedule and cancel


def test_reschedule_moves_the_call_and_frees_the_old_time(client, market):
    slots = free_times()
    path = manage_path(book_via_form(client, slots[0])[0])
    page = client.get(path + "/reschedule")
    assert page.status_code == 200 and 'class="month-grid"' in page.get_data(as_text=True)
    assert "/reschedule/confirm?start=" in page.get_data(as_text=True)
    confirm = client.get(f"{path}/reschedule/confirm?start={iso(slots[5])}")
    assert confirm.status_code == 200 and "Move your call?" in confirm.get_data(as_text=True)
    assert count(Booking) == 1 and db.session.scalars(select(Booking)).one().starts_at == slots[0]

    moved = client.post(f"{path}/reschedule/confirm", data={"start": iso(slots[5])})
    assert moved.status_code == 303 and moved.headers["Location"].endswith("?moved=1")
    made = db.session.scalars(select(Booking)).one()
    assert made.starts_at == slots[5] and made.sequence == 1
    assert slots[0] in free_times()  # the old time is offered again
    assert slots[5] not in free_times()
    last = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == "pat@example.com")
        .order_by(OutboxMessage.id.desc())
    ).first()
    event = icalendar.Calendar.from_ical(last.attachments[0]["content"]).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == made.ics_uid
    assert "has moved" in last.subject
    # Posting the same move again changes nothing.
    assert (
        client.post(f"{path}/reschedule/confirm", data={"start": iso(slots[5])}).status_code == 303
    )
    assert db.session.scalars(select(Booking)).one().sequence == 1


def test_reschedule_to_a_taken_time_is_409(client, market):
    slots = free_times()
    mine = manage_path(book_via_form(client, slots[0])[0])
    manage_path(book_via_form(client, slots[1], email="other@example.com")[0])
    response = client.post(f"{mine}/reschedule/confirm", data={"start": iso(slots[1])})
    assert response.status_code == 409
    assert "just taken" in response.get_data(as_text=True)
    bad = client.post(f"{mine}/reschedule/confirm", data={"start": "yesterday"})
    assert bad.status_code == 400


def test_cancel_asks_first_then_frees_the_time(client, market):
    start = free_times()[0]
    path = manage_path(book_via_form(client, start)[0])
    ask = client.get(path + "/cancel")
    assert ask.status_code == 200 and "Cancel your call?" in ask.get_data(as_text=True)
    assert db.session.scalars(select(Booking)).one().status == "confirmed"  # GET changes nothing
    done = client.post(path + "/cancel")
    assert done.status_code == 303
    made = db.session.scalars(select(Booking)).one()
    assert made.status == "cancelled" and made.sequence == 1
    assert start in free_times()
    last = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).all()
    cancel_mail = next(m for m in last if m.recipient == "pat@example.com")
    assert cancel_mail.attachments[0]["method"] == "CANCEL"
    assert "METHOD:CANCEL" in cancel_mail.attachments[0]["content"]
    assert client.post(path + "/cancel").status_code == 303  # again: nothing more happens
    assert count(OutboxMessage) == 4
    html = client.get(path).get_data(as_text=True)
    assert "This call is cancelled" in html
    assert client.get(path + "/reschedule").status_code == 409
    assert "METHOD:CANCEL" in client.get(path + "/invite.ics").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/book/manage/nope",
        "/book/manage/" + "A" * 43,
        "/book/manage/" + "A" * 43 + "/invite.ics",
        "/book/manage/" + "A" * 43 + "/cancel",
        "/book/manage/" + "A" * 43 + "/reschedule",
    ],
)
def test_unknown_manage_tokens_are_404(client, market, path):
    assert client.get(path).status_code == 404
    if path.endswith("/cancel"):
        assert client.post(path).status_code == 404


def test_book_service_refuses_a_full_market(app):
    market = make_market(slug="houston", name="Houston", aliases="Houston", cap=0)
    make_host()
    details = booking.Details(
        name="P", email="p@example.com", phone="2145550187", company="C",
        lead_source="none", time_zone="UTC", consent=True,
    )  # fmt: skip
    with pytest.raises(booking.MarketClosed):
        booking.book(market.id, free_times()[0], details, uuid.uuid4().hex)
    assert count(Booking) == 0
    assert capacity.get_availability("houston").full


def test_a_day_without_free_times_opens_on_the_first_free_day(client, app):
    # A zone change carries the chosen day along; in the new zone it may have no times left.
    make_market()
    target = (utcnow() + timedelta(days=5)).date()
    make_host(weekdays=[target.weekday()], start=time(9), end=time(17))  # UTC, one weekday
    empty = target + timedelta(days=1)
    if empty.month != target.month:
        empty = target - timedelta(days=1)
    response = client.get(
        f"/book/dallas-fort-worth?tz=UTC&month={target:%Y-%m}&day={empty.isoformat()}"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{target:%A}, {target:%B} {target.day}, {target.year}" in html
    assert iso(datetime.combine(target, time(9), tzinfo=UTC)) in html
