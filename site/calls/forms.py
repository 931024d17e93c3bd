"""Calls' forms: booking a call, confirming a change, cancelling with a reason, and the admin's
host forms (a host's details, time off, blackout days)."""

from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from ..models import CANCEL_DETAIL_LENGTH
from ..models import CANCEL_REASONS
from ..models import LEAD_SOURCES
from ..web.forms import ContactForm
from ..web.forms import plain_text
from ..web.forms import strip


class BookingForm(ContactForm):
    """The details a prospect gives to book a call (docs/product.md, "The form")."""

    lead_source = RadioField(
        "Where do your leads come from today?",
        choices=[SelectChoice(value, label) for value, label in LEAD_SOURCES.items()],
        validators=[InputRequired("Choose where your leads come from today.")],
    )
    notes = TextAreaField(
        "Anything we should know before the call? (optional)",
        filters=[strip],
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


def _known_reason(form, field) -> None:
    if field.data not in (None, "", *CANCEL_REASONS):
        raise ValidationError("Choose one of the reasons listed, or none.")


class CancelForm(FlaskForm):
    """Cancelling a call, with an optional reason: one of a few, or something else in words.

    Both fields are optional: nobody is kept from cancelling for want of a reason. Public and
    admin cancels share it.
    """

    cancel_reason = RadioField(
        "Why are you cancelling? (optional)",
        choices=[SelectChoice(value, label) for value, label in CANCEL_REASONS.items()],
        validate_choice=False,  # none at all is an answer too: checked by _known_reason
        validators=[_known_reason],
    )
    cancel_detail = StringField(
        "Tell us more (optional)",
        filters=[strip],
        validators=[
            Length(
                max=CANCEL_DETAIL_LENGTH,
                message=f"Keep this under {CANCEL_DETAIL_LENGTH} characters.",
            ),
            plain_text,
        ],
    )


class HostForm(FlaskForm):
    """A host's details."""

    name = StringField(
        "Name", validators=[InputRequired("Enter the host's name."), Length(max=120), plain_text]
    )
    email = EmailField(
        "Email",
        validators=[
            InputRequired("Enter their email."),
            Email("Enter a valid email."),
            Length(max=254),
            plain_text,
        ],
    )
    time_zone = StringField(
        "Time zone",
        validators=[InputRequired("Enter an IANA time zone."), Length(max=64), plain_text],
    )
    meeting_link = StringField(
        "Meeting link",
        validators=[
            InputRequired("Enter the link prospects use to join."),
            Length(max=500),
            plain_text,
            Regexp(r"^https://\S+$", message="Use a full https:// link."),
        ],
    )
    active = BooleanField("Takes calls")


class TimeOffForm(FlaskForm):
    """A stretch of time off, in the host's own time zone."""

    starts = StringField("From", validators=[InputRequired("Enter when it starts."), plain_text])
    ends = StringField("Until", validators=[InputRequired("Enter when it ends."), plain_text])
    reason = StringField("Reason (optional)", validators=[Length(max=200), plain_text])


class BlackoutForm(FlaskForm):
    """A company-wide day without calls."""

    day = StringField("Day", validators=[InputRequired("Enter the day."), plain_text])
    reason = StringField("Reason", validators=[Length(max=200), plain_text])
