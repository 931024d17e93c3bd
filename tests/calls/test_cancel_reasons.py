"""Cancelling with a reason: asked (optional) on the cancel page and in the admin, stored on the
booking, shown to staff on the calls list and in the CSV; the cancellation email offers to book
again."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from html import unescape

import pytest
from sqlalchemy import select

from mortgage_connect import booking
from mortgage_connect.extensions import db
from mortgage_connect.models import AuditLog
from mortgage_connect.models import Booking
from mortgage_connect.models import CANCEL_REASONS
from mortgage_connect.models import Market
from mortgage_connect.models import OutboxMessage
from tests.factories import book
from tests.factories import form_data
from tests.factories import free_times
from tests.factories import make_host
from tests.factories import make_market

pytestmark = pytest.mark.clock


@pytest.fixture
def manage(client, app):
    """A call booked through the form: its manage path."""
    make_market()
    make_host()
    response = client.post(
        "/book/dallas-fort-worth/details", data=form_data(free_times()[1], uuid.uuid4().hex)
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"].split("?")[0]


def the_booking() -> Booking:
    db.session.rollback()
    return db.session.scalars(select(Booking)).one()


def test_the_cancel_page_asks_why_with_every_choice_optional(client, manage):
    html = client.get(manage + "/cancel").get_data(as_text=True)
    assert "<legend>Why are you cancelling? (optional)</legend>" in html
    radios = re.findall(
        r'<input id="(cancel_reason-\d)" name="cancel_reason" type="radio" value="(\w+)"', html
    )
    assert [value for _, value in radios] == list(CANCEL_REASONS)
    for input_id, value in radios:
        assert (
            f'<label for="{input_id}">{CANCEL_REASONS[value]}</label>'.replace("'", "&#39;") in html
        )
    assert not re.search(r'name="cancel_reason"[^>]* checked', html)
    assert '<label for="cancel_detail">Tell us more (optional)</label>' in html
    assert 'maxlength="200"' in html
    assert the_booking().status == "confirmed"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"cancel_reason": "price"}, ("price", "")),
        (
            {"cancel_reason": "other", "cancel_detail": "  Hired a new assistant instead  "},
            ("other", "Hired a new assistant instead"),
        ),
        ({"cancel_reason": "", "cancel_detail": "Moving states"}, ("other", "Moving states")),
    ],
)
def test_the_reason_given_is_stored_with_the_cancel(client, manage, sent, stored):
    response = client.post(manage + "/cancel", data=sent)
    assert response.status_code == 303
    made = the_booking()
    assert made.status == "cancelled"
    assert (made.cancel_reason, made.cancel_detail) == stored


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"cancel_reason": "bored"}, "Choose one of the reasons listed, or none."),
        (
            {"cancel_reason": "other", "cancel_detail": "Too\x1bbusy"},
            "Remove the control characters from this field.",
        ),
        (
            {"cancel_reason": "other", "cancel_detail": "x" * 201},
            "Keep this under 200 characters.",
        ),
    ],
)
def test_a_reason_that_cant_be_stored_is_refused_beside_its_field(client, manage, sent, message):
    response = client.post(manage + "/cancel", data=sent)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Please correct the field marked below." in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert the_booking().status == "confirmed"
    if sent.get("cancel_detail", "").startswith("x"):
        assert f'value="{"x" * 201}"' in html  # what was typed is kept
    assert client.post(manage + "/cancel", data={"cancel_reason": "timing"}).status_code == 303
    assert the_booking().cancel_reason == "timing"


def test_a_second_cancel_keeps_the_first_reason(client, manage):
    client.post(manage + "/cancel", data={"cancel_reason": "not_ready"})
    again = client.post(manage + "/cancel", data={"cancel_reason": "price"})
    assert again.status_code == 303
    assert the_booking().cancel_reason == "not_ready"
    garbled = client.post(manage + "/cancel", data={"cancel_reason": "??"})
    assert garbled.status_code == 303 and the_booking().cancel_reason == "not_ready"


def test_the_service_refuses_an_unknown_reason(client, manage):
    token = manage.rsplit("/", 1)[1]
    with pytest.raises(booking.BookingError, match="Choose one of the reasons"):
        booking.cancel(token, reason="bored")
    with pytest.raises(booking.BookingError, match="under 200 characters"):
        booking.cancel(token, reason="other", detail="x" * 201)
    assert the_booking().status == "confirmed"


def test_the_cancellation_email_offers_to_book_again(client, manage):
    client.post(manage + "/cancel", data={"cancel_reason": "timing"})
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == "pat@example.com")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert "is cancelled" in message.subject
    calendar = "http://localhost/book/dallas-fort-worth"
    assert f"Book a new call whenever you like:\n{calendar}\n" in message.text_body
    assert "Add to" not in message.text_body  # no calendar links for a cancelled call
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', unescape(message.html_body))
    assert (calendar, "Book a new call about Dallas–Fort Worth") in links
    # The link opens the market's calendar.
    assert client.get("/book/dallas-fort-worth").status_code == 200


def test_staff_see_the_reason_on_the_calls_list_and_in_the_csv(signed_in, manage):
    signed_in.post(
        manage + "/cancel", data={"cancel_reason": "other", "cancel_detail": "Went with =SUM(1)"}
    )
    # Another call cancelled without a reason: nothing is said about it.
    other = book(Market.query.one(), free_times(days_ahead=3)[0], "Nia Noreason")
    booking.cancel(booking.manage_token(other))
    html = signed_in.get("/admin/calls?when=all").get_data(as_text=True)
    assert unescape(html).count("Reason:") == 1
    assert "Reason: Something else: “Went with =SUM(1)”" in unescape(html)
    rows = list(csv.reader(io.StringIO(signed_in.get("/admin/calls.csv?when=all").text)))
    header, rows = rows[0], {row[5]: row for row in rows[1:]}
    assert header[-2:] == ["cancel_reason", "cancel_detail"]
    assert rows["Pat Prospect"][-2:] == ["other", "Went with =SUM(1)"]
    assert rows["Nia Noreason"][-2:] == ["", ""]


def test_staff_may_give_a_reason_when_they_cancel(signed_in, manage):
    call = the_booking()
    page = signed_in.get(f"/admin/calls/{call.id}/cancel").get_data(as_text=True)
    assert "<legend>Why is it cancelled? (optional)</legend>" in page
    refused = signed_in.post(
        f"/admin/calls/{call.id}/cancel", data={"cancel_reason": "x", "cancel_detail": "ok"}
    )
    assert refused.status_code == 422
    assert "Choose one of the reasons listed, or none." in refused.get_data(as_text=True)
    assert the_booking().status == "confirmed"
    done = signed_in.post(
        f"/admin/calls/{call.id}/cancel",
        data={"cancel_reason": "other", "cancel_detail": "Duplicate of an earlier booking"},
    )
    assert done.status_code == 303
    made = the_booking()
    assert (made.status, made.cancel_reason, made.cancel_detail) == (
        "cancelled",
        "other",
        "Duplicate of an earlier booking",
    )
    (row,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "booking.status"))
    assert json.loads(row.after) == {
        "status": "cancelled",
        "cancel_reason": "other",
        "cancel_detail": "Duplicate of an earlier booking",
    }
