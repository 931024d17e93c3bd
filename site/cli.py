"""Command-line tasks: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask


@click.command("seed-demo")
@click.option("--scale", is_flag=True, help="Then top up to a large data set, for benchmarks.")
@click.option("--markets", default=3000, show_default=True, help="Markets in all, with --scale.")
@click.option("--hosts", default=100, show_default=True, help="Hosts in all, with --scale.")
@click.option("--bookings", default=50_000, show_default=True, help="Bookings, with --scale.")
def seed_demo_command(scale: bool, markets: int, hosts: int, bookings: int):
    """Load demo data when the database is empty (safe to run every start)."""
    from .demo import seed

    loaded = seed.seed_if_empty()
    click.echo("Demo data loaded." if loaded else "Database already has data; nothing loaded.")
    if scale:
        from .demo.scale import seed_scale

        added = seed_scale(markets=markets, hosts=hosts, bookings=bookings)
        click.echo(
            f"Scale data: added {added['markets']} markets, {added['hosts']} hosts and "
            f"{added['bookings']} bookings."
        )


@click.command("create-staff")
@click.argument("email")
@click.option("--name", default="", help="The staff member's name, shown in the admin.")
@click.option(
    "--generate", is_flag=True, help="Generate a strong password and print it, instead of asking."
)
def create_staff_command(email: str, name: str, generate: bool):
    """Make a staff account for the admin; asks for its password (typed twice, hidden)."""
    from .staff import accounts

    if generate:
        password = accounts.generate_password()
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        account = accounts.create_staff(email, password, name=name)
    except accounts.StaffError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Staff account created for {account.email}.")
    if generate:
        click.echo(f"Password (shown once, store it safely): {password}")


@click.command("advance-waitlist")
def advance_waitlist_command():
    """Expire overdue waitlist offers and offer the seats they free (safe to run from cron
    every minute on several hosts at once: each market is settled under its own lock)."""
    from . import capacity

    changes = capacity.advance_all()
    click.echo(f"{len(changes.expired)} offers expired, {len(changes.offered)} offers made.")


@click.command("send-mail")
@click.option("--limit", default=100, show_default=True, help="At most this many messages.")
def send_mail_command(limit: int):
    """Deliver queued outbox mail over SMTP (needs MAIL_SERVER); failures are retried later."""
    from flask import current_app

    from .mail import outbox

    report = outbox.deliver_queued(current_app.config, limit=limit)
    if report.skipped:
        click.echo("MAIL_SERVER is not set: queued mail stays in the outbox.")
        return
    click.echo(f"Sent {report.sent}, will retry {report.retrying}, gave up on {report.failed}.")


@click.command("send-reminders")
def send_reminders_command():
    """Queue the reminders due before calls and the hosts' morning agendas in the outbox (safe
    on several hosts at once: the database lets each be taken once)."""
    from .calls import reminders

    report = reminders.send_due()
    click.echo(
        f"Reminders queued: {report.sent}, skipped: {report.skipped}; "
        f"agendas queued: {report.agendas}."
    )


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_staff_command)
    app.cli.add_command(advance_waitlist_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_reminders_command)
