"""Contact details: the forms and the services that store them apply one set of rules, so a
detail the join form accepts is one the waitlist keeps, and one it refuses, the service
refuses too, with the same words."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from mortgage_connect import contact
from mortgage_connect.waitlist import places
from mortgage_connect.waitlist.forms import WaitlistForm
from tests.factories import full_market

VALID = {
    "name": "Ann Lee",
    "email": "ann@lender.example",
    "phone": "214-555-0187",
    "company": "Lone Star Lending",
    "nmls_id": "123456",
}
CASES = [
    ("email", "ann@lender"),
    ("email", "ann@@lender.example"),
    ("email", "ann lee@lender.example"),
    ("email", "ann@lender..example"),
    ("email", "a" * 250 + "@x.example"),
    ("email", "Zoë.Ünal@lender.example"),
    ("email", "ANN@Lender.Example"),
    ("phone", "call me"),
    ("phone", "555-01"),
    ("phone", "+1 (214) 555-0187"),
    ("nmls_id", "12a"),
    ("nmls_id", "١٢٣"),
    ("nmls_id", "1234567890123"),
    ("name", "x" * 121),
    ("company", "x" * 161),
]


@pytest.mark.parametrize(("field", "value"), CASES)
def test_the_join_form_and_the_waitlist_agree(app, field, value):
    market, _ = full_market()
    details = {**VALID, field: value}
    with app.test_request_context(method="POST", data=details):
        form = WaitlistForm(formdata=MultiDict(details), meta={"csrf": False})
        form_accepts = form.validate()
        form_message = (form.errors.get(field) or [None])[0]
    try:
        places.join(market.id, **details)
    except contact.InvalidContact as error:
        service_accepts, service_message = False, error.message
    else:
        service_accepts, service_message = True, None
    assert form_accepts == service_accepts, (form.errors, service_message)
    if not service_accepts:
        assert form_message == service_message


def test_emails_compare_without_case_or_space():
    assert contact.normalize_email("  Ann@Lender.EXAMPLE ") == "ann@lender.example"
