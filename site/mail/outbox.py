"""Email: written to the outbox in the caller's transaction, delivered later over SMTP.

Addresses never travel as "Name <addr>" strings: the outbox keeps the bare address and the
display name apart, the To and From headers are built from them with `Address`, and the SMTP
envelope is the stored address itself, so nothing a visitor types can add a recipient.
"""

from __future__ import annotations

import smtplib
import ssl
import unicodedata
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import make_msgid
from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy import update

from .. import audit
from ..clock import utcnow
from ..database import write_transaction
from ..domain import NotFound
from ..extensions import db
from ..models import OutboxMessage
from ..paging import Paged
from ..paging import paginate

# While a sender works on a message nobody else may take it; after this it counts as abandoned.
LEASE = timedelta(minutes=10)
# The outbox columns' sizes: a longer name or subject is cut rather than refused.
NAME_LENGTH = 200
SUBJECT_LENGTH = 300


def calendar_attachment(ics: str, method: str, filename: str = "invite.ics") -> dict:
    """An .ics invite as an outbox attachment (text/calendar with its iTIP method)."""
    return {
        "filename": filename,
        "content_type": "text/calendar",
        "method": method,
        "content": ics,
    }


def one_line(text: str | None) -> str:
    """Text fit for a header: line breaks and other control characters become single spaces."""
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text or "")
    return " ".join(cleaned.split())


# Never part of an address we send to: they separate, quote or comment in address headers.
NOT_IN_ADDRESS = frozenset('<>()[]@,;:\\"')


def address(email: str, name: str = "") -> Address:
    """One mailbox from a bare address and a display name, or ValueError.

    The address must be one plain addr-spec, local@domain: no display name, list, comment,
    quoting, space or control character. The local part may be non-ASCII (sent only to
    servers that speak SMTPUTF8). The name may be any text: `Address` quotes or RFC
    2047-encodes it, so commas, quotes, angle brackets and non-ASCII stay inside the name, and
    line breaks are flattened first (a header with one can't be built).
    """
    local, _, domain = (email or "").strip().rpartition("@")
    if not (local and _plain(local) and all(domain.split(".")) and _plain(domain)):
        raise ValueError(f"not a single email address: {email!r}")
    return Address(display_name=one_line(name), username=local, domain=domain)


def _plain(part: str) -> bool:
    return not any(
        c in NOT_IN_ADDRESS or c.isspace() or unicodedata.category(c) == "Cc" for c in part
    )


def queue_mail(
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    attachments: Iterable[dict] = (),
    *,
    to_name: str = "",
) -> OutboxMessage:
    """Put a message for one person in the outbox, in the caller's transaction (no commit).

    `to` is the bare address (it becomes the envelope recipient), `to_name` the name to show;
    ValueError when `to` is not exactly one address.
    """
    mailbox = address(to, to_name)
    message = OutboxMessage(
        recipient=mailbox.addr_spec,
        recipient_name=mailbox.display_name[:NAME_LENGTH],
        subject=one_line(subject)[:SUBJECT_LENGTH],
        text_body=text_body,
        html_body=html_body,
        attachments=list(attachments),
        status=OutboxMessage.QUEUED,
        attempts=0,
        created_at=utcnow(),
        not_before=utcnow(),
    )
    db.session.add(message)
    return message


def sender_address(sender: str) -> Address:
    """MAIL_DEFAULT_SENDER ("Name <addr>" or a bare address) as a mailbox, or ValueError."""
    name, addr = parseaddr(sender)
    return address(addr, name)


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message for an outbox row: text, optional HTML, attachments.

    Headers come from the stored parts, flattened again: rows queued before the outbox kept
    names apart may still hold a line break, which would make the message impossible to build.
    """
    from_ = sender_address(sender)
    email = EmailMessage()
    email["From"] = from_
    email["To"] = address(message.recipient, message.recipient_name)
    email["Subject"] = one_line(message.subject)
    email["Date"] = format_datetime(message.created_at)
    domain = from_.domain or "localhost"
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=domain)
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments or ():
        maintype, _, subtype = attachment["content_type"].partition("/")
        params = {"method": attachment["method"]} if attachment.get("method") else {}
        if maintype != "text":
            raise ValueError(f"unsupported attachment type {attachment['content_type']!r}")
        email.add_attachment(
            attachment["content"], subtype=subtype, filename=attachment["filename"], params=params
        )
    return email


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: bool = False  # no MAIL_SERVER: mail stays in the outbox


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _connect(config: Mapping) -> smtplib.SMTP:
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = int(config.get("MAIL_TIMEOUT_SECONDS", 30))
    context = ssl.create_default_context()
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=context)
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
    return smtp


def _claim(message_id: int, now: datetime) -> bool:
    """Take a due message for this sender; False when another sender has it (or it isn't due).

    A conditional UPDATE is settled by the database: of two senders racing for the same
    row, only one sees its WHERE still true, on SQLite and PostgreSQL alike.
    """
    with write_transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxMessage.QUEUED,
                OutboxMessage.not_before <= now,
            )
            .values(not_before=now + LEASE, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _record(message_id: int, error: Exception | None, now: datetime, max_attempts: int) -> str:
    """Write down how a delivery went; returns the message's new status."""
    with write_transaction() as session:
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        if error is None:
            message.status = OutboxMessage.SENT
            message.sent_at = utcnow()
            message.last_error = None
        else:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= max_attempts:
                message.status = OutboxMessage.FAILED
            else:
                message.not_before = now + backoff(message.attempts)
        return message.status


def deliver_queued(
    config: Mapping, limit: int = 100, now: datetime | None = None
) -> DeliveryReport:
    """Send queued mail over SMTP; failures are recorded and retried, then given up on.

    No transaction stays open while the SMTP server is talked to: a claim, the send, and
    the outcome are separate steps, so a slow server never holds a database lock.
    """
    report = DeliveryReport()
    if not config.get("MAIL_SERVER"):
        report.skipped = True
        return report
    now = now or utcnow()
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", 5))
    sender = config["MAIL_DEFAULT_SENDER"]
    db.session.rollback()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxMessage.QUEUED, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.rollback()  # end the read; each step below is its own transaction
    smtp: smtplib.SMTP | None = None
    try:
        for message_id in due:
            if not _claim(message_id, now):
                continue
            error: Exception | None = None
            try:
                message = db.session.get(OutboxMessage, message_id)
                email = build_email(message, sender)
                # The envelope is the stored address, never what a header parses to.
                envelope = (sender_address(sender).addr_spec, [message.recipient])
                db.session.rollback()
                if smtp is None:
                    smtp = _connect(config)
                smtp.send_message(email, *envelope)
            except (smtplib.SMTPException, OSError, ValueError) as failure:
                error = failure
                smtp = _close(smtp)  # the connection may be broken; the next message reconnects
            status = _record(message_id, error, now, max_attempts)
            if status == OutboxMessage.SENT:
                report.sent += 1
            elif status == OutboxMessage.FAILED:
                report.failed += 1
            else:
                report.retrying += 1
    finally:
        _close(smtp)
    return report


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return None
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
    return None


# -- the outbox screen ------------------------------------------------------------------------

OUTBOX_STATUSES = (OutboxMessage.QUEUED, OutboxMessage.SENT, OutboxMessage.FAILED)


def messages(status: str, page: int | None, per_page: int = 50) -> Paged:
    """One page of outbox messages, newest first, optionally of one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status in OUTBOX_STATUSES:
        query = query.where(OutboxMessage.status == status)
    return paginate(query, page, per_page)


def resend(actor: audit.Actor, message_id: int) -> OutboxMessage:
    """Queue a fresh copy of a message (the original stays as it was, for the record)."""
    with write_transaction() as session:
        original = session.get(OutboxMessage, message_id)
        if original is None:
            raise NotFound("That message doesn't exist.")
        copy = queue_mail(
            original.recipient,
            original.subject,
            original.text_body,
            original.html_body,
            original.attachments or [],
            to_name=original.recipient_name,
        )
        session.flush()
        audit.record(
            actor,
            "outbox.resend",
            ("outbox_message", original.id),
            {"status": original.status},
            {"copy_id": copy.id, "recipient": original.recipient},
        )
    return copy
