"""Data migrations: rows written by the code before a migration read right after it, on
SQLite and PostgreSQL (a scratch database of the test's own, migrated step by step)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import make_url
from sqlalchemy import select
from sqlalchemy import text

from mortgage_connect import booking
from mortgage_connect import capacity
from mortgage_connect import secret_links
from mortgage_connect.extensions import db
from mortgage_connect.models import Booking
from mortgage_connect.models import CallReminder
from mortgage_connect.models import OutboxMessage
from mortgage_connect.waitlist import places
from tests.conftest import _sqlalchemy_url
from tests.conftest import make_app
from tests.conftest import ROOT
from tests.conftest import TEST_DATABASE_URL
from tests.factories import free_times
from tests.factories import full_market
from tests.factories import join_n
from tests.factories import make_host
from tests.factories import make_market
from tests.factories import slot_after


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database for this test alone: a SQLite file, or a PostgreSQL database."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    admin = make_url(_sqlalchemy_url(TEST_DATABASE_URL))
    name = f"mcp_migration_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    """Upgrade (or downgrade) the database to a revision, as `flask db upgrade` does."""
    app = make_app(url)
    with app.app_context():
        (downgrade if down else upgrade)(directory=str(ROOT / "migrations"), revision=revision)
        db.engine.dispose()


@contextmanager
def site(url: str):
    """The app on that database, its context pushed."""
    app = make_app(url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def legacy_token(secret: str, kind: bytes, value: str) -> str:
    """A private link's token as the code before signed link ids made it."""
    digest = hmac.new(secret.encode(), kind + value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def run_sql(url: str, sql: str, **params) -> list:
    """Run one statement in its own transaction; the rows it returns, if any."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def test_outbox_recipients_are_split_into_address_and_name(scratch_url):
    migrate(scratch_url, "5b1e7c2d9a40")
    stored = {
        1: "Pat Prospect <pat@example.com>",  # the booking mails' f-string
        2: "eve@evil.example, Pat <pat@example.com>",  # … with a comma in the name
        3: "Pat <eve@evil.example> <pat@example.com>",  # … with angle brackets in the name
        4: '"Lee, Ann" <ann@lender.example>',  # formataddr (the waitlist mails)
        5: "=?utf-8?b?Wm/DqyDDhnJvw7g=?= <zoe@lender.example>",  # formataddr, non-ASCII
        6: "ops@example.com",  # a bare address
    }
    for message_id, recipient in stored.items():
        run_sql(
            scratch_url,
            "INSERT INTO outbox_messages (id, recipient, subject, text_body, attachments,"
            " status, attempts, created_at, not_before)"
            " VALUES (:id, :recipient, 'Hello', 'text', '[]', 'queued', 0,"
            " '2026-11-30 10:00:00', '2026-11-30 10:00:00')",
            id=message_id,
            recipient=recipient,
        )

    migrate(scratch_url)

    rows = run_sql(
        scratch_url, "SELECT id, recipient_name, recipient FROM outbox_messages ORDER BY id"
    )
    assert {row.id: (row.recipient_name, row.recipient) for row in rows} == {
        1: ("Pat Prospect", "pat@example.com"),
        2: ("eve@evil.example, Pat", "pat@example.com"),
        3: ("Pat <eve@evil.example>", "pat@example.com"),
        4: ("Lee, Ann", "ann@lender.example"),
        5: ("Zoë Æroø", "zoe@lender.example"),
        6: ("", "ops@example.com"),
    }


def test_bookings_made_before_keep_their_links_and_their_resubmits(scratch_url):
    """A booking from before: its manage link (an HMAC of the form token, found by hash) still
    opens it, the same form for the same call still finds it, and nothing else does."""
    migrate(scratch_url)
    form_token = uuid.uuid4().hex
    with site(scratch_url):
        market = make_market()
        make_host()
        start = free_times()[0]
        details = booking.Details(
            name="Pat Prospect", email="Pat@Example.com", phone="214-555-0187", company="C",
            lead_source="none", time_zone="America/Chicago", consent=True,
        )  # fmt: skip
        made, _, _ = booking.book(market.id, start, details, form_token)
        booking_id, market_id = made.id, market.id
    old_link = legacy_token("test-secret-key", b"booking-manage:", form_token)
    migrate(scratch_url, "6d2f0c8e41a7", down=True)
    run_sql(
        scratch_url,
        "UPDATE bookings SET form_token = :token, manage_token_hash = :hashed WHERE id = :id",
        token=form_token,
        hashed=hashlib.sha256(old_link.encode()).hexdigest(),
        id=booking_id,
    )

    migrate(scratch_url)

    columns = run_sql(scratch_url, "SELECT * FROM bookings")[0]._asdict()
    assert "form_token" not in columns and form_token not in map(str, columns.values())
    with site(scratch_url):
        found = booking.find_booking(old_link)
        assert found is not None and found.id == booking_id
        again, token, created = booking.book(market_id, start, details, form_token)
        assert (again.id, created) == (booking_id, False)
        assert secret_links.link_id(secret_links.BOOKING, token) == found.link_id
        other = details.__class__(**{**details.__dict__, "email": "eve@evil.example"})
        with pytest.raises(booking.SlotTaken):
            booking.book(market_id, start, other, form_token)
        # The old link still cancels; the mail it sends carries the new kind of link.
        booking.cancel(old_link)
        last = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).all()[1]
        assert f"/book/manage/{token}" in last.text_body
        assert db.session.get(Booking, booking_id).status == "cancelled"


def test_waitlist_places_from_before_keep_their_links(scratch_url):
    """A place from before: its status link (an HMAC of a seed, found by hash) still opens it
    and still books through an offer; the offer email carries the new kind of link."""
    migrate(scratch_url)
    with site(scratch_url):
        market, seats = full_market(cap=1)
        joined = join_n(market.id, 1)[0]
        entry_id, seat_id, market_id = joined.entry.id, seats[0].id, market.id
    seed = "a-seed-from-before-the-migration"
    old_link = legacy_token("test-secret-key", b"waitlist-status:", seed)
    migrate(scratch_url, "3c8e5a1f9b62", down=True)
    run_sql(
        scratch_url,
        "UPDATE waitlist_entries SET token_seed = :seed, token_hash = :hashed WHERE id = :id",
        seed=seed,
        hashed=hashlib.sha256(old_link.encode()).hexdigest(),
        id=entry_id,
    )

    migrate(scratch_url)

    columns = run_sql(scratch_url, "SELECT * FROM waitlist_entries")[0]._asdict()
    assert "token_seed" not in columns and columns["link_id"]
    with site(scratch_url):
        assert places.find(old_link).id == entry_id
        capacity.release_seat(seat_id)  # a seat opens: the offer goes out by email
        offer = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first()
        new_link = places.status_token(places.find(old_link))
        assert new_link != old_link and f"offer={new_link}" in offer.text_body
        assert places.check_offer(old_link, market_id).id == entry_id
        assert places.check_offer(new_link, market_id).id == entry_id


def test_calls_booked_before_reminders_get_those_still_ahead(scratch_url):
    """Calls booked before reminders existed: the migration plans the default ones (a day and
    an hour before) that are still ahead, for confirmed calls only."""
    migrate(scratch_url)
    with site(scratch_url):
        market = make_market()
        make_host()
        calls = {}
        for name, ahead in (("far", timedelta(days=3)), ("near", timedelta(hours=3)),
                            ("gone", timedelta(days=4))):  # fmt: skip
            details = booking.Details(
                name=name.title(), email=f"{name}@example.com", phone="214-555-0187",
                company="C", lead_source="none", time_zone="America/Chicago", consent=True,
            )  # fmt: skip
            made, token, _ = booking.book(market.id, slot_after(ahead), details, uuid.uuid4().hex)
            calls[name] = (made.id, made.starts_at)
        booking.cancel(token)  # the last one
    migrate(scratch_url, "b7f3c1d9e2a4", down=True)

    migrate(scratch_url)

    with site(scratch_url):
        rows = db.session.scalars(
            select(CallReminder).order_by(CallReminder.booking_id, CallReminder.minutes_before)
        ).all()
        planned = {(r.booking_id, r.minutes_before, r.sequence, r.status, r.due_at) for r in rows}
        far_id, far_start = calls["far"]
        near_id, near_start = calls["near"]
        assert planned == {
            (far_id, 1440, 0, "scheduled", far_start - timedelta(hours=24)),
            (far_id, 60, 0, "scheduled", far_start - timedelta(hours=1)),
            (near_id, 60, 0, "scheduled", near_start - timedelta(hours=1)),
        }
