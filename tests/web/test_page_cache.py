"""The page cache: what it keeps, for whom, for how long, and what it never keeps."""

from __future__ import annotations

import time

import pytest
from flask import make_response
from flask import session

from mortgage_connect import capacity
from mortgage_connect.extensions import db
from mortgage_connect.models import Market
from mortgage_connect.web import page_cache
from mortgage_connect.web.page_cache import shared_page
from tests.conftest import make_app
from tests.factories import make_market
from tests.factories import QueryCounter

SEATS = "/markets/dallas-fort-worth/seats"


@pytest.fixture
def counted(database_url):
    """An app with test pages that count how often they are built."""
    app = make_app(database_url)
    built: list[str] = []

    def page(name, response=None):
        built.append(name)
        return response if response is not None else f"<p>{name} {len(built)}</p>"

    routes = {
        "plain": lambda: page("plain"),
        "reads-session": lambda: page("reads-session", f"<p>{session.get('who', 'nobody')}</p>"),
        "writes-session": lambda: page("writes-session", session.update(who="me") or "<p>ok</p>"),
        "missing": lambda: page("missing", ("<p>gone</p>", 404)),
        "no-store": lambda: page("no-store", ("<p>mine</p>", {"Cache-Control": "no-store"})),
        "cookie": lambda: page("cookie", _with_cookie()),
    }
    for name, view in routes.items():
        view.__name__ = name.replace("-", "_")
        app.add_url_rule(f"/t/{name}", view_func=shared_page("LIVE_PAGE_SECONDS")(view))
    app.config["LIVE_PAGE_SECONDS"] = 60
    with app.app_context():
        yield app, built
        db.session.remove()
        db.engine.dispose()


def _with_cookie():
    response = make_response("<p>cookie</p>")
    response.set_cookie("seen", "1")
    return response


def test_a_kept_page_is_built_once_and_served_identically(counted):
    app, built = counted
    client = app.test_client()
    first, second = client.get("/t/plain"), client.get("/t/plain")
    assert built == ["plain"]
    assert second.data == first.data == b"<p>plain 1</p>"
    # The copy carries what every hook added, the security headers included.
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "name", ["reads-session", "writes-session", "missing", "no-store", "cookie"]
)
def test_pages_for_one_visitor_or_not_ok_are_never_kept(counted, name):
    app, built = counted
    client = app.test_client()
    client.get(f"/t/{name}")
    client.get(f"/t/{name}")
    assert built == [name, name]


def test_a_visitor_with_a_session_gets_the_shared_copy_without_anyone_elses_data(counted):
    app, built = counted
    alice = app.test_client()
    alice.get("/t/writes-session")  # alice now carries a session cookie
    alice_page = alice.get("/t/plain")
    bob_page = app.test_client().get("/t/plain")
    assert alice_page.data == bob_page.data
    assert "Set-Cookie" not in bob_page.headers
    assert built.count("plain") == 1


def test_copies_expire(counted):
    app, built = counted
    client = app.test_client()
    client.get("/t/plain")
    later = time.monotonic() + 61
    page_cache.clock = lambda: later
    try:
        assert client.get("/t/plain").data == b"<p>plain 2</p>"
    finally:
        page_cache.clock = time.monotonic
    assert built == ["plain", "plain"]


def test_a_setting_of_zero_keeps_nothing(counted):
    app, built = counted
    app.config["LIVE_PAGE_SECONDS"] = 0
    client = app.test_client()
    client.get("/t/plain")
    client.get("/t/plain")
    assert built == ["plain", "plain"]


def test_the_store_is_bounded(database_url):
    app = make_app(database_url, PAGE_CACHE_SIZE=2)
    with app.app_context():
        client = app.test_client()
        for query in ("a", "b", "c", "d"):
            assert client.get(f"/markets/?q={query}").status_code == 200
        assert len(page_cache.store()) == 2
        db.session.remove()
        db.engine.dispose()


def test_head_is_answered_from_the_get_copy_and_never_poisons_it(client):
    head = client.head("/faq")
    page = client.get("/faq")
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(page.data) > 1000
    again = client.head("/faq")
    assert again.headers["Content-Length"] == head.headers["Content-Length"]
    assert client.get("/faq").data == page.data


def test_fragment_and_page_are_kept_apart(client):
    page = client.get("/markets/")
    fragment = client.get("/markets/", headers={"HX-Request": "true"})
    assert b"<html" in page.data and b"<html" not in fragment.data
    assert client.get("/markets/").data == page.data
    assert client.get("/markets/", headers={"HX-Request": "true"}).data == fragment.data


def test_a_write_in_this_worker_drops_the_copies_at_once(client):
    market = make_market(cap=5)
    db.session.commit()
    assert "5</strong> of 5 seats" in client.get(SEATS).get_data(as_text=True)
    capacity.set_cap(market.id, 7)
    assert "7</strong> of 7 seats" in client.get(SEATS).get_data(as_text=True)


def test_a_kept_copy_answers_if_none_match_without_the_database(client):
    make_market()
    db.session.commit()
    etag = client.get(SEATS).headers["ETag"]
    with QueryCounter(db.engine) as counter:
        unchanged = client.get(SEATS, headers={"If-None-Match": etag})
        stale = client.get(SEATS, headers={"If-None-Match": '"something-else"'})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert unchanged.headers["ETag"] == etag
    assert stale.status_code == 200 and b"seats" in stale.data
    assert counter.count == 0


def test_the_first_request_may_ask_if_none_match_and_still_keeps_the_page(client):
    make_market()
    db.session.commit()
    etag = client.get(SEATS).headers["ETag"]
    page_cache.clear_all()
    assert client.get(SEATS, headers={"If-None-Match": etag}).status_code == 304
    with QueryCounter(db.engine) as counter:
        assert client.get(SEATS, headers={"If-None-Match": etag}).status_code == 304
    assert counter.count == 0


def test_a_rolled_back_write_keeps_the_copies(client):
    market = make_market()
    db.session.commit()
    client.get(SEATS)
    market.seat_cap = 9
    db.session.flush()
    db.session.rollback()
    db.session.get(Market, market.id)  # a later transaction that only reads …
    db.session.commit()  # … must not drop them either when it commits
    with QueryCounter(db.engine) as counter:
        client.get(SEATS)
    assert counter.count == 0
