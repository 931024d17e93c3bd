"""Site-wide pages: home, health check, robots.txt."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import url_for
from limits.storage import RedisStorage
from sqlalchemy import text

from ..extensions import db
from ..extensions import limiter
from ..web.page_cache import shared_page

bp = Blueprint("main", __name__)


@bp.get("/")
@shared_page("CONTENT_PAGE_SECONDS")
def home():
    """What we offer, a market check, the newest resources and the call to action."""
    from ..resources import content
    from ..resources import delivery_log

    return render_template(
        "main/home.html",
        articles=content.published_articles()[:3],
        has_delivery_log=delivery_log.sample() is not None,
    )


@bp.get("/healthz")
def healthz():
    """200 while the database answers, 503 when it doesn't; Redis down only degrades (README)."""
    health, status = {"status": "ok", "database": "ok"}, 200
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not healthy", never a 500
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        health, status = {"status": "unavailable", "database": "unreachable"}, 503
    redis = _redis_health()
    if redis is not None:
        health["redis"] = redis
        if redis != "ok" and status == 200:
            health["status"] = "degraded"
    return health, status


def _redis_health() -> str | None:
    """Whether Redis answers ("ok", "unreachable") when the limits are counted there, else None."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    storage = limiter.storage
    if not isinstance(storage, RedisStorage):
        return None
    # A ping (a second at most: config.rate_limit_storage_options); not logged, since a load
    # balancer asks every few seconds and the limiter warns once when it falls back.
    return "ok" if storage.check() else "unreachable"


@bp.get("/robots.txt")
def robots():
    """Let crawlers in everywhere public, point them at the sitemap."""
    sitemap = current_app.config["SITE_URL"] + url_for("resources.sitemap")
    body = f"User-agent: *\nDisallow: /admin/\nAllow: /\n\nSitemap: {sitemap}\n"
    return body, 200, {"Content-Type": "text/plain; charset=utf-8"}
