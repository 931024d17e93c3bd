"""The admin's market forms: seat caps, price sheets, new markets, seats and holds."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import StopValidation

from ..capacity import MAX_CAP
from ..web.forms import plain_text

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class WholeNumberField(StringField):
    """A whole number typed as text: clear messages for anything else, the input kept."""

    def __init__(self, label, low: int, high: int, **kwargs):
        super().__init__(label, **kwargs)
        self.low, self.high = low, high
        self.raw = ""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        digits = self.raw.replace(",", "")
        self.data = (
            int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 else None
        )

    def _value(self):
        return self.raw if self.raw else ("" if self.data is None else str(self.data))

    def pre_validate(self, form):
        if self.data is None or not self.low <= self.data <= self.high:
            raise StopValidation(f"Enter a whole number from {self.low:,} to {self.high:,}.")


MONEY_RE = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?")


class MoneyField(StringField):
    """Dollars and cents typed as text ("85", "1,250.50", "$85.5"), kept as whole cents."""

    def __init__(self, label, low_cents: int, high_cents: int, **kwargs):
        super().__init__(label, **kwargs)
        self.low, self.high = low_cents, high_cents
        self.raw = ""
        self.problem = ""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data, self.problem = None, ""
        match = MONEY_RE.fullmatch(self.raw) if self.raw.isascii() and len(self.raw) < 20 else None
        if match is None:
            self.problem = "Enter an amount in dollars, like 85 or 85.50."
            return
        dollars, cents = match.group(1).replace(",", ""), match.group(2) or ""
        if len(cents) > 2:
            self.problem = "Use at most two decimals: dollars and cents, like 85.50."
            return
        self.data = int(dollars) * 100 + int(cents.ljust(2, "0"))

    def _value(self):
        if self.raw:
            return self.raw
        if self.data is None:
            return ""
        dollars, cents = divmod(self.data, 100)
        return f"{dollars}.{cents:02d}"

    def pre_validate(self, form):
        if self.problem:
            raise StopValidation(self.problem)
        if self.data is None or not self.low <= self.data <= self.high:
            raise StopValidation(
                f"Enter an amount from ${self.low / 100:,.2f} to ${self.high / 100:,.2f}."
            )


class VersionedForm(FlaskForm):
    """An edit of a market, made on the version the editor saw."""

    version = HiddenField()

    def expected_version(self) -> int | None:
        """The version the form was loaded with; None when missing or garbled."""
        value = (self.version.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class CapForm(VersionedForm):
    """A market's seat cap."""

    seat_cap = WholeNumberField("Seat cap", 0, MAX_CAP)
    confirm = HiddenField()


class PriceForm(VersionedForm):
    """A new price sheet for a market."""

    price_per_lead = MoneyField("Price per lead ($)", 1, 10_000_00)
    monthly_minimum_leads = WholeNumberField("Monthly minimum (leads)", 0, 10_000)
    setup_fee = MoneyField("Setup fee ($)", 0, 1_000_000_00)
    return_window_days = WholeNumberField("Return window (days)", 0, 365)
    credit_policy = TextAreaField(
        "Credit policy",
        validators=[
            InputRequired("Describe the credit policy."),
            Length(max=2000, message="Keep the credit policy under 2,000 characters."),
            plain_text,
        ],
    )

    def sheet_values(self) -> dict:
        """The validated values, as capacity.change_prices takes them."""
        return {
            "price_per_lead_cents": self.price_per_lead.data,
            "monthly_minimum_leads": self.monthly_minimum_leads.data,
            "setup_fee_cents": self.setup_fee.data,
            "return_window_days": self.return_window_days.data,
            "credit_policy": self.credit_policy.data.strip(),
        }


class MarketForm(PriceForm):
    """A new market with its first price sheet."""

    name = StringField(
        "Name", validators=[InputRequired("Enter the market's name."), Length(max=120), plain_text]
    )
    official_name = StringField(
        "Official metro area name",
        validators=[InputRequired("Enter the official name."), Length(max=200), plain_text],
    )
    slug = StringField(
        "Web address",
        validators=[
            InputRequired("Enter a web address."),
            Length(max=80),
            plain_text,
            Regexp(SLUG_PATTERN, message="Use lowercase letters and digits joined by hyphens."),
        ],
    )
    states = StringField(
        "States",
        validators=[InputRequired("Enter the state codes, like TX or NY-NJ."), plain_text],
    )
    time_zone = StringField(
        "Time zone",
        validators=[InputRequired("Enter an IANA time zone."), Length(max=64), plain_text],
    )
    aliases = StringField("Other names and cities", validators=[Length(max=2000), plain_text])
    seat_cap = WholeNumberField("Seat cap", 0, MAX_CAP)


class PersonForm(FlaskForm):
    """A loan officer to seat, or to hold a seat for."""

    name = StringField(
        "Name",
        validators=[InputRequired("Enter the loan officer's name."), Length(max=120), plain_text],
    )
    email = EmailField(
        "Email",
        validators=[
            InputRequired("Enter their email address."),
            Email("Enter a valid email."),
            Length(max=254),
            plain_text,
        ],
    )
    company = StringField("Company", validators=[Length(max=160), plain_text])
    nmls_id = StringField(
        "NMLS ID (optional)",
        validators=[
            Optional(),
            plain_text,
            Regexp(r"^\d{1,12}$", message="An NMLS ID is up to 12 digits."),
        ],
    )


class HoldForm(PersonForm):
    """A seat held for someone for a number of hours."""

    hours = WholeNumberField("Hold for (hours)", 1, 24 * 90, default=48)
