"""The audit trail: who changed what, when, from where, with the values before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from .extensions import db
from .models import AuditLog

COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a signed-in staff member, or the command line."""

    staff_id: int | None
    label: str
    address: str | None = None

    @classmethod
    def staff(cls, staff, address: str | None = None) -> Actor:
        """A signed-in staff member at a client address."""
        return cls(staff.id, staff.email, address)

    @classmethod
    def command_line(cls) -> Actor:
        """An operator running a `flask` command on the server."""
        return cls(None, COMMAND_LINE, None)


def _entity(entity) -> tuple[str, str]:
    """(type, id) of a model instance, or of a ("type", id) pair."""
    if isinstance(entity, tuple):
        kind, ident = entity
        return str(kind), "" if ident is None else str(ident)
    if getattr(entity, "id", None) is None:
        db.session.flush()  # a new row: give it its id, still inside the caller's transaction
    return entity.__tablename__, str(entity.id)


def _json(values: dict | None) -> str | None:
    """Values as stable JSON text (dates and decimals as strings)."""
    if values is None:
        return None
    return json.dumps(values, sort_keys=True, default=str)


def record(
    actor: Actor,
    action: str,
    entity,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditLog:
    """Add an audit row to the caller's transaction; the caller commits (or rolls back) it."""
    entity_type, entity_id = _entity(entity)
    row = AuditLog(
        staff_id=actor.staff_id,
        actor=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=_json(before),
        after=_json(after),
        address=actor.address,
    )
    db.session.add(row)
    return row


def _refuse_change(mapper, connection, target):
    """Audit rows are written once and never changed or removed through the ORM."""
    raise PermissionError("audit rows cannot be changed or deleted")


event.listen(AuditLog, "before_update", _refuse_change)
event.listen(AuditLog, "before_delete", _refuse_change)


def page(number: int, per_page: int = 50, action: str = "", entity_type: str = "", entity_id=""):
    """One page of audit rows, newest first, optionally filtered."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    if entity_type:
        query = query.where(AuditLog.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditLog.entity_id == str(entity_id))
    return db.paginate(query, page=number, per_page=per_page, error_out=False, count=True)


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
