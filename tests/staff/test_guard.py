"""Every admin route refuses anonymous visitors; admin pages stay out of caches and indexes."""

from __future__ import annotations

import time

from flask import Flask
from werkzeug.routing.converters import NumberConverter

from mortgage_connect.staff.signin import recent_signin_required
from mortgage_connect.web.admin import PUBLIC_ENDPOINTS
from tests.factories import PASSWORD


def admin_rules(app: Flask):
    """Every URL rule under /admin, with a URL built for it."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        values = {
            name: 1 if isinstance(conv, NumberConverter) else "x"
            for name, conv in rule._converters.items()
        }
        yield rule, adapter.build(rule.endpoint, values)


def test_every_admin_route_refuses_anonymous_requests(app, client):
    rules = list(admin_rules(app))
    assert len(rules) >= 4  # the walk found the blueprint
    checked = 0
    for rule, url in rules:
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            page = client.open(url, method=method)
            assert page.status_code in (302, 303), (method, url, page.status_code)
            assert page.headers["Location"].startswith("/admin/login"), (method, url)
            fragment = client.open(url, method=method, headers={"HX-Request": "true"})
            assert fragment.status_code in (401, 403), (method, url, fragment.status_code)
            assert fragment.headers["HX-Redirect"].startswith("/admin/login"), (method, url)
            checked += 1
    assert checked >= 4


def test_the_sign_in_page_is_the_only_public_admin_route():
    assert PUBLIC_ENDPOINTS == {"admin.login"}


def test_anonymous_page_visit_comes_back_after_sign_in(app, client, staff_member):
    response = client.get("/admin/audit?action=staff.sign_in")
    assert response.headers["Location"] == "/admin/login?next=/admin/audit?action%3Dstaff.sign_in"
    page = client.get(response.headers["Location"])
    assert 'name="next" value="/admin/audit?action=staff.sign_in"' in page.get_data(as_text=True)
    signed = client.post(
        "/admin/login",
        data={"email": staff_member[0], "password": PASSWORD, "next": "/admin/audit?page=1"},
    )
    assert signed.headers["Location"] == "/admin/audit?page=1"


def test_htmx_request_is_sent_to_sign_in_from_the_page_it_came_from(app, client):
    response = client.post(
        "/admin/logout",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/admin/audit?page=2"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/admin/login?next=/admin/audit?page%3D2"


def test_admin_responses_are_private(app, client, signed_in):
    for url in ("/admin/", "/admin/audit", "/admin/reauth"):
        response = signed_in.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)
    signed_in.post("/admin/logout")
    login = client.get("/admin/login")
    assert login.headers["Cache-Control"] == "no-store"
    assert "X-Robots-Tag" not in client.get("/").headers


def test_menu_links_only_screens_that_exist(app, signed_in):
    body = signed_in.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/audit"' in body
    assert 'href="/admin/" aria-current="page"' in body
    for endpoint in ("admin.calls", "admin.outbox", "admin.hosts"):
        if endpoint not in app.view_functions:
            assert f'href="/admin/{endpoint.split(".")[1]}"' not in body


def _sensitive_app(make):
    """An app with one extra admin-area view that needs a recent sign-in."""
    app = make()

    @recent_signin_required
    def sensitive():
        return "changed"

    app.add_url_rule("/admin/sensitive", "sensitive", sensitive, methods=["GET", "POST"])
    return app


def test_sensitive_change_needs_a_recent_sign_in(database_url):
    from mortgage_connect.extensions import db
    from mortgage_connect.staff import accounts
    from tests.conftest import admin_client
    from tests.conftest import make_app

    app = _sensitive_app(lambda: make_app(database_url))
    with app.app_context():
        accounts.create_staff("dana@example.com", PASSWORD)
        client = admin_client(app)
        client.post("/admin/login", data={"email": "dana@example.com", "password": PASSWORD})
        assert client.get("/admin/sensitive").get_data(as_text=True) == "changed"

        with client.session_transaction() as session:
            session["signed_in_at"] = int(time.time()) - 16 * 60
        page = client.get("/admin/sensitive")
        assert page.status_code == 302
        assert page.headers["Location"] == "/admin/reauth?next=/admin/sensitive"
        fragment = client.post(
            "/admin/sensitive",
            headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/admin/audit"},
        )
        assert fragment.status_code == 403
        assert fragment.headers["HX-Redirect"] == "/admin/reauth?next=/admin/audit"
        form = client.post("/admin/sensitive", headers={"Referer": "http://localhost/admin/"})
        assert form.status_code == 303
        assert form.headers["Location"] == "/admin/reauth"

        wrong = client.post(
            "/admin/reauth", data={"password": "not it at all", "next": "/admin/sensitive"}
        )
        assert "That password is not right." in wrong.get_data(as_text=True)
        assert client.get("/admin/sensitive").status_code == 302
        right = client.post(
            "/admin/reauth", data={"password": PASSWORD, "next": "/admin/sensitive"}
        )
        assert right.status_code == 303
        assert right.headers["Location"] == "/admin/sensitive"
        assert client.get("/admin/sensitive").get_data(as_text=True) == "changed"
        db.session.remove()
        db.engine.dispose()
