"""The tests' hold on the site's one clock (`mortgage_connect.clock`), through time-machine.

A process that starts afresh (a gunicorn worker, a forkserver racer) does not inherit the
test's pinned clock: it is handed `handover()` and calls `follow(...)` with it. What is handed
over is the pinned clock's distance from the real one, not an instant, so every process reads
the same "now" at the same moment however late it starts: a cookie or CSRF token signed in one
worker is never "from the future" in another.
"""

from __future__ import annotations

import time

import time_machine

from mortgage_connect.clock import utcnow


def handover() -> str | None:
    """Seconds from the real clock to the test's pinned one, or None when it is not pinned."""
    if not time_machine.escape_hatch.is_travelling():
        return None
    return repr(utcnow().timestamp() - time_machine.escape_hatch.time.time())


def follow(offset: str | None) -> None:
    """In a new process: keep the clock the handed-over distance from the real one."""
    if offset:
        time_machine.travel(time.time() + float(offset)).start()  # not travelling yet: real
        # time-machine starts the clock ticking at its first reading, not at start(): read it
        # now, or a worker that idles before its first request would run behind the others.
        time.time()
