"""Staff sign-in: Argon2id hashes, identical refusals, throttling, session renewal and sign-out."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2 import Type
from sqlalchemy import select

from mortgage_connect import config
from mortgage_connect.extensions import db
from mortgage_connect.models import Staff
from mortgage_connect.staff import accounts
from tests.conftest import admin_client
from tests.conftest import make_app
from tests.factories import PASSWORD
from tests.factories import sign_in


def test_stored_hash_is_argon2id(app, staff_member):
    assert PasswordHasher().type is Type.ID
    stored = db.session.scalar(select(Staff.password_hash))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_production_hashes_use_rfc_9106_argon2id(app, monkeypatch, tmp_path):
    monkeypatch.delenv("PASSWORD_HASH_PROFILE", raising=False)
    default = config.from_environment(str(tmp_path))["PASSWORD_HASH_PROFILE"]
    app.config["PASSWORD_HASH_PROFILE"] = default
    stored = accounts.hasher().hash("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_an_unknown_hash_profile_is_refused(app):
    app.config["PASSWORD_HASH_PROFILE"] = "NO_SUCH_PROFILE"
    with pytest.raises(ValueError, match="not an Argon2id profile"):
        accounts.hasher()


def test_no_staff_account_exists_until_one_is_created(app, client):
    assert db.session.scalar(select(Staff)) is None
    for email, password in [("admin", "admin"), ("admin@example.com", "password")]:
        assert sign_in(client, email, password).status_code == 200
        assert client.get("/admin/").status_code == 302


def test_sign_in_opens_the_dashboard_and_rotates_the_token(app, client, staff_member):
    before = db.session.scalar(select(Staff.session_token))
    response = sign_in(client, *staff_member)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    db.session.expire_all()
    account = db.session.scalar(select(Staff))
    assert account.session_token != before
    assert account.last_sign_in_at is not None
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Dana Reyes" in page.get_data(as_text=True)


def test_unknown_email_and_wrong_password_get_the_same_answer(
    app, client, staff_member, monkeypatch
):
    calls = []
    real_verify = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda h, p: calls.append(h) or real_verify(h, p))
    unknown = sign_in(client, "nobody@example.com", PASSWORD)
    wrong = sign_in(client, staff_member[0], "not the password at all")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.get_data(as_text=True).replace("nobody@example.com", staff_member[0]) == (
        wrong.get_data(as_text=True)
    )
    assert "don&#39;t match a staff account" in wrong.get_data(as_text=True)
    # An unknown email is checked against a dummy hash, so it costs the same time.
    assert len(calls) == 2 and calls[0] != calls[1]


def test_deactivated_account_gets_the_same_answer(app, client, staff_member):
    account = db.session.scalar(select(Staff))
    account.active = False
    db.session.commit()
    response = sign_in(client, *staff_member)
    assert response.status_code == 200
    assert "don&#39;t match a staff account" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_empty_and_oversized_fields_get_messages_not_errors(app, client, staff_member):
    empty = client.post("/admin/login", data={"email": "", "password": ""})
    assert empty.status_code == 200
    body = empty.get_data(as_text=True)
    assert "Enter your email address." in body and "Enter your password." in body
    huge = sign_in(client, staff_member[0], "x" * 5000)
    assert huge.status_code == 200
    assert "Field cannot be longer than 256 characters." in huge.get_data(as_text=True)
    nul = sign_in(client, "dana@example.com\x00", "whatever whatever")
    assert nul.status_code == 200
    hostile = sign_in(client, '<script>alert(1)</script>"hx-get="/x', "whatever whatever")
    assert hostile.status_code == 200
    assert "<script>alert(1)" not in hostile.get_data(as_text=True)


def test_throttled_per_account(database_url):
    app = make_app(database_url, ADMIN_SIGNIN_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    with app.app_context():
        accounts.create_staff("dana@example.com", PASSWORD)
        client = admin_client(app)
        for _ in range(3):
            assert sign_in(client, "dana@example.com", "wrong password!").status_code == 200
        # Even the right password is refused now, with the same words for any account.
        refused = sign_in(client, "DANA@example.com ", PASSWORD)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 800
        assert "Too many sign-in attempts" in refused.get_data(as_text=True)
        assert client.get("/admin/").status_code == 302
        # The address may still try other accounts.
        assert sign_in(client, "other@example.com", "wrong password!").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_throttled_per_address(database_url):
    app = make_app(database_url, ADMIN_SIGNIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    with app.app_context():
        accounts.create_staff("dana@example.com", PASSWORD)
        client = admin_client(app)
        for n in range(3):
            assert sign_in(client, f"guess{n}@example.com", "wrong password!").status_code == 200
        assert sign_in(client, "dana@example.com", PASSWORD).status_code == 429
        # Another address is counted on its own.
        other = sign_in(
            client, "dana@example.com", PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"}
        )
        assert other.status_code == 303
        db.session.remove()
        db.engine.dispose()


def test_successful_sign_in_resets_the_account_counter(database_url):
    app = make_app(database_url, ADMIN_SIGNIN_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    with app.app_context():
        accounts.create_staff("dana@example.com", PASSWORD)
        client = admin_client(app)
        for _ in range(2):
            sign_in(client, "dana@example.com", "wrong password!")
        assert sign_in(client, "dana@example.com", PASSWORD).status_code == 303
        client.post("/admin/logout")
        for _ in range(2):
            assert sign_in(client, "dana@example.com", "wrong password!").status_code == 200
        assert sign_in(client, "dana@example.com", PASSWORD).status_code == 303
        db.session.remove()
        db.engine.dispose()


def test_replayed_cookie_after_sign_out_is_refused(app, client, staff_member):
    sign_in(client, *staff_member)
    assert client.get("/admin/").status_code == 200
    stolen = client.get_cookie("session").value
    response = client.post("/admin/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/login"
    client.set_cookie("session", stolen)
    replay = client.get("/admin/")
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/admin/login")


def test_signing_in_again_ends_the_older_session(app, staff_member):
    first, second = admin_client(app), admin_client(app)
    sign_in(first, *staff_member)
    sign_in(second, *staff_member)
    assert second.get("/admin/").status_code == 200
    assert first.get("/admin/").status_code == 302


def test_session_is_renewed_at_sign_in(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        accounts.create_staff("dana@example.com", PASSWORD)
        client = admin_client(app)
        client.get("/admin/login")
        with client.session_transaction() as session:
            session["planted"] = "by someone else"
            token_before = session["csrf_token"]
        response = client.post(
            "/admin/login",
            data={"email": "dana@example.com", "password": PASSWORD, "csrf_token": _csrf(client)},
        )
        assert response.status_code == 303
        client.get("/admin/")
        with client.session_transaction() as session:
            assert "planted" not in session
            assert session["csrf_token"] != token_before
            assert isinstance(session["signed_in_at"], int)
        db.session.remove()
        db.engine.dispose()


def _csrf(client) -> str:
    """The CSRF token the client's session holds, as the form would send it."""
    import re

    page = client.get("/admin/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_missing_csrf_token_is_refused_with_400(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        accounts.create_staff("dana@example.com", PASSWORD)
        client = admin_client(app)
        client.get("/admin/login")
        refused = sign_in(client, "dana@example.com", PASSWORD)
        assert refused.status_code == 400
        ok = client.post(
            "/admin/login",
            data={"email": "dana@example.com", "password": PASSWORD, "csrf_token": _csrf(client)},
        )
        assert ok.status_code == 303
        assert client.post("/admin/logout").status_code == 400  # sign-out needs it too
        assert client.get("/admin/").status_code == 200
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("/admin/audit?page=2", "/admin/audit?page=2"),
        ("https://evil.example/admin/", "/admin/"),
        ("//evil.example/admin/", "/admin/"),
        ("/\\evil.example", "/admin/"),
        ("/markets/", "/admin/"),
        ("javascript:alert(1)", "/admin/"),
        ("/admin/\r\nSet-Cookie: x=1", "/admin/"),
    ],
)
def test_next_is_followed_only_inside_the_admin(app, client, staff_member, next_value, expected):
    response = client.post(
        "/admin/login",
        data={"email": staff_member[0], "password": PASSWORD, "next": next_value},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_sign_in_and_sign_out_are_audited(app, client, staff_member):
    from mortgage_connect.models import AuditLog

    sign_in(client, *staff_member, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    client.post("/admin/logout", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    rows = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [r.action for r in rows] == ["staff.create", "staff.sign_in", "staff.sign_out"]
    assert rows[1].actor == "dana@example.com"
    assert rows[1].address == "203.0.113.9"
    assert rows[0].actor == "command line"
