"""Mortgage Connect Pro: the application factory."""

from __future__ import annotations

import os

from flask import Flask
from flask.logging import default_handler
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config
from . import secret_links
from .converters import IdConverter
from .extensions import csrf
from .extensions import db
from .extensions import htmx
from .extensions import limiter
from .extensions import login_manager
from .extensions import migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, security, errors and commands."""
    app = Flask(__name__, instance_relative_config=True)
    # Before any blueprint adds a rule: every <int:…> in a URL is then bounded.
    app.url_map.converters["int"] = IdConverter
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS",
        config.rate_limit_storage_options(app.config["RATELIMIT_STORAGE_URI"]),
    )
    # Flask verifies sessions with SECRET_KEY_FALLBACKS, but Flask-WTF signs and checks CSRF
    # tokens with one key; itsdangerous takes a list (the last signs, any verifies), so a form
    # opened before a key rotation can still be sent after it.
    app.config.setdefault("WTF_CSRF_SECRET_KEY", secret_links.signing_keys(app.config))

    register_extensions(app)
    register_blueprints(app)

    from . import page_cache

    page_cache.init_app(app)

    from . import security

    security.init_app(app)

    from . import errors

    errors.init_app(app)

    from . import cli

    cli.init_app(app)

    from .cookie_session import LazyCookieSessionInterface

    app.session_interface = LazyCookieSessionInterface()

    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    from . import models  # noqa: F401  (the tables must be known to migrations and queries)
    from .database import configure_engine

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    # Flask-Limiter's logger has no handler of its own: without one its warning that the storage
    # is unreachable (logged once, as it starts counting in each process) would go nowhere.
    if default_handler not in limiter.logger.handlers:
        limiter.logger.addHandler(default_handler)
    # Not on every page: Flask-Login's processor reads the session on each render, which would
    # keep public pages out of the page cache. The admin blueprint offers current_user itself.
    login_manager.init_app(app, add_context_processor=False)
    with app.app_context():
        configure_engine(db.engine)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per audience."""
    from .views import admin
    from .views import book
    from .views import feeds
    from .views import main
    from .views import markets
    from .views import resources
    from .views import tools
    from .views import waitlist

    app.register_blueprint(main.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(tools.bp)
    app.register_blueprint(markets.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(waitlist.bp)
    app.register_blueprint(book.bp)
    app.register_blueprint(feeds.bp)
