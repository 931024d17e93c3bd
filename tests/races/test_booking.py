"""No double booking against real gunicorn workers: racing processes, resubmitted forms."""

from __future__ import annotations

import http.cookiejar
import multiprocessing
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func
from sqlalchemy import select

from mortgage_connect.extensions import db
from mortgage_connect.models import Booking
from tests.factories import free_times
from tests.factories import iso
from tests.factories import make_host
from tests.factories import make_market

pytestmark = pytest.mark.slow
RACERS = 20


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no {name} in the form"
    return match.group(1)


def _open_form(opener, base: str, start: str):
    """GET the booking form as a visitor would: session cookie, CSRF and form tokens."""
    url = f"{base}/book/dallas-fort-worth/details?start={start}&tz=America/Chicago"
    with opener.open(url, timeout=30) as response:
        html = response.read().decode()
    return _field(html, "csrf_token"), _field(html, "form_token")


def _post(opener, base: str, data: dict) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(f"{base}/book/dallas-fort-worth/details", data=body)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def _racer(base: str, start: str, index: int, barrier, results) -> None:
    """One visitor in its own process: open the form, wait for the others, submit."""
    try:
        opener = _browser()
        csrf, token = _open_form(opener, base, start)
        data = form_data_plain(start, token, index)
        data["csrf_token"] = csrf
        barrier.wait(timeout=60)
        results.put(_post(opener, base, data))
    except Exception as error:  # reported to the test, never swallowed
        results.put((-1, repr(error)))


def form_data_plain(start: str, token: str, index: int) -> dict:
    """A valid booking form for racer `index`."""
    return {
        "name": f"Racer {index}",
        "email": f"racer{index}@example.com",
        "phone": "214-555-0187",
        "company": "Race Lending",
        "lead_source": "shared",
        "consent": "y",
        "start": start,
        "tz": "America/Chicago",
        "form_token": token,
        "website": "",
    }


def _bookings() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_twenty_processes_race_for_one_time(app, gunicorn):
    make_market()
    make_host()  # one host: the time can be booked exactly once
    start = iso(free_times()[0])
    db.session.remove()
    with gunicorn(workers=4, BOOKING_RATE_LIMIT="1000 per minute") as server:
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(RACERS)
        results = context.Queue()
        racers = [
            context.Process(target=_racer, args=(server.url, start, i, barrier, results))
            for i in range(RACERS)
        ]
        for process in racers:
            process.start()
        outcomes = [results.get(timeout=120) for _ in racers]
        for process in racers:
            process.join(timeout=30)
    statuses = sorted(code for code, _ in outcomes)
    assert statuses.count(303) == 1, outcomes
    assert statuses.count(409) == RACERS - 1, outcomes
    assert all(code < 500 for code in statuses)
    assert _bookings() == 1


@pytest.mark.clock  # gunicorn's workers follow the test's pinned clock
def test_a_form_submitted_twice_at_once_books_once(app, gunicorn):
    make_market()
    make_host()
    make_host("Ben Ito")  # a second free host: a duplicate would have somewhere to go
    start = iso(free_times()[0])
    db.session.remove()
    with gunicorn(workers=4, BOOKING_RATE_LIMIT="1000 per minute") as server:
        opener = _browser()
        csrf, token = _open_form(opener, server.url, start)
        data = form_data_plain(start, token, 0)
        data["csrf_token"] = csrf
        outcomes = []
        barrier = threading.Barrier(2)

        def submit():
            barrier.wait(timeout=30)
            outcomes.append(_post(opener, server.url, data))

        clicks = [threading.Thread(target=submit) for _ in range(2)]
        for click in clicks:
            click.start()
        for click in clicks:
            click.join(timeout=60)
        retry = _post(opener, server.url, data)  # and a later retry
    assert [code for code, _ in outcomes] == [303, 303]
    assert outcomes[0][1] == outcomes[1][1] == retry[1]  # the same manage page
    assert retry[0] == 303
    assert _bookings() == 1
