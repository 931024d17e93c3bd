"""Mortgage Connect Pro: the application factory."""

from __future__ import annotations

import os
from importlib import import_module

from flask import Flask
from flask.logging import default_handler
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config
from .extensions import csrf
from .extensions import db
from .extensions import htmx
from .extensions import limiter
from .extensions import login_manager
from .extensions import migrate

# Each feature's public blueprint (docs/architecture.md: one feature, one folder).
BLUEPRINTS = (
    "home.views",
    "resources.views",
    "tools.views",
    "markets.views",
    "waitlist.views",
    "calls.views",
    "calls.feed_views",
)
# The modules whose screens join the one admin blueprint at /admin (web/admin.py).
ADMIN_SCREENS = (
    "staff.admin_views",
    "markets.admin_views",
    "waitlist.admin_views",
    "calls.admin_views",
    "calls.host_views",
    "mail.admin_views",
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, audit, the web plumbing, the features, commands."""
    from . import audit
    from . import cli
    from . import web

    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    config.init_app(app, test_config)
    register_extensions(app)
    audit.init_app(app)
    web.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
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
    """Mount each feature's blueprint, and the admin blueprint with every feature's screens."""
    from .web import admin

    for name in ADMIN_SCREENS:
        import_module(f"{__name__}.{name}")  # its routes join admin.bp
    app.register_blueprint(admin.bp)
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
