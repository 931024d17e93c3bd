"""Command-line tasks: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask


@click.command("seed-demo")
def seed_demo_command():
    """Load demo data when the database is empty (safe to run every start)."""
    from . import demo

    loaded = demo.seed_if_empty()
    click.echo("Demo data loaded." if loaded else "Database already has data; nothing loaded.")


@click.command("advance-waitlist")
def advance_waitlist_command():
    """Expire overdue waitlist offers and offer the seats they free (safe to run from cron
    every minute on several hosts at once: each market is settled under its own lock)."""
    from . import capacity

    changes = capacity.advance_all()
    click.echo(f"{len(changes.expired)} offers expired, {len(changes.offered)} offers made.")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(advance_waitlist_command)
