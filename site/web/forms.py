"""What every form shares: refusing control characters, trimming, and the contact details
(name, email, phone, company, NMLS ID) that booking and the waitlist both ask for."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import StringField
from wtforms import TelField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError


def strip(value):
    """Trim a text value (other values pass as they are)."""
    return value.strip() if isinstance(value, str) else value


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and line breaks are text


def plain_text(form, field) -> None:
    """Refuse control characters (PostgreSQL can't even store NUL), keep tabs and new lines.

    Every text field of every form a person fills in has it, public and admin alike.
    """
    if field.data and CONTROL.search(field.data):
        raise StopValidation("Remove the control characters from this field.")


def _phone(form, field) -> None:
    """A phone number people write: digits with spaces, dots, dashes, brackets or a leading +."""
    value = field.data or ""
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"\+?[\d\s().\-]+", value) or not 7 <= len(digits) <= 15:
        raise ValidationError("Enter a phone number with its area code, such as 214-555-0187.")


class ContactForm(FlaskForm):
    """Who someone is: the fields booking and the waitlist both ask for, and the honeypot."""

    name = StringField(
        "Your name",
        filters=[strip],
        validators=[DataRequired("Enter your name."), Length(max=120), plain_text],
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254),
            plain_text,
            Email("Enter an email address like name@example.com.", check_deliverability=False),
        ],
    )
    phone = TelField(
        "Phone",
        filters=[strip],
        validators=[DataRequired("Enter a phone number."), Length(max=40), plain_text, _phone],
    )
    company = StringField(
        "Company",
        filters=[strip],
        validators=[DataRequired("Enter your company's name."), Length(max=160), plain_text],
    )
    nmls_id = StringField(
        "NMLS ID (optional)",
        filters=[strip],
        validators=[
            Optional(),
            plain_text,
            Regexp(r"^\d{1,12}$", message="An NMLS ID is digits only (up to 12)."),
        ],
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots that fill every field fill it.
    website = StringField("Leave this field empty", validators=[Length(max=0), plain_text])
