"""The number of SQL queries per public endpoint is pinned, and does not grow with the data:
the same on the demo data as on the scale data (many markets, hosts and bookings). Pinned for a
page built afresh; a page served from its kept copy (page_cache) asks the database nothing."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import UTC

import pytest
from sqlalchemy import event

from mortgage_connect.demo import seed
from mortgage_connect.demo.scale import seed_scale
from mortgage_connect.extensions import db
from mortgage_connect.staff import accounts
from tests.conftest import admin_client
from tests.factories import PASSWORD
from tests.factories import sign_in

# Pinned mid-month: on a month's last evening the calendar also reads the next month (4 more
# queries), which tests/calls/test_views.py covers on its own.
MID_MONTH = datetime(2027, 5, 12, 15, tzinfo=UTC)

# Path (or a name filled in by _paths) -> queries, with any headers to send.
PINNED = [
    ("home", "/", {}, 0),
    ("article", "/resources/exclusive-vs-shared-mortgage-leads", {}, 0),
    ("faq", "/faq", {}, 0),
    ("markets", "/markets/", {}, 2),
    ("markets page 2", "/markets/?page=2", {}, 2),
    ("markets search", "/markets/?q=san", {}, 2),
    ("markets by state", "/markets/?state=TX&page=2", {"HX-Request": "true"}, 2),
    ("market picker", "/book/", {}, 2),
    ("market picker page 2", "/book/?page=2", {"HX-Request": "true"}, 2),
    ("market check", "/markets/check?q=san", {"HX-Request": "true"}, 2),
    ("seat widget", "/markets/atlanta/seats", {}, 1),
    ("seat widget 304", "/markets/atlanta/seats", {"If-None-Match": "etag"}, 1),
    ("booking month", "/book/atlanta", {}, 5),
    ("day's times", "times", {"HX-Request": "true"}, 5),
]


class QueryCounter:
    """Counts the queries sent to the database while active."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _seen(self, conn, cursor, statement, *args):
        # SQLite's explicit BEGIN (see database.py) is transaction control, not a query.
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.count += 1

    def __enter__(self):
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture(params=["demo", "scale"])
def seeded(request, app, time_machine):
    time_machine.move_to(MID_MONTH)
    seed.seed_if_empty()
    if request.param == "scale":
        seed_scale(markets=150, hosts=12, bookings=1200)
    db.session.remove()
    return request.param


def _request(client, path: str, headers: dict) -> tuple[str, dict]:
    """The real path and headers: a day's times link and a current ETag are looked up."""
    if path == "times":
        calendar = client.get("/book/atlanta").text
        path = re.search(r'"(/book/atlanta/times\?[^"]+)"', calendar).group(1)
        path = path.replace("&amp;", "&")
    headers = dict(headers)
    if headers.get("If-None-Match"):
        headers["If-None-Match"] = client.get(path).headers["ETag"]
    return path, headers


@pytest.mark.parametrize(("name", "path", "headers", "queries"), PINNED, ids=[p[0] for p in PINNED])
def test_queries_per_endpoint(seeded, app, client, name, path, headers, queries):
    app.config.update(LIVE_PAGE_SECONDS=0, CONTENT_PAGE_SECONDS=0)  # every page built afresh
    path, headers = _request(client, path, headers)
    client.get(path, headers=headers)  # caches warm, as in production after the first hit
    with QueryCounter(db.engine) as counter:
        response = client.get(path, headers=headers)
    assert response.status_code == (304 if "If-None-Match" in headers else 200)
    assert counter.count == queries, f"{name} on the {seeded} data"


@pytest.mark.parametrize(("name", "path", "headers", "queries"), PINNED, ids=[p[0] for p in PINNED])
def test_kept_pages_ask_the_database_nothing(seeded, client, name, path, headers, queries):
    path, headers = _request(client, path, headers)
    client.get(path, headers=headers)  # the first visitor's request keeps a copy
    with QueryCounter(db.engine) as counter:
        response = client.get(path, headers=headers)
    assert response.status_code == (304 if "If-None-Match" in headers else 200)
    assert counter.count == 0, f"{name} on the {seeded} data"


ADMIN_MARKETS_QUERIES = 4  # the signed-in staff member, the count, the page, its prices


@pytest.mark.parametrize("path", ["/admin/markets", "/admin/markets?page=2"])
def test_admin_markets_table_queries(seeded, app, path):
    accounts.create_staff("dana@example.com", PASSWORD, name="Dana Reyes")
    client = admin_client(app)
    assert sign_in(client, "dana@example.com", PASSWORD).status_code == 303
    client.get(path)
    with QueryCounter(db.engine) as counter:
        response = client.get(path)
    assert response.status_code == 200
    assert counter.count == ADMIN_MARKETS_QUERIES, f"{path} on the {seeded} data"
