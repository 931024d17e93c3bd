"""The slot engine: which start times are free, for which hosts, in any time zone.

Pure functions on plain data (`Rules`, `HostCalendar`): no database, no Flask, so every rule
of when a call can start is tested on its own. booking.py loads the data and decides under
its locks; the calendar widget counts and lists what this finds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from functools import cached_property
from functools import lru_cache
from zoneinfo import available_timezones
from zoneinfo import ZoneInfo

MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class Rules:
    """The calendar's configuration, with the defaults docs/product.md states."""

    call_minutes: int = 20
    step_minutes: int = 30
    min_notice_minutes: int = 120
    horizon_days: int = 21
    host_daily_cap: int = 8

    @classmethod
    def from_config(cls, config: Mapping) -> Rules:
        """The rules as configured on the app (CALL_MINUTES, SLOT_STEP_MINUTES, ...)."""
        return cls(
            call_minutes=int(config.get("CALL_MINUTES", cls.call_minutes)),
            step_minutes=int(config.get("SLOT_STEP_MINUTES", cls.step_minutes)),
            min_notice_minutes=int(config.get("MIN_NOTICE_MINUTES", cls.min_notice_minutes)),
            horizon_days=int(config.get("HORIZON_DAYS", cls.horizon_days)),
            host_daily_cap=int(config.get("HOST_DAILY_CAP", cls.host_daily_cap)),
        )

    @property
    def call_length(self) -> timedelta:
        return timedelta(minutes=self.call_minutes)

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.step_minutes)

    def earliest(self, now: datetime) -> datetime:
        """The first moment a call may start (minimum notice)."""
        return now + timedelta(minutes=self.min_notice_minutes)

    def latest(self, now: datetime) -> datetime:
        """Calls must start before this moment (the horizon)."""
        return now + timedelta(days=self.horizon_days)


@dataclass(frozen=True)
class HoursRange:
    """Working hours on one weekday (0 = Monday), local to the host; ends 00:00 = midnight."""

    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True)
class HostCalendar:
    """Everything the engine needs to know about one host, as plain values."""

    host_id: int
    zone: str
    hours: tuple[HoursRange, ...]
    time_off: tuple[tuple[datetime, datetime], ...] = ()
    calls: tuple[tuple[datetime, datetime], ...] = ()  # confirmed calls, UTC
    tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "tz", ZoneInfo(self.zone))

    @cached_property
    def busy_calls(self) -> Spans:
        return Spans(self.calls)

    @cached_property
    def busy_off(self) -> Spans:
        return Spans(self.time_off)


# ---------------------------------------------------------------------------
# Time zones


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (for the zone picker)."""
    return tuple(sorted(available_timezones()))


def parse_zone(name: str | None) -> ZoneInfo | None:
    """The zone for an IANA name, or None when the name is not a known zone."""
    if not name or len(name) > 64 or name not in _known_zones():
        return None
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(time_zone_names())


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time on a local date as a UTC instant.

    A time skipped by a spring-forward change moves forward with the clock (02:30 becomes
    03:30), and a repeated time at a fall-back change is its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local day begins and ends (23, 24 or 25 hours apart)."""
    return local_to_utc(day, MIDNIGHT, tz), local_to_utc(day + timedelta(days=1), MIDNIGHT, tz)


# ---------------------------------------------------------------------------
# The engine


class Spans:
    """Busy time spans, sorted once, so "does [start, end) overlap any?" is a binary search."""

    def __init__(self, spans: Iterable[tuple[datetime, datetime]]):
        ordered = sorted(spans)
        self._starts = [span_start for span_start, _ in ordered]
        # The latest end among the spans so far: spans may overlap, and a long one may hide
        # behind later, shorter ones.
        self._latest_end: list[datetime] = []
        for _, span_end in ordered:
            latest = self._latest_end[-1] if self._latest_end else span_end
            self._latest_end.append(max(latest, span_end))

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether any span starts before `end` and ends after `start`."""
        before_end = bisect.bisect_left(self._starts, end)  # spans starting before `end`
        return before_end > 0 and self._latest_end[before_end - 1] > start


def open_windows(
    host: HostCalendar, blackouts: frozenset[date] | set[date], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The host's working ranges (UTC) on every local date that touches [start, end)."""
    windows = []
    first = start.astimezone(host.tz).date() - timedelta(days=1)
    last = end.astimezone(host.tz).date() + timedelta(days=1)
    day = first
    while day <= last:
        if day not in blackouts:
            for hours in host.hours:
                if hours.weekday != day.weekday():
                    continue
                begins = local_to_utc(day, hours.starts, host.tz)
                if hours.ends == MIDNIGHT:
                    ends = local_to_utc(day + timedelta(days=1), MIDNIGHT, host.tz)
                else:
                    ends = local_to_utc(day, hours.ends, host.tz)
                if begins < ends and begins < end and start < ends:
                    windows.append((begins, ends))
        day += timedelta(days=1)
    return sorted(windows)


def _calls_per_local_day(host: HostCalendar) -> dict[date, int]:
    counts: dict[date, int] = {}
    for call_start, _ in host.calls:
        local_day = call_start.astimezone(host.tz).date()
        counts[local_day] = counts.get(local_day, 0) + 1
    return counts


def host_free_starts(
    host: HostCalendar,
    rules: Rules,
    blackouts: frozenset[date] | set[date],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[datetime]:
    """Start times in [start, end) when this host can take a new call.

    Slots run on the step from the start of each working range; a slot must end inside
    the range, respect the minimum notice and the horizon, miss time off and the host's
    confirmed calls, and fall on a local day where the host is under the daily cap.
    """
    earliest = max(start, rules.earliest(now))
    latest = min(end, rules.latest(now))
    if earliest >= latest:
        return []
    per_day = _calls_per_local_day(host)
    step, length, cap = rules.step, rules.call_length, rules.host_daily_cap
    free = []
    for begins, ends in open_windows(host, blackouts, earliest, latest):
        slot = begins
        if slot < earliest:
            skipped = -((begins - earliest) // step)  # ceiling division
            slot = begins + skipped * step
        while slot + length <= ends and slot < latest:
            slot_end = slot + length
            if (
                per_day.get(slot.astimezone(host.tz).date(), 0) < cap
                and not host.busy_off.overlaps(slot, slot_end)
                and not host.busy_calls.overlaps(slot, slot_end)
            ):
                free.append(slot)
            slot += step
    return free


def free_starts(
    hosts: Iterable[HostCalendar],
    rules: Rules,
    blackouts: frozenset[date] | set[date],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[datetime]:
    """Start times in [start, end) when at least one host is free, sorted, each once."""
    found: set[datetime] = set()
    for host in hosts:
        found.update(host_free_starts(host, rules, blackouts, start, end, now))
    return sorted(found)


def free_slots(
    hosts: Iterable[HostCalendar],
    rules: Rules,
    blackouts: frozenset[date] | set[date],
    day: date,
    tz: ZoneInfo,
    now: datetime,
) -> list[datetime]:
    """Free start times (UTC) on one local day in the visitor's zone."""
    begins, ends = day_bounds(day, tz)
    return on_day(free_starts(hosts, rules, blackouts, begins, ends, now), day, tz)


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local month begins and ends."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return day_bounds(date(year, month, 1), tz)[0], day_bounds(following, tz)[0]


def count_per_day(starts: Iterable[datetime], tz: ZoneInfo) -> dict[date, int]:
    """How many of these start times fall on each local day."""
    counts: dict[date, int] = {}
    for start in starts:
        local_day = start.astimezone(tz).date()
        counts[local_day] = counts.get(local_day, 0) + 1
    return counts


def on_day(starts: Iterable[datetime], day: date, tz: ZoneInfo) -> list[datetime]:
    """The start times that fall on a local day."""
    return [start for start in starts if start.astimezone(tz).date() == day]


def week_load(host: HostCalendar, at: datetime) -> int:
    """How many calls the host has in the local (Monday to Sunday) week that contains `at`."""
    week = at.astimezone(host.tz).isocalendar()[:2]
    return sum(
        1
        for call_start, _ in host.calls
        if call_start.astimezone(host.tz).isocalendar()[:2] == week
    )


def hosts_free_at(
    hosts: Iterable[HostCalendar],
    rules: Rules,
    blackouts: frozenset[date] | set[date],
    start: datetime,
    now: datetime,
) -> list[int]:
    """Ids of the hosts free at `start`, the one with the fewest calls that week first."""
    end = start + rules.call_length
    free = [
        host for host in hosts if start in host_free_starts(host, rules, blackouts, start, end, now)
    ]
    free.sort(key=lambda host: (week_load(host, start), host.host_id))
    return [host.host_id for host in free]
