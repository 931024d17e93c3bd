"""Interactive tools: the cost-per-funded-loan calculator."""

from flask import Blueprint

bp = Blueprint("tools", __name__)


@bp.get("/tools/cost-per-funded-loan")
def cost_per_funded_loan():
    """The calculator."""
    return "calculator"
