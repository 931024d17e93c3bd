"""The audit log as staff read it: a page at a time, filtered, the latest changes."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from ..extensions import db
from ..models import AuditLog
from ..paging import Paged
from ..paging import paginate


def page(
    number: int | None, per_page: int = 50, action: str = "", entity_type: str = "", entity_id=""
) -> Paged:
    """One page of audit rows, newest first, optionally filtered."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    if entity_type:
        query = query.where(AuditLog.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditLog.entity_id == str(entity_id))
    return paginate(query, number, per_page)


def recent(limit: int = 10) -> list[AuditLog]:
    """The latest changes, newest first."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def filter_choices() -> tuple[list[str], list[str]]:
    """Every action and entity type that occurs in the log, for the filter menus."""
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action))
    types = db.session.scalars(
        select(AuditLog.entity_type).distinct().order_by(AuditLog.entity_type)
    )
    return list(actions), list(types)


def count() -> int:
    """How many audit rows there are."""
    return db.session.scalar(select(func.count(AuditLog.id))) or 0
