"""Contact details people give us (name, email, phone, company, NMLS ID): one set of rules,
used by the forms people fill in (web/forms.py) and by the services that store the details
(the waitlist, booking), so that a form and a service never disagree about what is valid."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError
from email_validator import validate_email

from .domain import DomainError

# The longest value each detail may have (the columns are as long).
LIMITS = {"name": 120, "email": 254, "phone": 40, "company": 160}
REQUIRED = {
    "name": "Enter your name.",
    "email": "Enter your email address.",
    "phone": "Enter a phone number.",
    "company": "Enter your company's name.",
}
EMAIL_MESSAGE = "Enter an email address like name@example.com."
PHONE_MESSAGE = "Enter a phone number with its area code, such as 214-555-0187."
NMLS_MESSAGE = "An NMLS ID is digits only (up to 12)."


def too_long(key: str) -> str:
    """What to say when a detail is longer than its column."""
    return f"Keep the {key} to {LIMITS[key]} characters."


class InvalidContact(DomainError, ValueError):
    """A contact detail that can't be accepted; the message says what to type instead."""


def normalize_email(email: str | None) -> str:
    """The form emails are compared in: without case or surrounding space."""
    return (email or "").strip().lower()


def check_email(email: str | None) -> str:
    """The address, trimmed, if email-validator accepts it (no DNS lookup); else InvalidContact."""
    text = (email or "").strip()
    if len(text) > LIMITS["email"]:
        raise InvalidContact(EMAIL_MESSAGE)
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidContact(EMAIL_MESSAGE) from None
    return text


def check_phone(phone: str | None) -> str:
    """A phone number as people write it: 7 to 15 digits with spaces, dots, dashes, brackets or
    a leading +; else InvalidContact."""
    text = (phone or "").strip()
    digits = re.sub(r"\D", "", text)
    if not re.fullmatch(r"\+?[\d\s().\-]+", text) or not 7 <= len(digits) <= 15:
        raise InvalidContact(PHONE_MESSAGE)
    return text


def check_nmls_id(nmls_id: str | None) -> str | None:
    """An NMLS ID (digits, up to 12), None when none was given; else InvalidContact."""
    text = (nmls_id or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,12}", text, flags=re.ASCII):
        raise InvalidContact(NMLS_MESSAGE)
    return text


def check_details(name, email, phone, company, nmls_id=None) -> dict:
    """Every detail checked and trimmed, as a service stores them; else InvalidContact."""
    values = {
        "name": (name or "").strip(),
        "email": (email or "").strip(),
        "phone": (phone or "").strip(),
        "company": (company or "").strip(),
    }
    for key, value in values.items():
        if not value:
            raise InvalidContact(REQUIRED[key])
        if key != "email" and len(value) > LIMITS[key]:  # an email's length is check_email's
            raise InvalidContact(too_long(key))
    values["email"] = check_email(values["email"])
    values["phone"] = check_phone(values["phone"])
    values["nmls_id"] = check_nmls_id(nmls_id)
    return values
