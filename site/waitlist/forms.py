"""The waitlist's forms: joining, and confirming a leave or a declined offer."""

from __future__ import annotations

from flask_wtf import FlaskForm

from ..web.forms import ContactForm


class WaitlistForm(ContactForm):
    """The details someone gives to join a full market's waitlist (docs/product.md)."""


class ConfirmWaitlistForm(FlaskForm):
    """A bare POST form (CSRF only) behind a confirmation page: leave, or decline an offer."""
