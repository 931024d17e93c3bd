"""Hosts in the admin: details, weekly hours, time off and blackout days, each audited."""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import UTC

import pytest
from sqlalchemy import select

from mortgage_connect.extensions import db
from mortgage_connect.models import AuditLog
from mortgage_connect.models import BlackoutDay
from mortgage_connect.models import Host
from mortgage_connect.models import TimeOff
from tests.factories import make_host

pytestmark = pytest.mark.clock

HOST = {
    "name": "Rae Host",
    "email": "rae@mortgageconnect.example",
    "time_zone": "America/Denver",
    "meeting_link": "https://meet.example.com/rae",
    "active": "y",
}


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_add_and_edit_a_host(signed_in):
    response = signed_in.post("/admin/hosts/new", data=HOST)
    assert response.status_code == 303
    host = db.session.scalar(select(Host).where(Host.email == HOST["email"]))
    assert (host.time_zone, host.active) == ("America/Denver", True)
    edit = signed_in.post(
        f"/admin/hosts/{host.id}", data={**HOST, "meeting_link": "https://meet.example.com/r2",
                                         "active": ""}
    )  # fmt: skip
    assert edit.status_code == 303
    db.session.expire_all()
    assert (host.meeting_link, host.active) == ("https://meet.example.com/r2", False)
    [_, saved] = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "host.save").order_by(AuditLog.id)
    ).all()
    assert ("active", True, False) in saved.changes
    listing = signed_in.get("/admin/hosts").get_data(as_text=True)
    assert "Rae Host" in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_zone": "Mars/Base"}, "is not an IANA time zone"),
        ({"meeting_link": "javascript:alert(1)"}, "Use a full https:// link."),
        ({"email": "nope"}, "Enter a valid email."),
        ({"name": "<script>alert(1)</script>\x00"}, "Remove the control characters"),
    ],
)
def test_bad_host_details_get_messages(signed_in, changes, message):
    response = signed_in.post("/admin/hosts/new", data={**HOST, **changes})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and "<script>alert(1)" not in body


def _hours_form(**days: str) -> dict:
    """The hours form with every weekday empty except those given as hours_N="..."."""
    return {f"hours-{d}": "" for d in range(7)} | days


def test_weekly_hours_replace_and_validate(signed_in, app):
    host = make_host("Ana Lee", zone="America/Chicago")
    data = _hours_form(**{"hours-0": "09:00-17:30", "hours-4": "13:00 – 00:00"})
    assert signed_in.post(f"/admin/hosts/{host.id}/hours", data=data).status_code == 303
    db.session.expire_all()
    hours = sorted((h.weekday, h.starts, h.ends) for h in db.session.get(Host, host.id).hours)
    assert hours == [(0, time(9), time(17, 30)), (4, time(13), time(0))]
    [row] = db.session.scalars(select(AuditLog).where(AuditLog.action == "host.hours")).all()
    assert ("Monday", "00:00–00:00", "09:00–17:30") in row.changes
    bad = signed_in.post(
        f"/admin/hosts/{host.id}/hours",
        data={**data, "hours-1": "17:00-09:00", "hours-2": "25:00-<b>", "hours-3": "9-10:00, x"},
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Each range must end after it starts" in body and "24-hour time" in body
    assert "<b>" not in body and "&lt;b&gt;" in body  # kept, escaped, for correcting
    db.session.expire_all()
    assert len(db.session.get(Host, host.id).hours) == 2  # nothing half-saved


def test_several_ranges_a_day_are_shown_and_kept(signed_in, app):
    host = make_host("Ana Lee", zone="America/Chicago")
    data = _hours_form(**{"hours-1": "13:00–17:00, 09:00–12:00"})
    assert signed_in.post(f"/admin/hosts/{host.id}/hours", data=data).status_code == 303
    db.session.expire_all()
    hours = sorted((h.weekday, h.starts, h.ends) for h in db.session.get(Host, host.id).hours)
    assert hours == [(1, time(9), time(12)), (1, time(13), time(17))]
    page = signed_in.get(f"/admin/hosts/{host.id}").get_data(as_text=True)
    assert 'name="hours-1" value="09:00–12:00, 13:00–17:00"' in page
    overlapping = signed_in.post(
        f"/admin/hosts/{host.id}/hours", data=_hours_form(**{"hours-1": "09:00-12:00, 11:00-14:00"})
    )
    assert overlapping.status_code == 422
    assert "must not overlap" in overlapping.get_data(as_text=True)


def test_time_off_in_the_hosts_zone_add_and_remove(signed_in):
    host = make_host("Ana Lee", zone="America/Chicago")
    added = signed_in.post(
        f"/admin/hosts/{host.id}/time-off",
        data={"starts": "2026-12-24T09:00", "ends": "2026-12-26T18:00", "reason": "Holidays"},
    )
    assert added.status_code == 303
    off = db.session.scalar(select(TimeOff))
    assert off.starts_at == datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # 09:00 Chicago
    backwards = signed_in.post(
        f"/admin/hosts/{host.id}/time-off",
        data={"starts": "2026-12-26T09:00", "ends": "2026-12-24T09:00"},
    )
    assert "must end after it starts" in backwards.get_data(as_text=True)
    junk = signed_in.post(f"/admin/hosts/{host.id}/time-off", data={"starts": "x", "ends": "y"})
    assert junk.status_code == 422 and "Enter a date and time" in junk.get_data(as_text=True)
    assert signed_in.post(f"/admin/time-off/{off.id}/remove").status_code == 303
    assert db.session.scalar(select(TimeOff)) is None
    assert signed_in.post(f"/admin/time-off/{off.id}/remove").status_code == 404
    assert actions()[-2:] == ["host.time_off.add", "host.time_off.remove"]


def test_blackout_days(signed_in):
    assert (
        signed_in.post(
            "/admin/blackouts", data={"day": "2026-12-25", "reason": "Christmas"}
        ).status_code
        == 303
    )
    again = signed_in.post("/admin/blackouts", data={"day": "2026-12-25"})
    assert again.status_code == 422 and "already a blackout day" in again.get_data(as_text=True)
    bad = signed_in.post("/admin/blackouts", data={"day": "2026-02-30"})
    assert "Enter a day such as" in bad.get_data(as_text=True)
    day = db.session.scalar(select(BlackoutDay))
    assert "Christmas" in signed_in.get("/admin/blackouts").get_data(as_text=True)
    assert signed_in.post(f"/admin/blackouts/{day.id}/remove").status_code == 303
    assert db.session.scalar(select(BlackoutDay)) is None
    assert actions()[-2:] == ["blackout.add", "blackout.remove"]


def test_unknown_host_is_404(signed_in):
    for url in ("/admin/hosts/999", "/admin/hosts/999/hours", "/admin/hosts/999/time-off"):
        assert signed_in.post(url, data={}).status_code == 404, url
    assert signed_in.get("/admin/hosts/999").status_code == 404


def test_private_calendar_feed_with_a_rotating_token(signed_in, app):
    import re

    from tests.factories import at_noon
    from tests.factories import book
    from tests.factories import make_market

    market = make_market()
    host = make_host()
    kept = book(market, at_noon(2), "Kim Kept", company="Kept & Co <b>")
    gone = book(market, at_noon(3), "Carl Gone")
    gone.status = "cancelled"
    db.session.commit()

    page = signed_in.post(f"/admin/hosts/{host.id}/feed", follow_redirects=True)
    url = re.search(
        r"http://localhost(/calendar/hosts/[A-Za-z0-9_-]{43}\.ics)", page.get_data(as_text=True)
    )
    assert url, "the new feed URL is shown once"
    feed = app.test_client().get(url.group(1))  # no sign-in: the token is the key
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    text = feed.get_data(as_text=True)
    assert f"UID:{kept.ics_uid}" in text and "Carl Gone" not in text
    assert "SUMMARY:Call: Kim Kept (Kept & Co <b>)\\, Dallas–Fort Worth" in text.replace(
        "\r\n ", ""
    )

    signed_in.post(f"/admin/hosts/{host.id}/feed")
    assert signed_in.get(url.group(1)).status_code == 404  # the old URL stops working
    assert signed_in.get("/calendar/hosts/not-a-token.ics").status_code == 404
    assert actions().count("host.feed_token.rotate") == 2
    assert signed_in.post("/admin/hosts/999/feed").status_code == 404


def test_the_feed_url_is_built_on_site_url_not_the_host_header(client, staff_member, app):
    import re

    from tests.factories import sign_in

    app.config["SITE_URL"] = "https://calls.mortgageconnect.example"
    host = make_host()
    # Staff reached the app under another name (a proxy that passes its own, or a forged Host
    # header): the private URL must still be on the site's address, never on that name.
    other = "http://internal-proxy.example:8080"
    assert sign_in(client, *staff_member, base_url=other).status_code == 303
    page = client.post(f"/admin/hosts/{host.id}/feed", base_url=other, follow_redirects=True)
    body = page.get_data(as_text=True)
    url = re.search(r"(\S+)/calendar/hosts/[A-Za-z0-9_-]{43}\.ics", body)
    assert url, "the new feed URL is shown once"
    assert url.group(1) == "https://calls.mortgageconnect.example"
    assert "internal-proxy.example" not in body
