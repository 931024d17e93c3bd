"""What every form shares: refusing control characters, trimming, and the contact details
(name, email, phone, company, NMLS ID) that booking and the waitlist both ask for."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import StringField
from wtforms import TelField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from .. import contact


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


def contact_rule(check):
    """A field validator from one of contact.py's checks: the form and the services that store
    the details apply the very same rule, with the same message."""

    def validator(form, field) -> None:
        if field.data:
            try:
                check(field.data)
            except contact.InvalidContact as error:
                raise ValidationError(error.message) from None

    return validator


class ContactForm(FlaskForm):
    """Who someone is: the fields booking and the waitlist both ask for, and the honeypot."""

    name = StringField(
        "Your name",
        filters=[strip],
        validators=[
            DataRequired(contact.REQUIRED["name"]),
            Length(max=contact.LIMITS["name"], message=contact.too_long("name")),
            plain_text,
        ],
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired(contact.REQUIRED["email"]),
            plain_text,
            contact_rule(contact.check_email),
        ],
    )
    phone = TelField(
        "Phone",
        filters=[strip],
        validators=[
            DataRequired(contact.REQUIRED["phone"]),
            Length(max=contact.LIMITS["phone"], message=contact.too_long("phone")),
            plain_text,
            contact_rule(contact.check_phone),
        ],
    )
    company = StringField(
        "Company",
        filters=[strip],
        validators=[
            DataRequired(contact.REQUIRED["company"]),
            Length(max=contact.LIMITS["company"], message=contact.too_long("company")),
            plain_text,
        ],
    )
    nmls_id = StringField(
        "NMLS ID (optional)",
        filters=[strip],
        validators=[Optional(), plain_text, contact_rule(contact.check_nmls_id)],
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots that fill every field fill it.
    website = StringField("Leave this field empty", validators=[Length(max=0), plain_text])
