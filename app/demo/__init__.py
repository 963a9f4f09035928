"""Command-line tools: `flask demo seed` for demonstration data, `flask users` for operators."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.auth.models import Agency, AgencyKind, Role, User, normalise_email
from app.auth.passwords import hash_password, password_problems
from app.demo.partnership import seed_partnership
from app.demo.programme import seed_programme
from app.demo.thresholds import seed_thresholds
from app.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data (never in production).")
users_cli = AppGroup("users", help="Manage accounts from the command line.")

# Each feature adds its seeding function here; each must be idempotent.
SEEDERS = [seed_partnership, seed_thresholds, seed_programme]


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no users yet.")
def seed_command(if_empty: bool) -> None:
    """Create the demonstration partnership, its accounts and data (idempotent)."""
    if not current_app.config.get("DEMO_SEED_ALLOWED"):
        raise click.ClickException("Demo data is never seeded in production.")
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("The database already has users; demo data not seeded.")
        return
    for seeder in SEEDERS:
        seeder()
    db.session.commit()
    click.echo("Demo data is ready. Sign in as admin@demo.test (see README for the password).")


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.option("--agency", "agency_name", prompt="Agency name")
@click.password_option(prompt="Password (at least 12 characters)")
def create_admin_command(email: str, full_name: str, agency_name: str, password: str) -> None:
    """Create the first administrator of a new installation."""
    from app.audit import record

    problems = password_problems(
        password, partnership_name=current_app.config["PARTNERSHIP_NAME"], email=email
    )
    if problems:
        raise click.ClickException(problems[0])
    email = normalise_email(email)
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"There is already an account for {email}.")
    agency = db.session.scalar(select(Agency).where(Agency.name == agency_name))
    if agency is None:
        agency = Agency(name=agency_name, kind=AgencyKind.CHILDRENS_SOCIAL_CARE, district="", active=True)
        db.session.add(agency)
        db.session.flush()
        record("agency.create", agency, after=agency.audit_view(), actor_label="command line")
    user = User(
        email=email,
        full_name=full_name,
        agency_id=agency.id,
        role=Role.ADMIN,
        active=True,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        user,
        after=user.audit_view(),
        actor_label="command line",
        summary=f"Created administrator {email} from the command line",
    )
    db.session.commit()
    click.echo(f"Administrator {email} created.")
