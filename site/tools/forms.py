"""The calculator's form: sixteen numbers, typed as text, checked by the calculator's rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField

from . import calculator
from .calculator import COUNT


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
