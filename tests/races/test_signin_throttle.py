"""Sign-in throttling holds across gunicorn workers: the counts live in Redis, not in a process."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from mortgage_connect.extensions import db
from mortgage_connect.staff import accounts
from tests.conftest import make_app
from tests.conftest import require
from tests.factories import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379"


def redis_client():
    """A Redis connection, or a skip (a failure under CI) when there is none."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except Exception as error:  # not installed or not running
        require(False, f"Redis is not reachable at {REDIS_URL}: {error}")
    return client


def attempt(base_url: str, email: str, password: str) -> int:
    """One browser-like sign-in: fetch the form (cookie and CSRF token), post it; the status."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base_url + "/admin/login", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    try:
        with opener.open(base_url + "/admin/login", data=data.encode(), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_throttling_is_shared_by_two_workers(database_url, gunicorn):
    redis = redis_client()
    prefix = f"test-{uuid.uuid4().hex}"
    app = make_app(database_url)
    with app.app_context():
        accounts.create_staff("dana@example.com", PASSWORD)
        db.session.remove()
        db.engine.dispose()
    server = gunicorn(
        workers=2,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        ADMIN_SIGNIN_LIMIT_PER_ACCOUNT="4 per 15 minutes",
        ADMIN_SIGNIN_LIMIT_PER_ADDRESS="10 per 15 minutes",
    )
    try:
        with server, ThreadPoolExecutor(max_workers=4) as pool:
            # Four at a time, so both workers are busy answering: with counts kept in each
            # process, up to twice the limit would get through.
            wrong = ["wrong password!"] * 8
            statuses = list(pool.map(lambda p: attempt(server.url, "dana@example.com", p), wrong))
            assert sorted(statuses) == [200] * 4 + [429] * 4
            assert attempt(server.url, "dana@example.com", PASSWORD) == 429

            # The address has used 9 of its 10 attempts: one more account guess, then none.
            emails = [f"guess{n}@example.com" for n in range(6)]
            statuses = list(pool.map(lambda e: attempt(server.url, e, "wrong password!"), emails))
            assert sorted(statuses) == [200] + [429] * 5
        assert list(redis.scan_iter(f"*{prefix}*")), "the counts were not kept in Redis"
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
