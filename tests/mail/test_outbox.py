"""The outbox: mail queued in the caller's transaction, delivered over real SMTP, retried."""

from __future__ import annotations

import email
import threading
import uuid
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from email import policy
from email.header import decode_header
from email.header import make_header

import icalendar
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from mortgage_connect.calls.invites import Invite
from mortgage_connect.calls.invites import render_ics
from mortgage_connect.calls.invites import REQUEST
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.mail import outbox
from mortgage_connect.models import OutboxMessage
from tests.conftest import free_port
from tests.factories import form_data
from tests.factories import free_times
from tests.factories import full_market
from tests.factories import make_host
from tests.factories import make_market


class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses it when told to."""

    def __init__(self):
        self.received: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.refuse = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.7.1 Message refused by policy"
        with self.lock:
            self.envelopes.append(envelope)
            self.received.append(
                email.message_from_bytes(envelope.original_content, policy=policy.default)
            )
        return "250 2.0.0 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port, for the length of the test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def mail_config(app, port, **extra):
    return {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, **extra}


def sample_invite(**changes) -> str:
    starts = datetime(2027, 3, 15, 14, 0, tzinfo=UTC)
    fields = dict(
        uid="call-42@mortgageconnect.example",
        sequence=0,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=20),
        summary="Call with Mortgage Connect Pro",
        description="Manage: http://localhost/book/manage/abc",
        location="https://meet.example.com/ana",
        organizer_name="Ana Host",
        organizer_email="ana@mortgageconnect.example",
        attendee_name="Pat Prospect",
        attendee_email="pat@example.com",
    )
    fields.update(changes)
    return render_ics(Invite(**fields))


def queued():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_queue_mail_belongs_to_the_callers_transaction(app):
    outbox.queue_mail("pat@example.com", "Rolled back", "text")
    db.session.rollback()
    assert queued() == []
    outbox.queue_mail("pat@example.com", "Kept", "text", "<p>html</p>")
    db.session.commit()
    (message,) = queued()
    assert (message.subject, message.status, message.attempts) == ("Kept", "queued", 0)
    assert message.created_at.tzinfo is not None


def test_delivers_queued_mail_with_the_invite_attached(app, smtp_server):
    ics = sample_invite()
    outbox.queue_mail(
        "pat@example.com",
        "Your call is booked",
        "Plain words.",
        "<p>HTML words.</p>",
        [outbox.calendar_attachment(ics, REQUEST)],
        to_name="Pat Prospect",
    )
    db.session.commit()

    report = outbox.deliver_queued(mail_config(app, smtp_server.port))

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    (received,) = smtp_server.received
    assert smtp_server.envelopes[0].rcpt_tos == ["pat@example.com"]
    assert received["Subject"] == "Your call is booked"
    assert received["To"] == "Pat Prospect <pat@example.com>"
    assert received.get_body(("plain",)).get_content().strip() == "Plain words."
    assert "HTML words." in received.get_body(("html",)).get_content()
    (invite,) = [p for p in received.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_filename() == "invite.ics"
    parsed = icalendar.Calendar.from_ical(invite.get_content())
    assert str(parsed["METHOD"]) == "REQUEST"
    assert str(parsed.walk("VEVENT")[0]["UID"]) == "call-42@mortgageconnect.example"

    (message,) = queued()
    assert message.status == "sent" and message.attempts == 1 and message.sent_at is not None
    # Nothing is sent twice.
    assert outbox.deliver_queued(mail_config(app, smtp_server.port)).sent == 0
    assert len(smtp_server.received) == 1


def test_login_when_a_username_is_configured(app):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        outbox.queue_mail("pat@example.com", "Hello", "text")
        db.session.commit()
        config = mail_config(app, controller.port, MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret")
        assert outbox.deliver_queued(config).sent == 1
    finally:
        controller.stop()
    assert logins == [(b"mailer", b"s3cret")]
    assert len(inbox.received) == 1


def test_failures_are_recorded_retried_then_given_up(app):
    outbox.queue_mail("pat@example.com", "Hello", "text")
    db.session.commit()
    dead_port = free_port()  # nothing listens here
    config = mail_config(app, dead_port, MAIL_MAX_ATTEMPTS=3, MAIL_TIMEOUT_SECONDS=2)
    now = utcnow()

    first = outbox.deliver_queued(config, now=now)
    (message,) = queued()
    assert (first.sent, first.retrying, first.failed) == (0, 1, 0)
    assert message.status == "queued" and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.not_before > now

    # Not due yet: nothing is tried.
    assert outbox.deliver_queued(config, now=now + timedelta(seconds=5)).retrying == 0
    assert queued()[0].attempts == 1

    outbox.deliver_queued(config, now=now + timedelta(hours=1))
    last = outbox.deliver_queued(config, now=now + timedelta(hours=2))
    (message,) = queued()
    assert last.failed == 1
    assert message.status == "failed" and message.attempts == 3


def test_a_refused_message_is_retried_and_later_delivered(app, smtp_server):
    outbox.queue_mail("pat@example.com", "Hello", "text")
    db.session.commit()
    config = mail_config(app, smtp_server.port)
    smtp_server.refuse = True
    now = utcnow()
    assert outbox.deliver_queued(config, now=now).retrying == 1
    assert "554" in queued()[0].last_error
    smtp_server.refuse = False
    assert outbox.deliver_queued(config, now=now + timedelta(hours=1)).sent == 1
    (message,) = queued()
    assert message.status == "sent" and message.attempts == 2 and message.last_error is None


def test_without_mail_server_mail_stays_in_the_outbox(app):
    outbox.queue_mail("pat@example.com", "Hello", "text")
    db.session.commit()
    report = outbox.deliver_queued({**app.config, "MAIL_SERVER": ""})
    assert report.skipped
    assert queued()[0].status == "queued"


def test_a_message_is_claimed_by_one_sender_only(app):
    message = outbox.queue_mail("pat@example.com", "Hello", "text")
    db.session.commit()
    now = utcnow()
    assert outbox._claim(message.id, now) is True
    assert outbox._claim(message.id, now) is False  # the lease is held
    assert outbox._claim(message.id, now + outbox.LEASE + timedelta(seconds=1)) is True


def test_two_senders_at_once_send_each_message_once(app, smtp_server):
    for i in range(12):
        outbox.queue_mail(f"p{i}@example.com", f"Message {i}", "text")
    db.session.commit()
    config = mail_config(app, smtp_server.port)
    reports = []
    barrier = threading.Barrier(2)

    def sender():
        with app.app_context():
            barrier.wait()
            reports.append(outbox.deliver_queued(config))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    subjects = sorted(m["Subject"] for m in smtp_server.received)
    assert subjects == sorted(f"Message {i}" for i in range(12))
    assert sum(r.sent for r in reports) == 12
    db.session.expire_all()
    assert {m.status for m in queued()} == {"sent"}
    assert {m.attempts for m in queued()} == {1}


def test_send_mail_command(app, smtp_server):
    outbox.queue_mail("pat@example.com", "Hello", "text")
    db.session.commit()
    runner = app.test_cli_runner()
    app.config["MAIL_SERVER"] = ""
    assert "stays in the outbox" in runner.invoke(args=["send-mail"]).output
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    assert len(smtp_server.received) == 1


# -- addresses: nothing typed into a name reaches the envelope or adds a header -------------

NAMES = [
    "eve@evil.example, Pat Prospect",  # a comma: once a second recipient
    'Pat "The Closer" O\'Brien',  # quotes
    "Pat <eve@evil.example>",  # angle brackets: once the only address the header showed
    "Pat\r\nBcc: eve@evil.example",  # CR/LF: once a message that could not be built
    "Zoë Ærøskøbing-Núñez 山田",  # non-ASCII: encoded, not mangled
    '"Eve" <eve@evil.example>, Zoë\r\nCc: eve@evil.example',
]


def header_block(envelope) -> str:
    """The raw header lines as sent (ASCII: a non-ASCII name travels RFC 2047-encoded)."""
    return envelope.original_content.split(b"\r\n\r\n", 1)[0].decode("ascii")


def assert_only_to(received, envelope, name: str, addr: str) -> None:
    """One recipient, in the envelope and in To; the name shown whole, on one line."""
    assert envelope.rcpt_tos == [addr]
    assert envelope.mail_from == "calls@mortgageconnect.example"
    shown = " ".join(name.split())
    (to,) = received["To"].addresses
    assert to.addr_spec == addr
    if name.isascii():
        assert to.display_name == shown
    else:
        # A long encoded name is folded into several encoded words. RFC 2047 ignores the space
        # between them, but the email package's address parser keeps it, so decode the name
        # with email.header, which follows the RFC.
        raw = email.message_from_bytes(envelope.original_content, policy=policy.compat32)["To"]
        assert raw.rstrip().endswith(f"<{addr}>") and raw.isascii() and "=?utf-8?" in raw
        phrase = raw.rstrip()[: -len(f"<{addr}>")]
        assert str(make_header(decode_header(phrase))).strip() == shown
    assert received["Cc"] is None and received["Bcc"] is None
    header_block(envelope)  # ASCII only


def test_queue_mail_takes_one_bare_address_and_the_name_apart(app):
    for bad in (
        "Pat Prospect <pat@example.com>",
        "pat@example.com, eve@evil.example",
        "pat@example.com\r\nBcc: eve@evil.example",
        "<pat@example.com>",
        "pat",
        "",
    ):
        with pytest.raises(ValueError):
            outbox.queue_mail(bad, "Hello", "text", to_name="Pat")
    message = outbox.queue_mail(
        " pat@example.com ", "Booked:\r\nBcc: x@y.example", "text", to_name="Pat\r\n\tProspect"
    )
    assert (message.recipient, message.recipient_name, message.subject) == (
        "pat@example.com",
        "Pat Prospect",
        "Booked: Bcc: x@y.example",
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_booking_mails_exactly_the_typed_address_and_the_host(app, smtp_server, name):
    make_market()
    host = make_host()
    form = form_data(free_times()[0], uuid.uuid4().hex, name=name, email="pat.p@example.com")
    response = app.test_client().post("/book/dallas-fort-worth/details", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]

    report = outbox.deliver_queued(mail_config(app, smtp_server.port))

    assert (report.sent, report.retrying, report.failed) == (2, 0, 0), queued()[0].last_error
    (confirmation, note), (to_prospect, to_host) = smtp_server.received, smtp_server.envelopes
    assert_only_to(confirmation, to_prospect, name, "pat.p@example.com")
    assert_only_to(note, to_host, host.name, host.email)
    assert " ".join(name.split()) in note["Subject"]  # the name is in the subject, on one line


@pytest.mark.parametrize("name", NAMES)
def test_a_waitlist_join_mails_exactly_the_typed_address(app, smtp_server, name):
    full_market(cap=1)
    form = {
        "name": name,
        "email": "ann.lee@lender.example",
        "phone": "214-555-0187",
        "company": "Lone Star Lending",
    }
    response = app.test_client().post("/markets/dallas-fort-worth/waitlist", data=form)
    assert response.status_code in (200, 303)

    report = outbox.deliver_queued(mail_config(app, smtp_server.port))

    assert (report.sent, report.failed) == (1, 0), queued()[0].last_error
    (joined,), (envelope,) = smtp_server.received, smtp_server.envelopes
    assert_only_to(joined, envelope, name, "ann.lee@lender.example")


def test_a_non_ascii_address_is_mailed_whole_to_a_server_that_speaks_smtputf8(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True)
    controller.start()
    try:
        make_market()
        make_host()
        form = form_data(free_times()[0], uuid.uuid4().hex, name="Zoë", email="zoë@exämple.com")
        response = app.test_client().post("/book/dallas-fort-worth/details", data=form)
        assert response.status_code == 303  # the booking is made and its mail queued
        report = outbox.deliver_queued(mail_config(app, controller.port))
    finally:
        controller.stop()
    assert (report.sent, report.failed) == (2, 0)
    assert inbox.envelopes[0].rcpt_tos == ["zoë@exämple.com"]
    assert "Zoë <zoë@exämple.com>" in inbox.envelopes[0].original_content.decode()
