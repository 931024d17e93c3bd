"""Calls in the admin: filters, CSV, outcomes, cancel with its email; on the dashboard and a
market's page. The outbox screen: tests/mail/test_admin.py."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from mortgage_connect.extensions import db
from mortgage_connect.models import AuditLog
from mortgage_connect.models import Booking
from mortgage_connect.models import OutboxMessage
from mortgage_connect.web.filters import in_zone
from tests.factories import at_noon
from tests.factories import book

pytestmark = pytest.mark.clock


def test_calls_list_filters_upcoming_past_market_host_and_day(signed_in, calls):
    upcoming = signed_in.get("/admin/calls").get_data(as_text=True)
    assert "2 calls." in upcoming
    assert upcoming.index("Sam Soon") < upcoming.index("Lee Later")
    assert "Paula Past" not in upcoming
    past = signed_in.get("/admin/calls?when=past").get_data(as_text=True)
    assert "Paula Past" in past and "Sam Soon" not in past
    austin = signed_in.get(f"/admin/calls?when=all&market={calls['austin'].id}")
    assert "1 call." in austin.get_data(as_text=True)
    by_host = signed_in.get(f"/admin/calls?when=all&host={calls['host'].id}")
    assert "3 calls." in by_host.get_data(as_text=True)
    day = at_noon(3).date().isoformat()
    one_day = signed_in.get(f"/admin/calls?when=all&date={day}").get_data(as_text=True)
    assert "1 call." in one_day and "Sam Soon" in one_day


@pytest.mark.parametrize(
    "query",
    ["date=2026-13-45", "date=<script>alert(1)</script>", "market=abc", "host=-1",
     "when=everything", "page=-3", "page=99999999999999", "date=" + "9" * 500],
)  # fmt: skip
def test_calls_list_survives_odd_queries(signed_in, calls, query):
    response = signed_in.get("/admin/calls?" + query)
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_bad_date_gets_a_message(signed_in, calls):
    body = signed_in.get("/admin/calls?date=2026-02-30").get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD" in body


def test_csv_export_follows_the_filter_and_defuses_formulas(signed_in, calls):
    response = signed_in.get("/admin/calls.csv?when=upcoming")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:5] == ["id", "starts_at_utc", "market", "host", "status"]
    assert [r[5] for r in rows[1:]] == ["Sam Soon", "Lee Later"]
    assert rows[1][8] == '\'=HYPERLINK("http://x")'


def test_mark_completed_and_no_show_only_after_the_start(signed_in, calls):
    past, soon = calls["past"], calls["soon"]
    done = signed_in.post(f"/admin/calls/{past.id}/outcome", data={"outcome": "completed"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, past.id).status == "completed"
    signed_in.post(f"/admin/calls/{past.id}/outcome", data={"outcome": "no_show"})
    db.session.expire_all()
    assert db.session.get(Booking, past.id).status == "no_show"
    early = signed_in.post(
        f"/admin/calls/{soon.id}/outcome", data={"outcome": "completed"}, follow_redirects=True
    )
    assert "hasn&#39;t started yet" in early.get_data(as_text=True)
    bad = signed_in.post(
        f"/admin/calls/{past.id}/outcome", data={"outcome": "<b>x</b>"}, follow_redirects=True
    )
    assert "Choose completed or no-show." in bad.get_data(as_text=True)
    assert (
        signed_in.post("/admin/calls/99999/outcome", data={"outcome": "completed"}).status_code
        == 404
    )
    rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "booking.status")).all()
    assert [r.changes[-1][1:] for r in rows] == [
        ("confirmed", "completed"),
        ("completed", "no_show"),
    ]


def test_cancel_asks_first_then_cancels_and_emails(signed_in, calls):
    soon = calls["soon"]
    before = db.session.query(OutboxMessage).count()
    confirm = signed_in.get(f"/admin/calls/{soon.id}/cancel")
    assert "Cancel the call with Sam Soon?" in confirm.get_data(as_text=True)
    done = signed_in.post(f"/admin/calls/{soon.id}/cancel", follow_redirects=True)
    assert "is cancelled; the cancellation was emailed." in done.get_data(as_text=True)
    db.session.expire_all()
    call = db.session.get(Booking, soon.id)
    assert call.status == "cancelled" and call.sequence == 1
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[before:]
    assert any("cancelled" in m.subject for m in mails)
    assert any(a.get("method") == "CANCEL" for m in mails for a in m.attachments)
    [row] = db.session.scalars(select(AuditLog).where(AuditLog.action == "booking.status")).all()
    assert (row.entity_type, row.entity_id, row.actor) == (
        "booking",
        str(soon.id),
        "dana@example.com",
    )
    past = signed_in.post(f"/admin/calls/{calls['past'].id}/cancel", follow_redirects=True)
    assert "can&#39;t be cancelled" in past.get_data(as_text=True)


def test_dashboard_shows_todays_calls_and_calls_per_week(signed_in, calls):
    book(calls["dallas"], at_noon(0), "Tina Today")
    cancelled = book(calls["dallas"], at_noon(0) + timedelta(hours=1), "Carl Cancelled")
    cancelled.status = "cancelled"
    db.session.commit()
    body = signed_in.get("/admin/").get_data(as_text=True)
    today = body.split('id="today-heading"')[1].split("</section>")[0]
    assert "12:00 UTC</time> · Tina Today" in today and "Carl Cancelled" not in today
    assert 'aria-labelledby="week-chart-title"' in body
    table = body.split("<caption>Calls per week</caption>")[1].split("</table>")[0]

    def week_of(moment):
        return moment.date() - timedelta(days=moment.weekday())

    monday = week_of(at_noon(0))
    expected = sum(1 for d in (0, -2, 3, 5) if week_of(at_noon(d)) == monday)
    monday = monday.isoformat()
    assert f'<th scope="row">{monday} (this week)</th><td class="num">{expected}</td>' in table


def test_market_page_shows_its_upcoming_and_past_calls_in_its_zone(signed_in, calls):
    dallas = calls["dallas"]
    page = signed_in.get(f"/admin/markets/{dallas.id}").get_data(as_text=True)
    section = page[page.index('id="calls-heading"') : page.index('id="prices-heading"')]
    upcoming, past = section.split('id="calls-past-heading"')
    assert "Sam Soon" in upcoming and "Paula Past" not in upcoming
    assert "Paula Past" in past and "Sam Soon" not in past
    assert "Lee Later" not in section  # Austin's call
    assert in_zone(calls["soon"].starts_at, "America/Chicago") in upcoming
    assert "Ana Lee" in upcoming and "confirmed" in upcoming
    assert f'href="/admin/calls?market={dallas.id}&amp;when=upcoming"' in upcoming
    assert f'href="/admin/calls?market={dallas.id}&amp;when=past"' in past
    austin = signed_in.get(f"/admin/markets/{calls['austin'].id}").get_data(as_text=True)
    assert "No past calls." in austin and "Lee Later" in austin


def test_market_page_shows_at_most_ten_upcoming_calls(signed_in, calls):
    for day in range(6, 17):
        book(calls["dallas"], at_noon(day), f"Person{day} Later")
    page = signed_in.get(f"/admin/markets/{calls['dallas'].id}").get_data(as_text=True)
    section = page[page.index('id="calls-heading"') : page.index('id="calls-past-heading"')]
    assert section.count("<tr>") == 1 + 10  # the head and ten calls, soonest first
    assert "Sam Soon" in section and "Person15 Later" not in section
    assert "(showing the next 10)" in section
