"""gunicorn settings for Mortgage Connect Pro: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value comes from the environment, with a default that suits one host behind a reverse
proxy on the same machine. Options given on gunicorn's command line still win over this file.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    """An integer setting from the environment."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _flag(name: str) -> bool:
    """A yes/no setting from the environment (1, true, yes, on), off by default."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _cores() -> int:
    """CPUs this process may run on (a container's or taskset's share, not the whole box)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    """2 × cores + 1 sync workers, at most 12: each is a process with its own database
    connection, and PostgreSQL's connections are shared by every host."""
    return min(2 * cores + 1, 12)


# GUNICORN_BIND wins; else PORT alone binds all interfaces, as gunicorn itself does for
# platforms that hand out a port; else loopback, for a proxy on the same host.
_port = os.environ.get("PORT", "").strip()
bind = os.environ.get("GUNICORN_BIND", "").strip() or (
    f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000"
)

workers = _int("WEB_CONCURRENCY", default_workers(_cores()))
# More than one thread makes gunicorn use its gthread worker; 1 keeps plain sync workers.
threads = _int("GUNICORN_THREADS", 1)

# A request that takes longer than this gets its worker killed and restarted.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On restart or shutdown, requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection is held open (sync workers close after each request).
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle a worker after this many requests (plus up to the jitter, so they do not all
# restart at once): bounds any slow growth in memory. Not too often: a new worker starts
# with no kept pages (page_cache.py) and a new database connection. 0 never recycles.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)

# Off: each worker builds its own app and database engine, so no connection is shared across
# the fork. Preloading saves memory and start-up time, and then needs a full restart to reload.
preload_app = _flag("GUNICORN_PRELOAD")

# Addresses whose X-Forwarded-Proto gunicorn trusts (only to mark a request as HTTPS). The
# client address for rate limits is the app's own business: PROXY_COUNT and ProxyFix.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout and stderr, for journald or the container runtime to collect.
# GUNICORN_ACCESS_LOG=off leaves request logging to the proxy in front.
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-").strip()
accesslog = None if _access_log in ("", "off") else _access_log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

proc_name = "mortgage-connect"
# Worker heartbeats in memory: a disk-backed /tmp can stall them and get workers killed.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
