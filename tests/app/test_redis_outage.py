"""Redis, which keeps the rate-limit counts, goes away mid-test and comes back: the waitlist join
and staff sign-in keep answering, with the limits counted in each process meanwhile; a warning
is logged once; /healthz says Redis is degraded; and the counts go back to Redis when it returns.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from mortgage_connect.extensions import db
from mortgage_connect.staff import accounts
from tests.conftest import admin_client
from tests.conftest import free_port
from tests.conftest import Gunicorn
from tests.conftest import make_app
from tests.conftest import require
from tests.factories import full_market
from tests.factories import PASSWORD
from tests.factories import sign_in
from tests.races import test_booking as race
from tests.races.test_scale_out import _sign_in
from tests.races.test_scale_out import _submit
from tests.races.test_scale_out import THROTTLED

JOIN = "/markets/dallas-fort-worth/waitlist"
EMAIL = "dana@example.com"
FALLING_BACK = "Rate limit storage unreachable"  # Flask-Limiter's warning


class RedisServer:
    """A redis-server of the test's own on a free port, keeping nothing on disk."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def client(self):
        """A client that gives up quickly, for checking what the app stored."""
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)

    def start(self) -> None:
        """Start (or start again, on the same port) and wait until it answers."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except Exception:  # not listening yet
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it; clients now get "connection refused"."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def require_redis_package() -> None:
    """Skip (fail under CI) without the [redis] extra, which the app needs to talk to Redis."""
    try:
        import redis  # noqa: F401
    except ImportError:
        require(False, "the redis package is not installed (pip install -e '.[redis]')")


@pytest.fixture
def redis_server(tmp_path):
    """A running redis-server that the test may stop and start again."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    require_redis_package()
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


JOINED = 200  # a join, new or not, answers "check your email": the link travels by mail


def _join(client, n: int) -> int:
    """One waitlist join by a new person from the same address; the status."""
    details = {
        "name": f"Pat {n}",
        "email": f"pat{n}@lender.example",
        "phone": "214-555-0187",
        "company": "Lone Star Lending",
    }
    return client.post(JOIN, data=details).status_code


def _stored(server: RedisServer, pattern: str) -> list:
    return list(server.client().scan_iter(match=pattern))


@pytest.mark.slow
def test_join_and_sign_in_work_through_a_redis_outage_and_go_back_to_redis(
    database_url, redis_server, caplog
):
    app = make_app(
        database_url,
        RATELIMIT_STORAGE_URI=redis_server.url,
        WAITLIST_RATE_LIMIT="3 per hour",
        ADMIN_SIGNIN_LIMIT_PER_ACCOUNT="3 per hour",
        ADMIN_SIGNIN_LIMIT_PER_ADDRESS="1000 per hour",
    )
    caplog.set_level(logging.INFO)
    with app.app_context():
        full_market(cap=1)
        accounts.create_staff(EMAIL, PASSWORD)
        client = admin_client(app)

        # Redis up: the counts are kept there.
        assert _join(client, 0) == JOINED
        assert sign_in(client, EMAIL, PASSWORD).status_code == 303
        assert _stored(redis_server, "*waitlist.join*")
        assert _stored(redis_server, "*admin-signin*")
        health = client.get("/healthz")
        assert (health.status_code, health.json) == (
            200,
            {"status": "ok", "database": "ok", "redis": "ok"},
        )
        assert not [r for r in caplog.records if FALLING_BACK in r.getMessage()]

        redis_server.stop()
        # Sign-in first: it counts attempts itself, and must notice the outage on its own.
        assert sign_in(client, EMAIL, PASSWORD).status_code == 303
        # The account's limit still holds, counted in this process: 3 wrong, then refused.
        for _ in range(3):
            assert sign_in(client, EMAIL, "wrong password!").status_code == 200
        refused = sign_in(client, EMAIL, PASSWORD)
        assert refused.status_code == 429
        assert THROTTLED in refused.get_data(as_text=True)
        # And the join's: 3 an hour from this address, counted afresh in this process.
        assert [_join(client, n) for n in range(1, 5)] == [JOINED, JOINED, JOINED, 429]

        health = client.get("/healthz")
        assert (health.status_code, health.json) == (
            200,
            {"status": "degraded", "database": "ok", "redis": "unreachable"},
        )

        redis_server.start()  # the same port, empty
        assert client.get("/healthz").json == {"status": "ok", "database": "ok", "redis": "ok"}
        # Flask-Limiter looks at the storage again after a back-off of up to 32 s while it is
        # down; the first join counted in the (emptied) Redis is let through again.
        deadline = time.monotonic() + 70
        n = 5
        while not _stored(redis_server, "*waitlist.join*"):
            assert time.monotonic() < deadline, "the counts never went back to Redis"
            status = _join(client, n)
            n += 1
            time.sleep(0.25)
        assert status == JOINED
        assert sign_in(client, EMAIL, "wrong password!").status_code == 200
        assert _stored(redis_server, "*admin-signin*")

        # One warning for the whole outage, however many requests met it.
        warnings = [r for r in caplog.records if FALLING_BACK in r.getMessage()]
        assert [r.levelno for r in warnings] == [logging.WARNING]
        db.session.remove()
        db.engine.dispose()


@pytest.mark.slow
def test_gunicorn_answers_through_a_redis_outage_and_logs_it_once(
    database_url, redis_server, tmp_path
):
    app = make_app(database_url)
    with app.app_context():
        full_market(cap=1)
        accounts.create_staff(EMAIL, PASSWORD)
        db.session.remove()
        db.engine.dispose()
    log = tmp_path / "gunicorn.log"
    settings = {"RATELIMIT_STORAGE_URI": redis_server.url, "PASSWORD_HASH_PROFILE": "CHEAPEST"}
    with Gunicorn(database_url, workers=1, env=settings, log=log) as server:
        assert _sign_in(server.url, EMAIL, PASSWORD)[0] == 303
        redis_server.stop()
        statuses = [_sign_in(server.url, EMAIL, PASSWORD)[0] for _ in range(3)]
        opener = race._browser()
        with opener.open(server.url + JOIN, timeout=30) as response:
            csrf = race._field(response.read().decode(), "csrf_token")
        details = {
            "csrf_token": csrf,
            "name": "Pat Lee",
            "email": "pat@lender.example",
            "phone": "214-555-0187",
            "company": "Lone Star Lending",
        }
        statuses.append(_submit(opener, server.url + JOIN, details))
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
            health = (response.status, json.load(response))
    assert statuses == [303, 303, 303, JOINED]
    assert health == (200, {"status": "degraded", "database": "ok", "redis": "unreachable"})
    # The warning reaches gunicorn's log (the journal, under systemd), once for the outage.
    assert log.read_text().count(FALLING_BACK) == 1, log.read_text()[-3000:]


@pytest.mark.slow
def test_a_silent_redis_is_given_up_on_after_a_second(database_url):
    require_redis_package()
    app = make_app(database_url)
    with app.app_context():
        full_market(cap=1)
        db.session.remove()
        db.engine.dispose()
    # A Redis host that is down may not refuse connections, only leave them unanswered: a
    # socket that listens and never replies stands in for it. Served by gunicorn, so the limiter
    # left counting in memory for good stays in that process, not in the tests'.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        settings = {"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{silent.getsockname()[1]}/0"}
        with Gunicorn(database_url, workers=1, env=settings) as server:
            opener = race._browser()
            with opener.open(server.url + JOIN, timeout=30) as response:
                csrf = race._field(response.read().decode(), "csrf_token")
            details = {"csrf_token": csrf, "name": "Pat Lee", "email": "pat@lender.example",
                       "phone": "214-555-0187", "company": "Lone Star Lending"}  # fmt: skip
            started = time.monotonic()
            status = _submit(opener, server.url + JOIN, details)
            joined = time.monotonic()
            with urllib.request.urlopen(server.url + "/healthz", timeout=30) as response:
                health = (response.status, json.load(response)["redis"])
            checked = time.monotonic()
    assert status == JOINED
    assert health == (200, "unreachable")
    # A one-second timeout for the count, and perhaps one for the limiter's look at whether it
    # is back; redis-py's own default waits 5 s each (older versions, forever).
    assert joined - started < 4.5
    assert checked - joined < 2.5
