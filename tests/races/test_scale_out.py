"""Two gunicorn instances on one database and one Redis behave as one site: a booking race
across both has one winner, and the public rate limits and staff sign-in throttling count
across both."""

from __future__ import annotations

import multiprocessing
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from mortgage_connect.extensions import db
from mortgage_connect.staff import accounts
from tests.conftest import require
from tests.factories import free_times
from tests.factories import iso
from tests.factories import make_host
from tests.factories import make_market
from tests.factories import PASSWORD
from tests.races import test_booking as race

pytestmark = pytest.mark.slow
RACERS = 16
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def shared_redis():
    """Redis for rate limits under a prefix of this test's own; its keys are removed after."""
    try:
        import redis
    except ImportError:  # the [redis] extra is not installed
        redis = None
    require_redis = None
    if redis is not None:
        client = redis.Redis.from_url(REDIS_URL)
        try:
            client.ping()
        except redis.RedisError as error:
            require_redis = f"Redis at {REDIS_URL} is not reachable: {error}"
    else:
        require_redis = "the redis package is not installed (pip install -e '.[redis]')"
    require(require_redis is None, require_redis or "")
    prefix = f"mcp-test-{uuid.uuid4().hex}"
    yield client, prefix
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _instances(gunicorn, prefix: str, **env):
    """Two separate gunicorn instances, each on its own port, sharing the database and Redis."""
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix, **env}
    return gunicorn(workers=2, **settings), gunicorn(workers=2, **settings)


def _racer(form_base: str, post_base: str, start: str, index: int, barrier, results) -> None:
    """One visitor: the form from one instance, the submission to the other."""
    try:
        opener = race._browser()
        csrf, token = race._open_form(opener, form_base, start)
        data = race.form_data_plain(start, token, index)
        data["csrf_token"] = csrf
        barrier.wait(timeout=60)
        results.put(race._post(opener, post_base, data))
    except Exception as error:  # reported to the test, never swallowed
        results.put((-1, repr(error)))


def test_one_time_raced_across_two_instances_is_booked_once(app, gunicorn, shared_redis):
    _, prefix = shared_redis
    make_market()
    make_host()  # one host: the time can be booked exactly once
    start = iso(free_times()[0])
    db.session.remove()
    first, second = _instances(gunicorn, prefix, BOOKING_RATE_LIMIT="1000 per minute")
    with first as a, second as b:
        assert a.port != b.port
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(RACERS)
        results = context.Queue()
        pairs = [(a.url, b.url), (b.url, a.url)]
        racers = [
            context.Process(target=_racer, args=(*pairs[i % 2], start, i, barrier, results))
            for i in range(RACERS)
        ]
        for process in racers:
            process.start()
        outcomes = [results.get(timeout=120) for _ in racers]
        for process in racers:
            process.join(timeout=30)
    statuses = sorted(code for code, _ in outcomes)
    assert all(0 < code < 500 for code in statuses), outcomes
    assert statuses.count(303) == 1, outcomes
    assert statuses.count(409) == RACERS - 1, outcomes
    assert race._bookings() == 1


def _submit(opener, url: str, data: dict) -> int:
    """POST a form; the status code, whatever it is."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode())
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_public_rate_limits_count_across_both_instances(app, gunicorn, shared_redis):
    client, prefix = shared_redis
    make_market()
    make_host()
    start = iso(free_times()[0])
    db.session.remove()
    limits = {"BOOKING_RATE_LIMIT": "3 per minute", "WAITLIST_RATE_LIMIT": "3 per minute"}
    first, second = _instances(gunicorn, prefix, **limits)
    with first as a, second as b:
        opener = race._browser()
        csrf, _ = race._open_form(opener, a.url, start)
        # Invalid submissions (no name) still count: they re-render the form with errors.
        book = {"csrf_token": csrf, "start": start, "tz": "America/Chicago", "website": ""}
        path = "/book/dallas-fort-worth/details"
        booking = [_submit(opener, base + path, book) for base in (a.url, a.url, b.url, b.url)]
        join = {"csrf_token": csrf, "website": ""}
        path = "/markets/dallas-fort-worth/waitlist"
        waitlist = [_submit(opener, base + path, join) for base in (b.url, b.url, a.url, a.url)]
    assert all(code != 429 and code < 500 for code in booking[:3]), booking
    assert booking[3] == 429, booking
    assert all(code != 429 and code < 500 for code in waitlist[:3]), waitlist
    assert waitlist[3] == 429, waitlist
    assert list(client.scan_iter(match=f"*{prefix}*")), "no counters in the shared Redis"


THROTTLED = "Too many sign-in attempts."


def _sign_in(base: str, email: str, password: str) -> tuple[int, str]:
    """One browser-like staff sign-in on one instance: (status, page) without following."""
    opener = race._browser()
    with opener.open(base + "/admin/login", timeout=30) as response:
        csrf = race._field(response.read().decode(), "csrf_token")
    data = {"email": email, "password": password, "csrf_token": csrf}
    request = urllib.request.Request(
        base + "/admin/login", data=urllib.parse.urlencode(data).encode()
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_sign_in_throttling_counts_across_both_instances(app, gunicorn, shared_redis):
    client, prefix = shared_redis
    email = "dana@example.com"
    accounts.create_staff(email, PASSWORD, name="Dana Reyes")
    db.session.remove()
    limits = {
        "ADMIN_SIGNIN_LIMIT_PER_ACCOUNT": "4 per 15 minutes",
        "ADMIN_SIGNIN_LIMIT_PER_ADDRESS": "12 per 15 minutes",
        "PASSWORD_HASH_PROFILE": "CHEAPEST",  # a success would rehash at production cost
    }
    first, second = _instances(gunicorn, prefix, **limits)
    with first as a, second as b:
        # Below the account's limit the right password still signs in, on either instance:
        # what is refused later is refused by the count, not by the password or the setup.
        for base in (a.url, b.url, a.url):
            assert _sign_in(base, email, "wrong password!")[0] == 200
        assert _sign_in(b.url, email, PASSWORD)[0] == 303  # and resets the account's count

        # Four failures split two and two: each instance alone has seen only two, so
        # counts kept per instance would let the right password in here.
        for base in (a.url, b.url, a.url, b.url):
            status, page = _sign_in(base, email, "wrong password!")
            assert status == 200 and THROTTLED not in page
        for base in (a.url, b.url):
            status, page = _sign_in(base, email, PASSWORD)
            assert status == 429 and THROTTLED in page, (base, status)

        # The address has made 10 attempts (5 on one instance, 5 on the other) of its 12:
        # two more guesses at other accounts, then it is refused everywhere.
        guesses = [(b.url, "x@example.com"), (a.url, "y@example.com"), (b.url, "z@example.com")]
        statuses = [_sign_in(base, guess, "wrong password!")[0] for base, guess in guesses]
        assert statuses == [200, 200, 429]
    assert list(client.scan_iter(match=f"*{prefix}*admin-signin*")), "no counts in Redis"
