"""The audit trail: written in the caller's transaction, shown read-only, never editable."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mortgage_connect import audit
from mortgage_connect.database import write_transaction
from mortgage_connect.extensions import db
from mortgage_connect.models import AuditLog

ACTOR = audit.Actor(None, "tester@example.com", "192.0.2.1")


def test_record_writes_in_the_callers_transaction(app):
    with pytest.raises(RuntimeError):
        with write_transaction():
            audit.record(ACTOR, "market.cap", ("market", 7), {"cap": 3}, {"cap": 5})
            raise RuntimeError("the change failed")
    assert db.session.scalar(select(AuditLog)) is None
    with write_transaction():
        row = audit.record(ACTOR, "market.cap", ("market", 7), {"cap": 3}, {"cap": 5})
    stored = db.session.get(AuditLog, row.id)
    assert (stored.actor, stored.address, stored.entity_type, stored.entity_id) == (
        "tester@example.com",
        "192.0.2.1",
        "market",
        "7",
    )
    assert stored.changes == [("cap", 3, 5)]
    assert stored.at.tzinfo is not None


def test_audit_rows_cannot_be_changed_or_deleted(app):
    with write_transaction():
        row = audit.record(ACTOR, "market.cap", ("market", 1), {"cap": 1}, {"cap": 2})
    row.after = '{"cap": 99}'
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditLog, row.id))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditLog, row.id).after == '{"cap": 2}'


def test_no_route_can_edit_the_audit_log(app, signed_in):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or "audit" in rule.endpoint:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert signed_in.open("/admin/audit", method=method).status_code == 405


def test_audit_page_lists_filters_and_pages(app, signed_in):
    with write_transaction():
        for n in range(55):
            audit.record(ACTOR, "market.cap", ("market", n % 3), {"cap": n}, {"cap": n + 1})
        audit.record(ACTOR, "price.change", ("market", 1), {"cents": 100}, {"cents": 250})
    page = signed_in.get("/admin/audit")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "58 changes" in body  # 55 + 1 + staff.create + staff.sign_in
    assert "page 1 of 2" in body and 'rel="next"' in body
    assert body.count("<tr>") == 51  # header + 50
    older = signed_in.get("/admin/audit?page=2").get_data(as_text=True)
    assert older.count("<tr>") == 9
    filtered = signed_in.get("/admin/audit?action=price.change").get_data(as_text=True)
    assert "1 change match these filters" in filtered
    assert "100 → 250" in filtered
    by_record = signed_in.get("/admin/audit?entity_type=market&entity_id=2").get_data(as_text=True)
    assert "18 changes match" in by_record
    assert '<a href="/admin/markets/2">market #2</a>' in by_record


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-4",
        "page=99999999999999999999",
        "page=500",
        "action=<script>alert(1)</script>",
        "entity_type=" + "x" * 5000,
        "entity_id=%00%ff",
    ],
)
def test_audit_page_survives_odd_queries(app, signed_in, query):
    response = signed_in.get("/admin/audit?" + query)
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_hostile_values_in_the_log_are_shown_as_text(app, signed_in):
    with write_transaction():
        audit.record(
            ACTOR, "market.name", ("market", 1), {"name": "A"}, {"name": '<img src=x hx-get="/x">'}
        )
    body = signed_in.get("/admin/audit").get_data(as_text=True)
    assert '<img src=x hx-get="/x">' not in body
    assert "&lt;img src=x hx-get=&#34;/x&#34;&gt;" in body


def test_dashboard_shows_recent_changes(app, signed_in):
    body = signed_in.get("/admin/").get_data(as_text=True)
    assert "staff.sign_in" in body
    assert "See the whole audit log" in body
