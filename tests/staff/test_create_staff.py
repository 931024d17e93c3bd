"""`flask create-staff`: asks for a password or generates one; refuses duplicates."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy import select

from mortgage_connect.extensions import db
from mortgage_connect.models import Staff
from mortgage_connect.staff import accounts


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["create-staff", *args], input=input)


def test_asks_for_the_password_twice(app):
    result = run(app, "Ana@Example.com", "--name", "Ana Li", input="long enough pw!\n" * 2)
    assert result.exit_code == 0, result.output
    assert "Staff account created for ana@example.com." in result.output
    assert "long enough pw!" not in result.output  # typed hidden, never echoed
    account = db.session.scalar(select(Staff))
    assert (account.email, account.name, account.active) == ("ana@example.com", "Ana Li", True)
    assert accounts.authenticate("ana@example.com", "long enough pw!") is not None


def test_mismatched_confirmation_asks_again(app):
    typed = "long enough pw!\nsomething else!\nlong enough pw!\nlong enough pw!\n"
    result = run(app, "ana@example.com", input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output.lower()


def test_generate_prints_a_strong_password_once(app):
    result = run(app, "ana@example.com", "--generate")
    assert result.exit_code == 0, result.output
    password = re.search(r"store it safely\): (\S+)", result.output).group(1)
    assert len(password) >= 20
    assert accounts.authenticate("ana@example.com", password) is not None


def test_refuses_a_duplicate(app):
    assert run(app, "ana@example.com", "--generate").exit_code == 0
    again = run(app, "ANA@example.com", "--generate")
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert db.session.scalar(select(func.count(Staff.id))) == 1


def test_refuses_a_short_password_and_a_bad_email(app):
    short = run(app, "ana@example.com", input="short\nshort\n")
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    bad = run(app, "not-an-email", "--generate")
    assert bad.exit_code == 1
    assert "not a valid email address" in bad.output
    assert db.session.scalar(select(func.count(Staff.id))) == 0
