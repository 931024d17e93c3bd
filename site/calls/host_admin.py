"""What the admin's hosts screens do: a host's details, weekly hours, time off; blackout days.

Every change is recorded in the audit log in the same transaction.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from ..database import write_transaction
from ..domain import DomainError
from ..domain import NotFound
from ..extensions import db
from ..models import BlackoutDay
from ..models import Host
from ..models import TimeOff
from ..models import WeeklyHours
from . import slots

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class HostError(DomainError):
    """A change to a host, their hours or the blackout days that can't be made as asked."""


def hosts() -> list[Host]:
    """Every host, by name, with their hours."""
    query = select(Host).options(selectinload(Host.hours)).order_by(Host.name)
    return list(db.session.scalars(query))


def get_host(host_id: int) -> Host | None:
    """A host with hours and time off, or None."""
    return db.session.scalars(
        select(Host)
        .where(Host.id == host_id)
        .options(selectinload(Host.hours), selectinload(Host.time_off))
    ).one_or_none()


def _details(host: Host) -> dict:
    return {
        "name": host.name,
        "email": host.email,
        "time_zone": host.time_zone,
        "meeting_link": host.meeting_link,
        "active": host.active,
    }


def save_host(actor: audit.Actor, host_id: int | None, values: dict) -> Host:
    """Add a host, or change one's name, email, zone, meeting link and whether they take calls."""
    if slots.parse_zone(values["time_zone"]) is None:
        raise HostError(f"“{values['time_zone']}” is not an IANA time zone.")
    with write_transaction() as session:
        clash = session.scalar(
            select(Host.id).where(Host.email == values["email"], Host.id != (host_id or 0))
        )
        if clash is not None:
            raise HostError(f"Another host already uses {values['email']}.")
        if host_id is None:
            host, before = Host(**values), None
            session.add(host)
        else:
            host = session.get(Host, host_id)
            if host is None:
                raise NotFound("That host doesn't exist.")
            before = _details(host)
            for key, value in values.items():
                setattr(host, key, value)
        session.flush()
        audit.record(actor, "host.save", ("host", host.id), before, _details(host))
    return host


def _week(host: Host) -> dict:
    """A host's hours as {"Monday": "09:00–17:00", ...} for the audit log."""
    return {
        WEEKDAYS[weekday]: ", ".join(f"{r.starts:%H:%M}–{r.ends:%H:%M}" for r in day)
        for weekday, day in hours_by_weekday(host).items()
    }


def hours_by_weekday(host: Host) -> dict[int, list[WeeklyHours]]:
    """A host's working ranges grouped by weekday (0 = Monday), each day in order."""
    days: dict[int, list[WeeklyHours]] = {}
    for r in sorted(host.hours, key=lambda r: (r.weekday, r.starts)):
        days.setdefault(r.weekday, []).append(r)
    return days


def set_hours(actor: audit.Actor, host_id: int, ranges: dict[int, list[tuple[time, time]]]):
    """Replace a host's weekly hours: any number of ranges per weekday (none is a day off)."""
    with write_transaction() as session:
        host = session.scalars(
            select(Host).where(Host.id == host_id).options(selectinload(Host.hours))
        ).one_or_none()
        if host is None:
            raise NotFound("That host doesn't exist.")
        before = _week(host)
        host.hours.clear()
        for weekday, spans in sorted(ranges.items()):
            for starts, ends in spans:
                host.hours.append(WeeklyHours(weekday=weekday, starts=starts, ends=ends))
        session.flush()
        audit.record(actor, "host.hours", ("host", host.id), before, _week(host))


def add_time_off(actor: audit.Actor, host_id: int, starts: datetime, ends: datetime, reason: str):
    """Block a stretch of a host's time (UTC moments)."""
    if ends <= starts:
        raise HostError("The time off must end after it starts.")
    with write_transaction() as session:
        if session.get(Host, host_id) is None:
            raise NotFound("That host doesn't exist.")
        off = TimeOff(host_id=host_id, starts_at=starts, ends_at=ends, reason=reason)
        session.add(off)
        session.flush()
        after = {"starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "reason": reason}
        audit.record(actor, "host.time_off.add", ("host", host_id), None, after)


def remove_time_off(actor: audit.Actor, time_off_id: int) -> int:
    """Remove a stretch of time off; returns the host's id."""
    with write_transaction() as session:
        off = session.get(TimeOff, time_off_id)
        if off is None:
            raise NotFound("That time off was removed already.")
        before = {"starts_at": off.starts_at.isoformat(), "ends_at": off.ends_at.isoformat()}
        host_id = off.host_id
        session.delete(off)
        audit.record(actor, "host.time_off.remove", ("host", host_id), before, None)
    return host_id


def blackout_days() -> list[BlackoutDay]:
    """Company-wide days without calls, in date order."""
    return list(db.session.scalars(select(BlackoutDay).order_by(BlackoutDay.day)))


def add_blackout(actor: audit.Actor, day: date, reason: str) -> None:
    """Close the calendar on a day for everyone."""
    with write_transaction() as session:
        if session.scalar(select(BlackoutDay.id).where(BlackoutDay.day == day)) is not None:
            raise HostError(f"{day.isoformat()} is already a blackout day.")
        session.add(BlackoutDay(day=day, reason=reason))
        audit.record(
            actor, "blackout.add", ("blackout_day", day.isoformat()), None, {"reason": reason}
        )


def remove_blackout(actor: audit.Actor, blackout_id: int) -> None:
    """Open the calendar again on a blackout day."""
    with write_transaction() as session:
        found = session.get(BlackoutDay, blackout_id)
        if found is None:
            raise NotFound("That blackout day was removed already.")
        before = {"reason": found.reason}
        audit.record(actor, "blackout.remove", ("blackout_day", found.day.isoformat()), before)
        session.delete(found)
