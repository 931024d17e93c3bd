"""Behind a reverse proxy (PROXY_COUNT=1) the limits count per real client address, taken from
X-Forwarded-For; without one that header is ignored, so a client cannot pick its own address."""

from __future__ import annotations

import itertools

from mortgage_connect.extensions import db
from mortgage_connect.staff import accounts
from tests.conftest import make_app
from tests.factories import full_market
from tests.factories import PASSWORD

JOIN = "/markets/dallas-fort-worth/waitlist"
_people = itertools.count()


def _join(client, forwarded_for: str) -> int:
    """One waitlist join (a new person each time) as the proxy would pass it on; the status."""
    n = next(_people)
    details = {
        "name": f"Person {n}",
        "email": f"p{n}@lender.example",
        "phone": "214-555-0187",
        "company": "Lone Star Lending",
    }
    return client.post(JOIN, data=details, headers={"X-Forwarded-For": forwarded_for}).status_code


def _app(database_url: str, proxies: int):
    return make_app(database_url, PROXY_COUNT=proxies, WAITLIST_RATE_LIMIT="2 per minute")


def test_behind_one_proxy_each_forwarded_address_has_its_own_allowance(database_url):
    app = _app(database_url, proxies=1)
    with app.app_context():
        full_market(cap=1)
        client = app.test_client()
        # Every request reaches the app from the same socket address (the proxy's).
        assert [_join(client, "203.0.113.5") for _ in range(3)] == [200, 200, 429]
        assert _join(client, "198.51.100.7") == 200
        # A client-supplied X-Forwarded-For comes first; the proxy appends the address it
        # saw, and only that last one is trusted: inventing addresses earns no allowance.
        assert _join(client, "192.0.2.1, 203.0.113.5") == 429
        assert _join(client, "192.0.2.2, 198.51.100.7") == 200
        assert _join(client, "192.0.2.3, 198.51.100.7") == 429
        db.session.remove()
        db.engine.dispose()


def test_without_a_proxy_a_forwarded_address_is_ignored(database_url):
    app = _app(database_url, proxies=0)
    with app.app_context():
        full_market(cap=1)
        client = app.test_client()
        codes = [_join(client, address) for address in ("203.0.113.5", "198.51.100.7", "192.0.2.1")]
        assert codes == [200, 200, 429]
        db.session.remove()
        db.engine.dispose()


def test_behind_one_proxy_sign_in_throttling_counts_per_forwarded_address(database_url):
    app = make_app(database_url, PROXY_COUNT=1, ADMIN_SIGNIN_LIMIT_PER_ADDRESS="2 per 15 minutes")
    with app.app_context():
        accounts.create_staff("dana@example.com", PASSWORD)
        client = app.test_client()

        def guess(email: str, forwarded_for: str) -> int:
            data = {"email": email, "password": "wrong password!"}
            headers = {"X-Forwarded-For": forwarded_for}
            return client.post("/admin/login", data=data, headers=headers).status_code

        # Guesses at different accounts, so only the per-address count can refuse them.
        assert [guess(f"g{n}@example.com", "203.0.113.5") for n in range(3)] == [200, 200, 429]
        assert guess("g3@example.com", "198.51.100.7") == 200
        db.session.remove()
        db.engine.dispose()
