"""Staff forms: signing in, and confirming the password again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms.validators import InputRequired
from wtforms.validators import Length

from ..web.forms import plain_text
from .accounts import MAX_PASSWORD_LENGTH


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email",
        validators=[InputRequired("Enter your email address."), Length(max=254), plain_text],
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=MAX_PASSWORD_LENGTH)],
    )
    next = HiddenField()


class ConfirmPasswordForm(FlaskForm):
    """The signed-in staff member's password, again."""

    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=MAX_PASSWORD_LENGTH)],
    )
    next = HiddenField()
