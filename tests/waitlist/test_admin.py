"""A market's waitlist in the admin: the queue in order, offering a seat now, removing someone."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mortgage_connect import capacity
from mortgage_connect.clock import utcnow
from mortgage_connect.extensions import db
from mortgage_connect.models import AuditLog
from mortgage_connect.models import WaitlistEntry
from mortgage_connect.waitlist import places
from tests.factories import make_market
from tests.factories import seat_n

pytestmark = pytest.mark.clock


def audit_rows(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def join(market_id: int, name: str, company: str = "Lending Co"):
    first = name.split()[0].lower()
    return places.join(
        market_id,
        name=name,
        email=f"{first}@lender.example",
        phone="214-555-0100",
        company=company,
    ).entry


def status(entry_id: int) -> str:
    db.session.expire_all()
    return db.session.get(WaitlistEntry, entry_id).status


@pytest.fixture
def full(app):
    """A full market (cap 2, both seated) with three people waiting, in order."""
    market = make_market(cap=2)
    seat_n(market.id, 2)
    people = [join(market.id, n) for n in ("Wren First", "Sol Second", "Ivy Third")]
    return market, people


def test_market_page_lists_the_queue_in_order(signed_in, full):
    market, (wren, sol, ivy) = full
    page = signed_in.get(f"/admin/markets/{market.id}").get_data(as_text=True)
    section = page[page.index('id="waitlist-heading"') :].split("</table>")[0]
    rows = re.findall(r'<td class="num">(\S+)</td>\s*<td>([^<]+)</td>', section)
    assert rows == [("1", "Wren First"), ("2", "Sol Second"), ("3", "Ivy Third")]
    assert "wren@lender.example" in section and "Lending Co" in section
    assert f'/admin/waitlist/{sol.id}/remove"' in section
    assert "Offer the next open seat now" in page


def test_empty_queue_says_so(signed_in, app):
    market = make_market(cap=2)
    page = signed_in.get(f"/admin/markets/{market.id}").get_data(as_text=True)
    assert "Nobody is on the waitlist." in page
    offer = signed_in.post(f"/admin/markets/{market.id}/waitlist/offer", follow_redirects=True)
    assert "Nobody is waiting in Dallas–Fort Worth, so no offer was made." in offer.get_data(
        as_text=True
    )
    assert audit_rows("waitlist.offer") == []


def test_offer_now_when_full_says_no_seat_is_free_and_changes_nothing(signed_in, full):
    market, people = full
    response = signed_in.post(f"/admin/markets/{market.id}/waitlist/offer")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/markets/{market.id}#waitlist")
    page = signed_in.get(f"/admin/markets/{market.id}").get_data(as_text=True)
    assert "No seat is free in Dallas–Fort Worth: 2 of 2 seats are in use." in page
    assert [status(p.id) for p in people] == ["waiting"] * 3
    assert audit_rows("waitlist.offer") == []


def test_offer_now_ends_a_lapsed_offer_and_offers_the_first_waiting(signed_in, full):
    market, (wren, sol, ivy) = full
    # A seat opened three days ago and was offered to Wren; her 48 hours have run out.
    long_ago = utcnow() - timedelta(days=3)
    capacity.set_cap(market.id, 3, now=long_ago)
    assert status(wren.id) == "offered"
    page = signed_in.get(f"/admin/markets/{market.id}").get_data(as_text=True)
    assert "Offered a seat until" in page

    response = signed_in.post(f"/admin/markets/{market.id}/waitlist/offer", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Offers that ran out ended: Wren First." in text
    assert "Sol Second was offered a seat until" in text
    assert [status(p.id) for p in (wren, sol, ivy)] == ["expired", "offered", "waiting"]

    [offer] = audit_rows("waitlist.offer")
    assert (offer.actor, offer.entity_type, offer.entity_id) == (
        "dana@example.com",
        "market",
        str(market.id),
    )
    assert json.loads(offer.before) == {
        "entry_id": sol.id,
        "name": "Sol Second",
        "email": "sol@lender.example",
        "status": "waiting",
    }
    after = json.loads(offer.after)
    assert (after["entry_id"], after["status"]) == (sol.id, "offered")
    assert "offer_expires_at" in after
    [expired] = audit_rows("waitlist.expire")
    assert json.loads(expired.after)["status"] == "expired"
    assert [r.actor for r in audit_rows("hold.add")] == ["dana@example.com"]  # Sol's held seat


def test_remove_asks_first_then_takes_the_person_off(signed_in, full):
    market, (wren, sol, ivy) = full
    url = f"/admin/waitlist/{sol.id}/remove"
    confirm = signed_in.get(url)
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "Remove Sol Second from the waitlist?" in text
    assert "is number 2 in line" in text
    assert status(sol.id) == "waiting"  # asking changes nothing
    assert audit_rows("waitlist.remove") == []

    response = signed_in.post(url)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/markets/{market.id}#waitlist")
    assert status(sol.id) == "removed"
    assert places.place(db.session.get(WaitlistEntry, ivy.id)) == 2  # Ivy moved up

    [row] = audit_rows("waitlist.remove")
    assert row.actor == "dana@example.com" and row.staff_id is not None
    assert row.at is not None
    assert json.loads(row.before)["status"] == "waiting"
    assert json.loads(row.before)["name"] == "Sol Second"
    assert json.loads(row.after) == {"entry_id": sol.id, "status": "removed"}

    page = signed_in.get(f"/admin/markets/{market.id}").get_data(as_text=True)
    assert "Sol Second was taken off the waitlist." in page
    assert "Sol Second" not in page[page.index('id="waitlist-heading"') :].split("</table>")[0]

    again = signed_in.post(url, follow_redirects=True)
    assert "Sol Second is no longer on the waitlist (removed)." in again.get_data(as_text=True)
    assert len(audit_rows("waitlist.remove")) == 1


def test_removing_an_offer_releases_its_seat_for_the_next(signed_in, full):
    market, (wren, sol, ivy) = full
    capacity.set_cap(market.id, 3)
    assert status(wren.id) == "offered"
    text = signed_in.get(f"/admin/waitlist/{wren.id}/remove").get_data(as_text=True)
    assert "holds a seat offered until" in text
    assert signed_in.post(f"/admin/waitlist/{wren.id}/remove").status_code == 303
    assert [status(p.id) for p in (wren, sol, ivy)] == ["removed", "offered", "waiting"]
    assert [len(audit_rows(a)) for a in ("waitlist.remove", "hold.release", "waitlist.offer")] == [
        1,
        1,
        1,
    ]


def test_a_failed_removal_writes_no_audit_row(signed_in, full, monkeypatch):
    market, (wren, _sol, _ivy) = full

    def broken(session, market, now):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(capacity, "advance_queue_in", broken)
    with pytest.raises(RuntimeError):
        signed_in.post(f"/admin/waitlist/{wren.id}/remove")
    db.session.rollback()
    assert status(wren.id) == "waiting"
    assert audit_rows("waitlist.remove") == []


def test_unknown_entries_and_markets_are_404(signed_in):
    assert signed_in.get("/admin/waitlist/999999/remove").status_code == 404
    assert signed_in.post("/admin/waitlist/999999/remove").status_code == 404
    assert signed_in.post("/admin/markets/999999/waitlist/offer").status_code == 404
