"""Fixtures for the staff admin: a staff account and a signed-in client."""

from __future__ import annotations

import pytest
from flask import g
from flask.testing import FlaskClient

from mortgage_connect.staff import accounts

PASSWORD = "correct horse battery staple"


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


def sign_in(client, email: str, password: str, **kwargs):
    """POST the sign-in form."""
    return client.post("/admin/login", data={"email": email, "password": password}, **kwargs)


@pytest.fixture
def signed_in(client, staff_member):
    """A test client signed in as the staff member."""
    response = sign_in(client, *staff_member)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client
