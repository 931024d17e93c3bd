"""Interactive tools: the cost-per-funded-loan calculator."""

from __future__ import annotations

from flask import Blueprint
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for

from ..web.htmx import vary_on_htmx
from ..web.htmx import wants_fragment
from . import calculator
from .forms import CostPerFundedLoanForm

bp = Blueprint("tools", __name__)

# The figures the results table and the chart show, in funnel order.
METRICS = (
    ("per_lead", "Cost per lead"),
    ("per_conversation", "Cost per conversation"),
    ("per_appointment", "Cost per appointment"),
    ("per_funded", "Cost per funded loan"),
)


@bp.get("/tools/cost-per-funded-loan")
def cost_per_funded_loan():
    """The calculator; the inputs live in the query string, htmx gets only the results."""
    given = any(name in request.args for name in calculator.PARAM_NAMES)
    if given:
        form = CostPerFundedLoanForm(formdata=request.args)
    else:
        form = CostPerFundedLoanForm(formdata=None, data=calculator.EXAMPLE)
    form.validate()
    outcome = form.outcome
    context = {
        "form": form,
        "outcome": outcome,
        "sources": calculator.SOURCES,
        "fields": calculator.FIELDS,
        "metrics": METRICS,
        "money": calculator.format_money,
        "share_url": url_for("tools.cost_per_funded_loan", **outcome.values),
    }
    if wants_fragment():
        response = make_response(render_template("tools/_results.html", oob=True, **context))
    else:
        response = make_response(render_template("tools/cost_per_funded_loan.html", **context))
    return vary_on_htmx(response)
