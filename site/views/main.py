"""Site-wide pages: home, health check, robots.txt."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import url_for
from sqlalchemy import text

from ..clock import utcnow
from ..extensions import db
from ..page_cache import shared_page

bp = Blueprint("main", __name__)


@bp.get("/")
@shared_page("CONTENT_PAGE_SECONDS")
def home():
    """What we offer, a market check, the newest resources and the call to action."""
    from .. import content

    return render_template("main/home.html", articles=content.published_articles()[:3])


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it doesn't (for load balancers)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not healthy", never a 500
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


@bp.get("/robots.txt")
def robots():
    """Let crawlers in everywhere public, point them at the sitemap."""
    sitemap = current_app.config["SITE_URL"] + url_for("resources.sitemap")
    body = f"User-agent: *\nDisallow: /admin/\nAllow: /\n\nSitemap: {sitemap}\n"
    return body, 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.app_context_processor
def inject_layout_values():
    """Values every page's layout needs."""
    return {"now_year": utcnow().year}
