"""Markets: live seat availability and written pricing."""

from flask import Blueprint

bp = Blueprint("markets", __name__)


@bp.get("/markets/")
def index():
    """Every market with its status."""
    return "markets"
