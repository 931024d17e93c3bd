"""The skeleton: configuration, health check, security headers, error pages, robots.txt."""

from __future__ import annotations

from importlib.util import find_spec

import pytest
from flask import abort

from mortgage_connect import config
from mortgage_connect.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import free_port
from tests.conftest import make_app
from tests.conftest import require


def test_database_url_defaults_to_sqlite_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/mortgage_connect.db"


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_database_url_uses_psycopg_for_postgres(monkeypatch, tmp_path, scheme):
    monkeypatch.setenv("DATABASE_URL", scheme + "u:p@db:5432/site")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u:p@db:5432/site"


def test_secret_key_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_secret_key_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(str(tmp_path))
    assert len(first) >= 40
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert config.secret_key(str(tmp_path)) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_unavailable_when_database_unreachable(tmp_path):
    missing = tmp_path / "no-such-dir" / "db.sqlite"
    app = make_app(f"sqlite:///{missing}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_healthz_says_degraded_not_down_when_redis_is_unreachable(database_url):
    require(find_spec("redis") is not None, "the redis package is not installed")
    # Nobody listens on a free port: the connection is refused, as with a stopped Redis.
    app = make_app(database_url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "degraded", "database": "ok", "redis": "unreachable"}


def test_healthz_reports_redis_with_the_database_down(tmp_path):
    require(find_spec("redis") is not None, "the redis package is not installed")
    missing = tmp_path / "no-such-dir" / "db.sqlite"
    app = make_app(
        f"sqlite:///{missing}", RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0"
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "database": "unreachable",
        "redis": "unreachable",
    }


def test_security_headers_on_every_response(client):
    for path in ("/", "/healthz", "/no-such-page", "/robots.txt"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # plain HTTP


def test_csp_forbids_inline_script_and_eval():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_flags_over_https(database_url):
    app = make_app(database_url, SESSION_COOKIE_SECURE=True)
    # The sign-in form is a page that starts a session (its CSRF token lives there).
    response = app.test_client().get("/admin/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_site_url_https_makes_cookies_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("SITE_URL", "https://www.example.com/")
    settings = config.from_environment(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SITE_URL"] == "https://www.example.com"


def test_pages_carry_csrf_token_for_htmx_and_htmx_config(client):
    html = client.get("/admin/login").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert '"allowEval": false' in html
    assert "htmx-2.0.11.min.js" in html
    assert "<script>" not in html  # no inline script


def test_reading_pages_carry_no_token_and_set_no_cookie(client):
    """Pages everyone gets the same copy of (page_cache) must hold nothing of one visitor's."""
    for path in ("/", "/faq", "/resources/", "/markets/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "X-CSRFToken" not in response.get_data(as_text=True), path
        assert "Set-Cookie" not in response.headers, path


def test_vendored_htmx_is_served(client):
    response = client.get("/static/vendor/htmx/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert b"htmx" in response.data
    response.close()


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Bad request"),
        (403, "Not allowed"),
        (404, "Page not found"),
        (405, "Not allowed here"),
        (429, "Slow down"),
        (500, "Something went wrong"),
    ],
)
def test_styled_error_pages(database_url, code, title):
    app = make_app(database_url)

    @app.get("/_raise/<int:code>")
    def raise_code(code):
        abort(code)

    response = app.test_client().get(f"/_raise/{code}")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html
    assert "site-header" in html  # the full layout, not a bare page


def test_uncaught_exception_is_a_styled_500(database_url):
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_real_404_and_405(client):
    assert client.get("/definitely/not/here").status_code == 404
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_missing_csrf_token_is_a_400_page(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)

    @app.post("/_form")
    def form():
        return "accepted"

    response = app.test_client().post("/_form", data={"x": "1"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_oversize_body_is_refused(database_url):
    app = make_app(database_url)

    @app.post("/_form")
    def form():
        from flask import request

        return str(len(request.form.get("x", "")))

    response = app.test_client().post("/_form", data={"x": "a" * (200 * 1024)})
    assert response.status_code == 413
    assert "Too much data" in response.get_data(as_text=True)


def test_robots_points_at_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_an_app_with_rate_limits_off_leaves_the_next_app_its_own(database_url):
    from mortgage_connect.extensions import limiter

    make_app(database_url, RATELIMIT_ENABLED=False)
    assert not limiter.enabled
    make_app(database_url)
    assert limiter.enabled
