"""Flask-WTF forms: fields and their rules only, no queries."""

from __future__ import annotations

import re
import uuid

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import StringField
from wtforms import TelField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from . import calculator
from .calculator import COUNT
from .models import LEAD_SOURCES


def _number(name: str) -> StringField:
    """A text box for one calculator number (text, not type=number, so we see what was typed)."""
    spec = calculator.SPECS[name.split("_", 1)[1]]
    return StringField(
        spec.label,
        description=spec.hint,
        render_kw={
            "inputmode": "numeric" if spec.kind == COUNT else "decimal",
            "autocomplete": "off",
            "spellcheck": "false",
        },
    )


class CostPerFundedLoanForm(FlaskForm):
    """The calculator's inputs for an exclusive and a shared source; a GET form, so no CSRF."""

    class Meta:
        csrf = False

    ex_leads = _number("ex_leads")
    ex_price = _number("ex_price")
    ex_credited = _number("ex_credited")
    ex_hours = _number("ex_hours")
    ex_rate = _number("ex_rate")
    ex_conversations = _number("ex_conversations")
    ex_appointments = _number("ex_appointments")
    ex_funded = _number("ex_funded")
    sh_leads = _number("sh_leads")
    sh_price = _number("sh_price")
    sh_credited = _number("sh_credited")
    sh_hours = _number("sh_hours")
    sh_rate = _number("sh_rate")
    sh_conversations = _number("sh_conversations")
    sh_appointments = _number("sh_appointments")
    sh_funded = _number("sh_funded")

    def validate(self, extra_validators=None) -> bool:
        """Apply the calculator's rules (one place for them) and put each message on its field."""
        super().validate(extra_validators)
        self.outcome = calculator.evaluate({field.name: field.data or "" for field in self})
        for name, message in self.outcome.errors.items():
            self[name].errors = [message]
        return not self.outcome.errors


def _strip(value):
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
        filters=[_strip],
        validators=[DataRequired("Enter your name."), Length(max=120), plain_text],
    )
    email = EmailField(
        "Email",
        filters=[_strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254),
            plain_text,
            Email("Enter an email address like name@example.com.", check_deliverability=False),
        ],
    )
    phone = TelField(
        "Phone",
        filters=[_strip],
        validators=[DataRequired("Enter a phone number."), Length(max=40), plain_text, _phone],
    )
    company = StringField(
        "Company",
        filters=[_strip],
        validators=[DataRequired("Enter your company's name."), Length(max=160), plain_text],
    )
    nmls_id = StringField(
        "NMLS ID (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            plain_text,
            Regexp(r"^\d{1,12}$", message="An NMLS ID is digits only (up to 12)."),
        ],
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots that fill every field fill it.
    website = StringField("Leave this field empty", validators=[Length(max=0), plain_text])


class BookingForm(ContactForm):
    """The details a prospect gives to book a call (PRODUCT.md)."""

    lead_source = RadioField(
        "Where do your leads come from today?",
        choices=[SelectChoice(value, label) for value, label in LEAD_SOURCES.items()],
        validators=[InputRequired("Choose where your leads come from today.")],
    )
    notes = TextAreaField(
        "Anything we should know before the call? (optional)",
        filters=[_strip],
        validators=[Length(max=2000, message="Keep notes under 2,000 characters."), plain_text],
    )
    consent = BooleanField(
        "You may contact me about this call and about exclusive leads.",
        validators=[DataRequired("Tick this box so we may contact you about the call.")],
    )
    start = HiddenField(validators=[InputRequired("Choose a time for the call.")])
    tz = HiddenField()
    form_token = HiddenField(
        validators=[
            InputRequired(),
            Regexp(r"^[0-9a-f]{32}$", message="This form has expired; reload the page."),
        ]
    )

    @staticmethod
    def new_token() -> str:
        """A fresh one-time token that makes a resubmitted form idempotent."""
        return uuid.uuid4().hex


class ConfirmForm(FlaskForm):
    """A bare POST form (CSRF only): cancel, or confirm a new time."""

    start = HiddenField()


class WaitlistForm(ContactForm):
    """The details someone gives to join a full market's waitlist (PRODUCT.md)."""


class ConfirmWaitlistForm(FlaskForm):
    """A bare POST form (CSRF only) behind a confirmation page: leave, or decline an offer."""
