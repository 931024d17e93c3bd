"""Rotating SECRET_KEY: with the old key in SECRET_KEY_FALLBACKS, sessions, forms and private
links made under it keep working, and everything new is signed with the new key."""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from mortgage_connect import booking
from mortgage_connect import capacity
from mortgage_connect import config
from mortgage_connect.extensions import db
from mortgage_connect.models import OutboxMessage
from tests.conftest import make_app
from tests.factories import free_times
from tests.factories import full_market
from tests.factories import join_n
from tests.factories import make_host
from tests.factories import make_market

OLD, NEW = "the-old-secret-key", "the-new-secret-key"
JOIN = "/markets/dallas-fort-worth/waitlist"
DETAILS = {
    "name": "Ann Lee",
    "email": "ann.lee@lender.example",
    "phone": "214-555-0187",
    "company": "Lone Star Lending",
}


@contextmanager
def running(database_url: str, key: str, fallbacks: list[str] | None = None):
    """The site as deployed with these keys (CSRF on).

    No app context stays pushed around its requests: they would share it, and with it `g`,
    where Flask-WTF keeps the request's CSRF token.
    """
    app = make_app(
        database_url, SECRET_KEY=key, SECRET_KEY_FALLBACKS=fallbacks or [], WTF_CSRF_ENABLED=True
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def csrf_field(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def form_opened_under_the_old_key(database_url: str) -> tuple[str, str]:
    """A visitor opens the waitlist form before the rotation: (session cookie, CSRF token)."""
    with running(database_url, OLD) as app:
        with app.app_context():
            full_market(cap=1)
        client = app.test_client()
        html = client.get(JOIN).get_data(as_text=True)
        return client.get_cookie("session").value, csrf_field(html)


def post_after_the_rotation(app, cookie: str, token: str):
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.post(JOIN, data={**DETAILS, "csrf_token": token})


def test_the_fallbacks_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY_FALLBACKS", raising=False)
    assert config.from_environment(str(tmp_path))["SECRET_KEY_FALLBACKS"] == []
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", " older-key, old-key\n oldest-key ")
    assert config.from_environment(str(tmp_path))["SECRET_KEY_FALLBACKS"] == [
        "older-key",
        "old-key",
        "oldest-key",
    ]


def test_a_form_opened_before_the_rotation_posts_after_it(database_url):
    cookie, token = form_opened_under_the_old_key(database_url)
    with running(database_url, NEW, [OLD]) as app:
        response = post_after_the_rotation(app, cookie, token)
        assert response.status_code in (200, 303), response.get_data(as_text=True)[:300]
        # What the new site signs from now on verifies under the new key alone.
        client = app.test_client()
        fresh = csrf_field(client.get(JOIN).get_data(as_text=True))
        fresh_cookie = client.get_cookie("session").value
    with running(database_url, NEW) as app:
        assert post_after_the_rotation(app, fresh_cookie, fresh).status_code in (200, 303)


def test_without_the_fallback_the_old_form_is_refused(database_url):
    cookie, token = form_opened_under_the_old_key(database_url)
    with running(database_url, NEW) as app:
        assert post_after_the_rotation(app, cookie, token).status_code == 400


@pytest.mark.parametrize("fallbacks", [[OLD], ["unrelated-key", OLD]])
def test_the_session_itself_is_read_with_a_fallback(database_url, fallbacks):
    cookie, _ = form_opened_under_the_old_key(database_url)
    with running(database_url, NEW, fallbacks) as app:
        with app.test_request_context():
            from flask import session

            serializer = app.session_interface.get_signing_serializer(app)
            assert "csrf_token" in serializer.loads(cookie)
            assert session.get("csrf_token") is None  # this request has no cookie


def last_mail_to(email: str) -> OutboxMessage:
    db.session.rollback()
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()


def test_links_sent_before_a_rotation_still_open_and_new_mail_is_signed_with_the_new_key(
    database_url,
):
    with running(database_url, OLD) as app, app.app_context():
        dallas = make_market()
        make_host()
        details = booking.Details(
            name="Pat Prospect", email="pat@example.com", phone="214-555-0187", company="C",
            lead_source="none", time_zone="America/Chicago", consent=True,
        )  # fmt: skip
        slots = free_times()
        _, old_manage, _ = booking.book(dallas.id, slots[0], details, uuid.uuid4().hex)
        houston, seats = full_market("houston", aliases="Houston", cap=1)
        old_status = join_n(houston.id, 1)[0].token
        seat_id = seats[0].id
    manage_url, status_url = f"/book/manage/{old_manage}", f"/waitlist/{old_status}"

    with running(database_url, NEW, [OLD]) as app:
        client = app.test_client()
        assert client.get(manage_url).status_code == 200
        assert client.get(status_url).status_code == 200
        with app.app_context():
            # Mail sent after the rotation carries links signed with the new key.
            booking.reschedule(old_manage, slots[3])
            moved = last_mail_to("pat@example.com")
            new_manage = re.search(r"/book/manage/([\w.-]+)", moved.text_body).group(1)
            capacity.release_seat(seat_id)
            offer = last_mail_to("waiter0@lender.example")
            new_status = re.search(r"\?offer=([\w.-]+)", offer.text_body).group(1)
        assert (new_manage, new_status) != (old_manage, old_status)
        assert client.get(f"{manage_url}/reschedule").status_code == 200

    with running(database_url, NEW) as app:  # the old key retired for good
        client = app.test_client()
        assert client.get(f"/book/manage/{new_manage}").status_code == 200
        assert client.get(f"/waitlist/{new_status}").status_code == 200
        assert client.get(f"/book/houston?offer={new_status}").status_code == 200
        assert client.get(manage_url).status_code == 404
        assert client.get(status_url).status_code == 404
