"""The one clock: every "now" in the site comes from `utcnow()`, so tests can pin it.

Tests pin it with time-machine (in the test process, and in the gunicorn workers the race and
browser tests start, through `tests/pinned_wsgi.py`); `make test-clock` runs the date-sensitive
tests at awkward instants. Durations (timeouts, cache ages) use `time.monotonic`, not this.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import UTC


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def utc_today() -> date:
    """Today's date in UTC."""
    return utcnow().date()
