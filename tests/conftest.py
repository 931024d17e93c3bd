"""Shared fixtures for every folder: an app per test on a fresh database (SQLite, or PostgreSQL
when TEST_DATABASE_URL is set), a test client, a staff member signed in, a live server, gunicorn
processes, the pinned clock and the skip-or-fail rule. Test data: tests/factories.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy import make_url
from sqlalchemy import text

from mortgage_connect import create_app
from mortgage_connect.extensions import db
from mortgage_connect.staff import accounts
from tests import clock
from tests.factories import at_noon
from tests.factories import book
from tests.factories import make_host
from tests.factories import make_market
from tests.factories import PASSWORD
from tests.factories import sign_in

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI") == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
# `make test-clock` sets this to run the date-sensitive tests at an awkward instant.
TEST_CLOCK_AT = os.environ.get("TEST_CLOCK_AT", "").strip()


def require(condition: bool, reason: str) -> None:
    """Skip with the reason on a laptop; fail under CI=true, so CI never goes green by skipping."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required when CI=true)", pytrace=False)
    pytest.skip(reason)


def pytest_report_header() -> str | None:
    """Say when the whole run's clock is pinned, so a failure can be replayed."""
    return f"clock pinned at TEST_CLOCK_AT={TEST_CLOCK_AT}" if TEST_CLOCK_AT else None


@pytest.fixture(autouse=True)
def pinned_clock():
    """Under TEST_CLOCK_AT, every test starts at that instant and the clock runs on from it."""
    if not TEST_CLOCK_AT:
        yield None
        return
    instant = datetime.fromisoformat(TEST_CLOCK_AT)
    assert instant.tzinfo is not None, f"TEST_CLOCK_AT={TEST_CLOCK_AT} needs a UTC offset"
    with time_machine.travel(instant, tick=True) as traveller:
        time.time()  # the clock ticks from its first reading (time-machine): from the start
        yield traveller


def _sqlalchemy_url(url: str) -> str:
    """Point postgresql:// URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _migrate(url: str) -> None:
    """Build the schema the way production does: through the Alembic migrations."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "migrate"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


class SQLiteDatabases:
    """A migrated template file, copied afresh for every test."""

    backend = "sqlite"

    def __init__(self, folder: Path):
        self.template = folder / "template.db"
        _migrate(f"sqlite:///{self.template}")

    def fresh(self, folder: Path) -> str:
        target = folder / "test.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        pass


class PostgresDatabases:
    """One database for the whole run, created and dropped here; emptied before every test."""

    backend = "postgresql"

    def __init__(self, admin_url: str):
        admin = make_url(_sqlalchemy_url(admin_url))
        self.name = f"mcp_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with self.admin_engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as error:  # unreachable server: skip or fail, with the reason
            self.admin_engine.dispose()
            require(False, f"PostgreSQL at TEST_DATABASE_URL is not reachable: {error}")
        self.url = admin.set(database=self.name).render_as_string(hide_password=False)
        _migrate(self.url)
        self.engine = create_engine(self.url)
        with self.engine.connect() as conn:
            self.tables = [
                row[0]
                for row in conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                        " AND tablename <> 'alembic_version'"
                    )
                )
            ]

    def fresh(self, folder: Path) -> str:
        if self.tables:
            names = ", ".join(f'"{t}"' for t in self.tables)
            with self.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return self.url

    def close(self) -> None:
        self.engine.dispose()
        with self.admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin_engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """The run's database backend (SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""
    if TEST_DATABASE_URL:
        dbs = PostgresDatabases(TEST_DATABASE_URL)
    else:
        dbs = SQLiteDatabases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


@pytest.fixture
def database_url(databases, tmp_path) -> str:
    """A fresh, migrated database for this test."""
    return databases.fresh(tmp_path)


def make_app(database_url: str, **overrides):
    """An app configured for tests on the given database."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SITE_URL": "http://localhost",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Argon2id at its cheapest: the production profile costs ~0.2 s a hash, per test.
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
    }
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture
def app(database_url):
    """The app under test, on a fresh database, with an app context pushed."""
    app = make_app(database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class AdminClient(FlaskClient):
    """A test client that forgets the previous request's user.

    The `app` fixture keeps one app context for the whole test, and Flask-Login caches
    the user in `g`, which belongs to it; a real server starts each request afresh.
    """

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def admin_client(app) -> AdminClient:
    """A test client for the app that loads the user from its cookie on every request."""
    app.test_client_class = AdminClient
    return app.test_client()


@pytest.fixture
def client(app):
    """A test client that loads the user from its cookie on every request."""
    return admin_client(app)


@pytest.fixture
def staff_member(app):
    """A staff account: (email, password)."""
    email = "dana@example.com"
    accounts.create_staff(email, PASSWORD, name="Dana Reyes")
    return email, PASSWORD


@pytest.fixture
def signed_in(client, staff_member):
    """A test client signed in as the staff member."""
    response = sign_in(client, *staff_member)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def calls(app):
    """Calls in two markets with Ana Lee hosting: Dallas's two days ago and in three days,
    Austin's in five."""
    dallas = make_market()
    austin = make_market("austin", name="Austin", aliases="Austin")
    ana = make_host()
    past = book(dallas, at_noon(-2), "Paula Past")
    soon = book(dallas, at_noon(3), "Sam Soon", company='=HYPERLINK("http://x")')
    later = book(austin, at_noon(5), "Lee Later")
    return {"dallas": dallas, "austin": austin, "host": ana, "past": past, "soon": soon,
            "later": later}  # fmt: skip


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    """Poll a URL until it answers 200, or fail."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception as error:  # not up yet
            last_error = error
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up: {last_error}")


class LiveServer:
    """The test's app served over HTTP from a thread, for the browser."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        wait_until_up(self.url + "/healthz")
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(database_url):
    """The app with CSRF on, served on a free port for the length of the test."""
    app = make_app(database_url, WTF_CSRF_ENABLED=True, TESTING=False)
    with app.app_context():
        with LiveServer(app) as server:
            yield server
        db.session.remove()
        db.engine.dispose()


class Gunicorn:
    """Real gunicorn worker processes serving the test's database, for race tests.

    They run `tests/pinned_wsgi.py`: when this test's clock is pinned (time-machine), the
    workers' clock is pinned alike, so all agree on "now".
    """

    def __init__(
        self, database_url: str, workers: int = 4, env: dict | None = None, log: Path | None = None
    ):
        self.log = log  # where gunicorn's and the app's output goes; the test's own by default
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "SITE_URL": self.url,
            **(env or {}),
        }
        self.env.pop("TEST_CLOCK_OFFSET", None)
        if offset := clock.handover():
            self.env["TEST_CLOCK_OFFSET"] = offset
        self.args = [
            sys.executable, "-m", "gunicorn", "--workers", str(workers),
            "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
            "tests.pinned_wsgi:app",
        ]  # fmt: skip
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        if self.log:
            with open(self.log, "ab") as output:  # the child keeps its own copy
                self.process = subprocess.Popen(
                    self.args, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
                )
        else:
            self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env)
        try:
            wait_until_up(self.url + "/healthz")
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def gunicorn(database_url):
    """Start gunicorn on this test's database: `with gunicorn(workers=4) as server: ...`."""

    def start(workers: int = 4, **env):
        return Gunicorn(database_url, workers=workers, env=env)

    return start
