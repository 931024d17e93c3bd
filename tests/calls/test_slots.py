"""The slot engine: hours, blackouts, time off, notice, horizon, calls, caps and DST."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from mortgage_connect.calls.slots import count_per_day
from mortgage_connect.calls.slots import day_bounds
from mortgage_connect.calls.slots import free_slots
from mortgage_connect.calls.slots import free_starts
from mortgage_connect.calls.slots import host_free_starts
from mortgage_connect.calls.slots import HostCalendar
from mortgage_connect.calls.slots import hosts_free_at
from mortgage_connect.calls.slots import HoursRange
from mortgage_connect.calls.slots import local_to_utc
from mortgage_connect.calls.slots import month_bounds
from mortgage_connect.calls.slots import parse_zone
from mortgage_connect.calls.slots import Rules
from mortgage_connect.calls.slots import Spans
from mortgage_connect.calls.slots import week_load

pytestmark = pytest.mark.clock

NEW_YORK = ZoneInfo("America/New_York")
US_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
ZONES = [
    *US_ZONES,
    "America/Phoenix",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "UTC",
]
EVERY_DAY = range(7)
SPRING_FORWARD = date(2027, 3, 14)
FALL_BACK = date(2027, 11, 7)


def nine_to_five(host_id=1, zone="America/New_York", **extra) -> HostCalendar:
    hours = tuple(HoursRange(d, time(9), time(17)) for d in EVERY_DAY)
    return HostCalendar(host_id=host_id, zone=zone, hours=hours, **extra)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------------------
# Plain examples


def test_a_working_day_in_the_hosts_zone():
    now = utc(2027, 1, 1, 12)
    slots = free_slots([nine_to_five()], Rules(), set(), date(2027, 1, 5), NEW_YORK, now)
    local = [s.astimezone(NEW_YORK).strftime("%H:%M") for s in slots]
    assert local[0] == "09:00" and local[-1] == "16:30"
    assert len(local) == 16  # 20-minute calls every 30 minutes from 9:00 to 16:30


def test_several_ranges_a_day_leave_the_gap_free():
    hours = (HoursRange(1, time(9), time(12)), HoursRange(1, time(13), time(15)))
    host = HostCalendar(1, "America/Chicago", hours)
    zone = ZoneInfo("America/Chicago")
    slots = free_slots([host], Rules(), set(), date(2027, 1, 5), zone, utc(2027, 1, 1))
    local = [s.astimezone(zone).strftime("%H:%M") for s in slots]
    assert "12:00" not in local and "12:30" not in local
    assert local == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"] + [
        "13:00",
        "13:30",
        "14:00",
        "14:30",
    ]


def test_shown_in_another_zone_the_same_instants():
    host = nine_to_five()
    now = utc(2027, 1, 1)
    tokyo = ZoneInfo("Asia/Tokyo")
    ny_day = free_slots([host], Rules(), set(), date(2027, 1, 5), NEW_YORK, now)
    # 9:00 in New York on the 5th is 23:00 in Tokyo on the 5th; 10:00 is on the 6th.
    tokyo_5 = free_slots([host], Rules(), set(), date(2027, 1, 5), tokyo, now)
    tokyo_6 = free_slots([host], Rules(), set(), date(2027, 1, 6), tokyo, now)
    assert set(ny_day) <= set(tokyo_5) | set(tokyo_6)
    assert [s.astimezone(tokyo).strftime("%H:%M") for s in tokyo_5][-2:] == ["23:00", "23:30"]


def test_minimum_notice_and_horizon():
    host = nine_to_five()
    now = local_to_utc(date(2027, 1, 5), time(10, 10), NEW_YORK)
    today = free_slots([host], Rules(), set(), date(2027, 1, 5), NEW_YORK, now)
    assert today[0].astimezone(NEW_YORK).time() == time(12, 30)  # 10:10 + 2 h, on the grid
    assert free_slots([host], Rules(), set(), date(2027, 1, 25), NEW_YORK, now)
    assert free_slots([host], Rules(), set(), date(2027, 1, 26), NEW_YORK, now)[
        -1
    ] < now + timedelta(days=21)
    assert not free_slots([host], Rules(), set(), date(2027, 1, 27), NEW_YORK, now)
    assert not free_slots([host], Rules(), set(), date(2027, 1, 4), NEW_YORK, now)


def test_blackout_day_is_closed_in_the_hosts_calendar():
    host = nine_to_five()
    now = utc(2026, 12, 10)
    assert not free_slots([host], Rules(), {date(2026, 12, 25)}, date(2026, 12, 25), NEW_YORK, now)
    assert free_slots([host], Rules(), {date(2026, 12, 25)}, date(2026, 12, 24), NEW_YORK, now)


def test_time_off_and_calls_take_their_slots_away():
    start = local_to_utc(date(2027, 1, 5), time(10), NEW_YORK)
    host = nine_to_five(
        time_off=((start, start + timedelta(hours=1)),),
        calls=((start + timedelta(hours=3), start + timedelta(hours=3, minutes=20)),),
    )
    slots = free_slots([host], Rules(), set(), date(2027, 1, 5), NEW_YORK, utc(2027, 1, 1))
    local = {s.astimezone(NEW_YORK).strftime("%H:%M") for s in slots}
    assert {"10:00", "10:30", "13:00"}.isdisjoint(local)
    assert {"09:30", "11:00", "12:30", "13:30"} <= local


def test_a_slot_is_free_when_one_host_is():
    start = local_to_utc(date(2027, 1, 5), time(10), NEW_YORK)
    busy = nine_to_five(1, calls=((start, start + timedelta(minutes=20)),))
    free = nine_to_five(2)
    assert start in free_starts(
        [busy, free], Rules(), set(), start, start + timedelta(hours=1), start - timedelta(days=1)
    )
    assert hosts_free_at([busy, free], Rules(), set(), start, start - timedelta(days=1)) == [2]


def test_daily_cap_closes_the_hosts_day():
    day = date(2027, 1, 5)
    calls = tuple(
        (s, s + timedelta(minutes=20))
        for s in (local_to_utc(day, time(9 + i), NEW_YORK) for i in range(2))
    )
    host = nine_to_five(calls=calls)
    rules = Rules(host_daily_cap=2)
    assert not free_slots([host], rules, set(), day, NEW_YORK, utc(2027, 1, 1))
    assert free_slots([host], rules, set(), day + timedelta(days=1), NEW_YORK, utc(2027, 1, 1))


def test_assignment_prefers_the_host_with_fewest_calls_that_week():
    day = date(2027, 1, 6)  # a Wednesday
    at = local_to_utc(day, time(15), NEW_YORK)

    def call(d, hour):
        s = local_to_utc(d, time(hour), NEW_YORK)
        return (s, s + timedelta(minutes=20))

    busy_week = nine_to_five(1, calls=(call(date(2027, 1, 4), 9), call(date(2027, 1, 5), 9)))
    last_week = nine_to_five(2, calls=(call(date(2026, 12, 30), 9),) * 3)  # another week
    one_call = nine_to_five(3, calls=(call(date(2027, 1, 7), 9),))
    hosts = [busy_week, last_week, one_call]
    assert [week_load(h, at) for h in hosts] == [2, 0, 1]
    assert hosts_free_at(hosts, Rules(), set(), at, utc(2027, 1, 1)) == [2, 3, 1]


def test_a_start_off_the_grid_or_outside_hours_has_no_host():
    now = utc(2027, 1, 1)
    host = nine_to_five()
    off_grid = local_to_utc(date(2027, 1, 5), time(9, 10), NEW_YORK)
    evening = local_to_utc(date(2027, 1, 5), time(20), NEW_YORK)
    last = local_to_utc(date(2027, 1, 5), time(16, 50), NEW_YORK)  # would end after 17:00
    for start in (off_grid, evening, last):
        assert hosts_free_at([host], Rules(), set(), start, now) == []


def month_counts(hosts, rules, year, month, now) -> dict[date, int]:
    """Free times per local day of a month in New York, as the calendar counts them."""
    begins, ends = month_bounds(year, month, NEW_YORK)
    return count_per_day(free_starts(hosts, rules, set(), begins, ends, now), NEW_YORK)


def test_a_months_free_times_are_counted_per_day():
    host = HostCalendar(1, "America/New_York", (HoursRange(0, time(9), time(11)),))  # Mondays
    counts = month_counts([host], Rules(), 2027, 2, utc(2027, 1, 20))
    assert counts == {date(2027, 2, d): 4 for d in (1, 8)}  # horizon ends on Feb 10
    december = month_counts([host], Rules(horizon_days=60), 2026, 12, utc(2026, 11, 20))
    assert december == {date(2026, 12, d): 4 for d in (7, 14, 21, 28)}


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("America/New_York", True),
        ("UTC", True),
        ("Mars/Olympus_Mons", False),
        ("", False),
        (None, False),
        ("../../etc/passwd", False),
        ("America/" + "x" * 200, False),
    ],
)
def test_parse_zone(name, ok):
    assert (parse_zone(name) is not None) is ok


# ---------------------------------------------------------------------------
# Daylight-saving days


def whole_day_host(zone: str) -> HostCalendar:
    """Works every hour of every day (00:00 to midnight) in `zone`."""
    return HostCalendar(1, zone, tuple(HoursRange(d, time(0), time(0)) for d in EVERY_DAY))


@pytest.mark.parametrize("zone", US_ZONES)
@pytest.mark.parametrize(
    ("day", "hours"),
    [(SPRING_FORWARD, 23), (FALL_BACK, 25), (date(2027, 3, 13), 24), (date(2027, 11, 8), 24)],
)
def test_us_dst_days_have_as_many_slots_as_hours(zone, day, hours):
    tz = ZoneInfo(zone)
    now = utc(2027, 3, 1) if day.month == 3 else utc(2027, 11, 1)
    # A host in UTC works around the clock; the visitor's local day is 23, 24 or 25 h long.
    slots = free_slots([whole_day_host("UTC")], Rules(), set(), day, tz, now)
    assert len(slots) == hours * 2
    assert len(set(slots)) == len(slots) and slots == sorted(slots)


@pytest.mark.parametrize("zone", US_ZONES)
def test_working_hours_keep_their_wall_clock_times_across_dst(zone):
    tz = ZoneInfo(zone)
    host = nine_to_five(zone=zone)
    for day, now in ((SPRING_FORWARD, utc(2027, 3, 1)), (FALL_BACK, utc(2027, 11, 1))):
        before = free_slots([host], Rules(), set(), day - timedelta(days=1), tz, now)
        on = free_slots([host], Rules(), set(), day, tz, now)
        assert len(before) == len(on) == 16
        wall = [s.astimezone(tz).time() for s in on]
        assert wall == [s.astimezone(tz).time() for s in before]
        # The same wall clock is a different UTC hour on either side of the change.
        assert before[0].hour != on[0].hour


def test_hours_across_the_change_are_real_hours():
    """00:00–06:00 local on the change day is 5 hours in March and 7 in November."""
    host = HostCalendar(1, "America/New_York", (HoursRange(6, time(0), time(6)),))  # Sundays
    counts = {}
    for day, now in (
        (SPRING_FORWARD, utc(2027, 3, 1)),
        (FALL_BACK, utc(2027, 11, 1)),
        (date(2027, 3, 21), utc(2027, 3, 1)),
    ):
        counts[day] = len(free_slots([host], Rules(), set(), day, NEW_YORK, now))
    assert counts == {SPRING_FORWARD: 10, FALL_BACK: 14, date(2027, 3, 21): 12}


def test_fall_back_repeats_no_slot():
    host = HostCalendar(1, "America/New_York", (HoursRange(6, time(0), time(4)),))
    slots = free_slots([host], Rules(), set(), FALL_BACK, NEW_YORK, utc(2027, 11, 1))
    walls = [s.astimezone(NEW_YORK).strftime("%H:%M%z") for s in slots]
    assert "01:30-0400" in walls and "01:30-0500" in walls  # the hour happens twice…
    assert len(set(slots)) == len(slots) == 10  # …and each instant is offered once


def test_day_bounds_on_dst_days():
    for day, hours in ((SPRING_FORWARD, 23), (FALL_BACK, 25), (date(2027, 7, 1), 24)):
        begins, ends = day_bounds(day, NEW_YORK)
        assert ends - begins == timedelta(hours=hours)


# ---------------------------------------------------------------------------
# Properties


@st.composite
def hours_ranges(draw):
    weekday = draw(st.integers(0, 6))
    start = draw(st.integers(0, 44)) * 30
    end = draw(st.integers(start // 30 + 4, 52)) * 30
    end = min(end, 1440)
    return HoursRange(
        weekday,
        time(start // 60, start % 60),
        time(0) if end == 1440 else time(end // 60, end % 60),
    )


BASE = utc(2027, 3, 10)
instants = st.integers(0, 12 * 24 * 4).map(lambda q: BASE + timedelta(minutes=15 * q))
spans = st.tuples(instants, st.integers(1, 48 * 4)).map(
    lambda t: (t[0], t[0] + timedelta(minutes=15 * t[1]))
)


@st.composite
def host_calendars(draw, host_id):
    zone = draw(st.sampled_from(ZONES))
    calls = draw(st.lists(instants, max_size=6))
    return HostCalendar(
        host_id,
        zone,
        tuple(draw(st.lists(hours_ranges(), min_size=7, max_size=16))),
        time_off=tuple(draw(st.lists(spans, max_size=3))),
        calls=tuple((c, c + timedelta(minutes=20)) for c in calls),
    )


rules_strategy = st.builds(
    Rules,
    call_minutes=st.sampled_from([15, 20, 30, 45, 60]),
    step_minutes=st.sampled_from([15, 20, 30, 60]),
    min_notice_minutes=st.integers(0, 600),
    horizon_days=st.integers(2, 10),
    host_daily_cap=st.integers(1, 8),
)
blackout_days = st.sets(st.dates(date(2027, 3, 9), date(2027, 3, 16)), max_size=3)
soon = st.integers(0, 2 * 24 * 4).map(lambda q: BASE + timedelta(minutes=15 * q))


def inside_hours(host: HostCalendar, slot: datetime, rules: Rules) -> bool:
    """Does [slot, slot + call) lie in one of the host's ranges on its local date?"""
    day = slot.astimezone(host.tz).date()
    for hours in host.hours:
        if hours.weekday != day.weekday():
            continue
        begins = local_to_utc(day, hours.starts, host.tz)
        ends = local_to_utc(
            day + timedelta(days=1) if hours.ends == time(0) else day, hours.ends, host.tz
        )
        if begins <= slot and slot + rules.call_length <= ends:
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(
    host=host_calendars(1),
    rules=rules_strategy,
    blackouts=blackout_days,
    now=soon,
    days_ahead=st.integers(0, 3),
    zone=st.sampled_from(ZONES),
)
def test_every_offered_slot_is_really_free(host, rules, blackouts, now, days_ahead, zone):
    tz = ZoneInfo(zone)
    day = now.astimezone(tz).date() + timedelta(days=days_ahead)
    for slot in free_slots([host], rules, blackouts, day, tz, now):
        end = slot + rules.call_length
        assert slot.tzinfo is not None and slot.astimezone(tz).date() == day
        assert inside_hours(host, slot, rules)
        assert slot.astimezone(host.tz).date() not in blackouts
        assert all(not (slot < off_end and off_start < end) for off_start, off_end in host.time_off)
        assert all(not (slot < c_end and c_start < end) for c_start, c_end in host.calls)
        assert slot >= now + timedelta(minutes=rules.min_notice_minutes)
        assert slot < now + timedelta(days=rules.horizon_days)
        local_day = slot.astimezone(host.tz).date()
        same_day = [c for c, _ in host.calls if c.astimezone(host.tz).date() == local_day]
        assert len(same_day) < rules.host_daily_cap


@settings(max_examples=100, deadline=None)
@given(host=host_calendars(1), rules=rules_strategy, now=soon)
def test_no_free_grid_time_is_left_out(host, rules, now):
    """Completeness: every step from a range start that passes every rule is offered."""
    start, end = BASE, BASE + timedelta(days=4)
    offered = set(host_free_starts(host, rules, set(), start, end, now))
    busy_days = {}
    for c, _ in host.calls:
        d = c.astimezone(host.tz).date()
        busy_days[d] = busy_days.get(d, 0) + 1
    day = start.astimezone(host.tz).date() - timedelta(days=1)
    while day <= end.astimezone(host.tz).date():
        for hours in host.hours:
            if hours.weekday != day.weekday():
                continue
            slot = local_to_utc(day, hours.starts, host.tz)
            stop = local_to_utc(
                day + timedelta(days=1) if hours.ends == time(0) else day, hours.ends, host.tz
            )
            while slot + rules.call_length <= stop:
                slot_end = slot + rules.call_length
                if (
                    start <= slot < end
                    and now + timedelta(minutes=rules.min_notice_minutes) <= slot
                    and slot < now + timedelta(days=rules.horizon_days)
                    and busy_days.get(slot.astimezone(host.tz).date(), 0) < rules.host_daily_cap
                    and all(not (slot < b and a < slot_end) for a, b in host.time_off + host.calls)
                ):
                    assert slot in offered
                slot += rules.step
        day += timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(
    hosts=st.tuples(host_calendars(1), host_calendars(2), host_calendars(3)),
    rules=rules_strategy,
    blackouts=blackout_days,
    now=soon,
)
def test_union_of_hosts_and_assignment(hosts, rules, blackouts, now):
    start, end = BASE, BASE + timedelta(days=3)
    union = free_starts(hosts, rules, blackouts, start, end, now)
    each = [set(host_free_starts(h, rules, blackouts, start, end, now)) for h in hosts]
    assert set(union) == set().union(*each)
    assert union == sorted(set(union))
    for slot in union[:10]:
        chosen = hosts_free_at(hosts, rules, blackouts, slot, now)
        assert chosen and set(chosen) == {
            h.host_id for h, s in zip(hosts, each, strict=True) if slot in s
        }
        loads = [week_load(next(h for h in hosts if h.host_id == i), slot) for i in chosen]
        assert loads == sorted(loads)


# -- busy spans ------------------------------------------------------------------------------

_minutes = st.integers(min_value=0, max_value=600)


@given(
    spans=st.lists(st.tuples(_minutes, st.integers(min_value=1, max_value=240)), max_size=12),
    start=_minutes,
    length=st.integers(min_value=1, max_value=120),
)
def test_spans_answer_overlap_as_a_scan_of_every_span_would(spans, start, length):
    """Spans may overlap, nest or touch: the binary search agrees with the plain scan."""
    base = datetime(2027, 1, 4, tzinfo=UTC)
    at = [(base + timedelta(minutes=s), base + timedelta(minutes=s + n)) for s, n in spans]
    begin = base + timedelta(minutes=start)
    end = begin + timedelta(minutes=length)
    expected = any(begin < span_end and span_start < end for span_start, span_end in at)
    assert Spans(at).overlaps(begin, end) == expected


def test_a_long_span_hidden_behind_shorter_ones_still_counts():
    base = datetime(2027, 1, 4, 9, tzinfo=UTC)
    spans = Spans(
        [
            (base, base + timedelta(hours=5)),  # long, first
            (base + timedelta(minutes=30), base + timedelta(minutes=50)),
        ]
    )
    assert spans.overlaps(base + timedelta(hours=3), base + timedelta(hours=3, minutes=20))
    assert not spans.overlaps(base + timedelta(hours=5), base + timedelta(hours=6))
