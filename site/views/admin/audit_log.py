"""The audit log: read-only, paginated, filtered by action and by what was changed."""

from __future__ import annotations

from flask import render_template
from flask import request

from ... import audit as audit_service
from .blueprint import bp

PER_PAGE = 50


def _text_arg(name: str) -> str:
    """A short filter value from the query string ('' when absent, absurdly long or binary)."""
    value = request.args.get(name, "").strip()
    return value if len(value) <= 64 and value.isprintable() else ""


@bp.get("/audit")
def audit():
    """Every recorded change, newest first."""
    page_number = request.args.get("page", 1, type=int)
    page_number = page_number if page_number and 0 < page_number < 1_000_000 else 1
    filters = {
        "action": _text_arg("action"),
        "entity_type": _text_arg("entity_type"),
        "entity_id": _text_arg("entity_id"),
    }
    rows = audit_service.page(page_number, PER_PAGE, **filters)
    actions, entity_types = audit_service.filter_choices()
    return render_template(
        "admin/audit.html",
        rows=rows,
        filters={k: v for k, v in filters.items() if v},
        actions=actions,
        entity_types=entity_types,
    )
