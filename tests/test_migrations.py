"""Data migrations: rows written by the code before a migration read right after it, on
SQLite and PostgreSQL (a scratch database of the test's own, migrated step by step)."""

from __future__ import annotations

import os
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import make_url
from sqlalchemy import text

from mortgage_connect.extensions import db
from tests.conftest import _sqlalchemy_url
from tests.conftest import make_app
from tests.conftest import ROOT
from tests.conftest import TEST_DATABASE_URL


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


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database to a revision, as `flask db upgrade` does."""
    app = make_app(url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision=revision)
        db.engine.dispose()


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
