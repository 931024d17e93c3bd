"""Configuration: safe defaults, overridden from the environment."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

HTMX_VERSION = "2.0.11"


def _int(name: str, default: int) -> int:
    """Read an integer setting from the environment."""
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def _flag(name: str, default: bool = False) -> bool:
    """Read a yes/no setting from the environment (1, true, yes, on)."""
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


REMINDER_OFFSETS = (24 * 60, 60)  # a day and an hour before the call


def reminder_offsets(value: str) -> tuple[int, ...]:
    """REMINDER_OFFSETS_MINUTES: minutes before a call, separated by commas or spaces, longest
    first; empty for the default, "none" for no reminders. ValueError for anything else."""
    value = value.strip()
    if not value:
        return REMINDER_OFFSETS
    if value.lower() == "none":
        return ()
    offsets = {int(word) for word in re.split(r"[\s,]+", value) if word}
    if any(minutes <= 0 for minutes in offsets):
        raise ValueError(f"REMINDER_OFFSETS_MINUTES: minutes must be above 0, not {value!r}")
    return tuple(sorted(offsets, reverse=True))


def database_url(instance_path: str) -> str:
    """The SQLAlchemy URL: DATABASE_URL, else SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "mortgage_connect.db")
    # Hosting platforms hand out postgres:// URLs; we talk to PostgreSQL through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = Path(instance_path) / "secret_key"
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    key = ""
    for _ in range(50):  # another worker may be mid-write
        key = path.read_text().strip()
        if key:
            break
    if not key:
        raise RuntimeError(f"{path} is empty; delete it or set SECRET_KEY")
    return key


def rate_limit_storage_options(storage_uri: str) -> dict:
    """Client options for the rate-limit storage: Redis gets a second to answer, no more."""
    if not storage_uri.startswith("redis"):
        return {}
    # Redis answers in a millisecond. A host that is down may not even refuse the connection:
    # without a timeout each limited request would wait on it instead of falling back at once.
    return {"socket_connect_timeout": 1, "socket_timeout": 1}


def secret_key_fallbacks() -> list[str]:
    """SECRET_KEY_FALLBACKS: earlier keys, separated by spaces or commas, that still verify."""
    value = os.environ.get("SECRET_KEY_FALLBACKS", "")
    return [key for key in re.split(r"[\s,]+", value) if key]


def from_environment(instance_path: str) -> dict:
    """All settings, each with its default, as a mapping for app.config."""
    site_url = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    https = site_url.startswith("https://")
    return {
        "SITE_URL": site_url,
        "SITE_NAME": "Mortgage Connect Pro",
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # Keys retired by a rotation: they still verify sessions, CSRF tokens and the private
        # links in emails, while SECRET_KEY signs everything new (README: Rotating SECRET_KEY).
        "SECRET_KEY_FALLBACKS": secret_key_fallbacks(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CONTENT_DIR": os.environ.get(
            "CONTENT_DIR", str(Path(__file__).resolve().parent.parent / "content")
        ),
        # Request size limits: our forms are small; anything larger is refused with 413.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 64 * 1024),
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
        "MAX_FORM_PARTS": 100,
        # Cookies: HttpOnly always, Secure whenever the site is served over HTTPS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Said outright: the limiter is one object per process, and an app that doesn't say would
        # take the last app's choice (a test that switched limits off would switch them off for
        # every app built after it).
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # While that storage (Redis) is unreachable, each process counts on its own rather than
        # failing the request; Flask-Limiter checks it now and then and goes back when it answers.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Instances sharing one Redis for limits may keep their counters apart with a prefix.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", ""),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Staff sign-in: failed or not, attempts per account and per address in a window.
        "ADMIN_SIGNIN_LIMIT_PER_ACCOUNT": os.environ.get(
            "ADMIN_SIGNIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"
        ),
        "ADMIN_SIGNIN_LIMIT_PER_ADDRESS": os.environ.get(
            "ADMIN_SIGNIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"
        ),
        # Cap and price changes need a sign-in at most this many minutes old.
        "ADMIN_RECENT_SIGNIN_MINUTES": _int("ADMIN_RECENT_SIGNIN_MINUTES", 15),
        # Number of reverse proxies in front of the app whose X-Forwarded-* we trust.
        "PROXY_COUNT": _int("PROXY_COUNT", 0),
        "HTMX_VERSION": HTMX_VERSION,
        # argon2-cffi parameter profile for staff passwords; tests use CHEAPEST.
        "PASSWORD_HASH_PROFILE": os.environ.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY"),
        # Booking: call length, slot step, minimum notice, horizon and per-host daily cap.
        "CALL_MINUTES": _int("CALL_MINUTES", 20),
        "SLOT_STEP_MINUTES": _int("SLOT_STEP_MINUTES", 30),
        "MIN_NOTICE_MINUTES": _int("MIN_NOTICE_MINUTES", 120),
        "HORIZON_DAYS": _int("HORIZON_DAYS", 21),
        "HOST_DAILY_CAP": _int("HOST_DAILY_CAP", 8),
        "BOOKING_RATE_LIMIT": os.environ.get("BOOKING_RATE_LIMIT", "10 per hour;3 per minute"),
        # Reminder emails to the loan officer these many minutes before the call; a host's
        # agenda of their day's calls at this hour of the morning in their zone.
        "REMINDER_OFFSETS_MINUTES": reminder_offsets(
            os.environ.get("REMINDER_OFFSETS_MINUTES", "")
        ),
        "HOST_AGENDA_HOUR": _int("HOST_AGENDA_HOUR", 7),
        # Email: queued in the outbox; delivered over SMTP only when MAIL_SERVER is set.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Mortgage Connect Pro <calls@mortgageconnect.example>"
        ),
        "MAIL_TIMEOUT_SECONDS": _int("MAIL_TIMEOUT_SECONDS", 30),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 5),
        # Markets: how long a written quote holds, how often the seat widget refreshes.
        "QUOTE_VALID_DAYS": _int("QUOTE_VALID_DAYS", 30),
        "SEAT_WIDGET_POLL_SECONDS": _int("SEAT_WIDGET_POLL_SECONDS", 20),
        # Markets on one page of a market list; the demo's 50 fit on one.
        "MARKETS_PER_PAGE": _int("MARKETS_PER_PAGE", 50),
        # Rendered pages kept per process (page_cache.py): how many, and for how long —
        # pages from the content files for minutes, pages from the database for a moment.
        "PAGE_CACHE_SIZE": _int("PAGE_CACHE_SIZE", 512),
        "CONTENT_PAGE_SECONDS": _int("CONTENT_PAGE_SECONDS", 300),
        "LIVE_PAGE_SECONDS": _int("LIVE_PAGE_SECONDS", 1),
        # Waitlist: how long an offer holds its seat; how long a seat booked through an offer
        # stays held after the call for staff to seat them; how often one address may join.
        "WAITLIST_OFFER_HOURS": _int("WAITLIST_OFFER_HOURS", 48),
        "WAITLIST_HOLD_DAYS_AFTER_CALL": _int("WAITLIST_HOLD_DAYS_AFTER_CALL", 7),
        "WAITLIST_RATE_LIMIT": os.environ.get("WAITLIST_RATE_LIMIT", "10 per hour;3 per minute"),
    }


def init_app(app, test_config: dict | None = None) -> None:
    """Load the settings: the environment's, then the test's, then what derives from them."""
    from .secret_links import signing_keys

    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if not 0 <= int(app.config["HOST_AGENDA_HOUR"]) <= 23:
        raise ValueError("HOST_AGENDA_HOUR must be an hour of the day, 0 to 23")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", rate_limit_storage_options(app.config["RATELIMIT_STORAGE_URI"])
    )
    # Flask verifies sessions with SECRET_KEY_FALLBACKS, but Flask-WTF signs and checks CSRF
    # tokens with one key; itsdangerous takes a list (the last signs, any verifies), so a form
    # opened before a key rotation can still be sent after it.
    app.config.setdefault("WTF_CSRF_SECRET_KEY", signing_keys(app.config))
