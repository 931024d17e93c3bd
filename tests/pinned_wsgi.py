"""The WSGI entry point the tests' gunicorn runs: the site, its clock pinned when the test's is.

Each worker imports this after the fork and starts its own time-machine travel, at the
distance from the real clock the test handed over (TEST_CLOCK_OFFSET), so a race test at a
pinned instant sees the same "now" in the test process and in every worker.
"""

import os

from mortgage_connect import create_app
from tests.clock import follow

follow(os.environ.get("TEST_CLOCK_OFFSET"))

app = create_app()
