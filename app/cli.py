"""Command-line tools of the core: `flask demo seed` and `flask permissions table`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select, text

from app.auth.models import User
from app.extensions import db
from app.permissions import permission_table

demo_cli = AppGroup("demo", help="Demonstration data (never in production).")
permissions_cli = AppGroup("permissions", help="Who may do what.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no users yet.")
def seed_command(if_empty: bool) -> None:
    """Create the demonstration partnership, its accounts and data (idempotent)."""
    if not current_app.config.get("DEMO_SEED_ALLOWED"):
        raise click.ClickException("Demo data is never seeded in production.")
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("The database already has users; demo data not seeded.")
        return
    from app import demo_seeders

    # Each feature's demo.seed() is idempotent, and runs after those of the features it builds on.
    for seed in demo_seeders():
        seed()
    db.session.commit()
    click.echo("Demo data is ready. Sign in as admin@demo.test (see README for the password).")


@demo_cli.command("scale")
@click.option("--agencies", default=500, show_default=True)
@click.option("--users", default=5000, show_default=True)
@click.option("--actions", default=5000, show_default=True)
@click.option("--updates", default=50000, show_default=True)
@click.option("--returns", default=4000, show_default=True)
@click.option("--feedback", default=100000, show_default=True)
@click.option("--audit-events", default=200000, show_default=True, help="A year of sign-ins and sign-outs.")
def scale_command(**counts) -> None:
    """Top the demo up to a county-sized partnership (for `make bench`); again adds only what is
    missing. Each feature that has data to scale brings its own `demo.scale()`."""
    from app import demo_scalers
    from app.demo_scale import ScaleTargets

    if not current_app.config.get("DEMO_SEED_ALLOWED"):
        raise click.ClickException("Demo data is never created in production.")
    if not db.session.scalar(select(func.count(User.id))):
        raise click.ClickException("Seed the demo first: flask demo seed")
    targets = ScaleTargets(**counts)
    with click.progressbar(length=sum(counts.values()), label="Scaling the demo partnership") as bar:
        for scale in demo_scalers():
            scale(targets, bar.update)
            db.session.commit()
    # A bulk load leaves the planner without statistics until autovacuum gets round to it; on
    # PostgreSQL the dashboard's filtered queries then take 30-80 ms instead of 1-2.
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    click.echo("The partnership is at county scale.")


@permissions_cli.command("table")
def permissions_table_command() -> None:
    """Print the role × permission table (docs/PERMISSIONS.md) from the permissions themselves."""
    click.echo(PERMISSIONS_PREAMBLE + permission_table(), nl=False)


PERMISSIONS_PREAMBLE = """# Who may do what

Printed by `flask permissions table` from each feature's `permissions.py`; a test fails when this
page and the code disagree. "yes": always; other words: only for those records; "—": never.
Anonymous visitors hold no permission; routes marked public need none.

"""
