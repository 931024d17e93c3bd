"""Published resources: articles, FAQ, search, feed and sitemap."""

from flask import Blueprint

bp = Blueprint("resources", __name__)


@bp.get("/resources/")
def index():
    """All published articles."""
    return "resources"


@bp.get("/faq")
def faq():
    """Every published FAQ entry."""
    return "faq"


@bp.get("/resources/feed.xml")
def feed():
    """Atom feed."""
    return "feed"


@bp.get("/sitemap.xml")
def sitemap():
    """Sitemap."""
    return "sitemap"
