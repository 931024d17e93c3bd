"""The outbox in the admin: mail listed by status, and a resend that queues a copy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mortgage_connect.extensions import db
from mortgage_connect.models import AuditLog
from mortgage_connect.models import OutboxMessage

pytestmark = pytest.mark.clock  # the mail comes from the `calls` fixture's calls, booked by date


def test_outbox_lists_mail_and_resends_a_copy(signed_in, calls):
    first = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    first.status, first.last_error = "failed", "550 <mailbox unavailable>"
    db.session.commit()
    page = signed_in.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "1 message." in page and "550 &lt;mailbox unavailable&gt;" in page
    total = db.session.query(OutboxMessage).count()
    response = signed_in.post(f"/admin/outbox/{first.id}/resend")
    assert response.status_code == 303
    assert db.session.query(OutboxMessage).count() == total + 1
    copy = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert (copy.status, copy.recipient, copy.recipient_name, copy.subject) == (
        "queued",
        first.recipient,
        first.recipient_name,
        first.subject,
    )
    assert copy.attachments == first.attachments
    assert db.session.scalars(
        select(AuditLog.action).where(AuditLog.action == "outbox.resend")
    ).all()
    assert signed_in.post("/admin/outbox/99999/resend").status_code == 404
    assert signed_in.get("/admin/outbox?status=<x>&page=abc").status_code == 200
