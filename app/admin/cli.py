"""`flask users create-admin`: the first administrator of a new installation."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.audit import record
from app.auth.models import Agency, AgencyKind, Role, User, normalise_email
from app.auth.passwords import hash_password, password_problems
from app.extensions import db

users_cli = AppGroup("users", help="Manage accounts from the command line.")
commands = [users_cli]


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.option("--agency", "agency_name", prompt="Agency name")
@click.password_option(prompt="Password (at least 12 characters)")
def create_admin_command(email: str, full_name: str, agency_name: str, password: str) -> None:
    """Create the first administrator of a new installation."""
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


@users_cli.command("reset-two-factor")
@click.argument("email")
@click.option("--reason", prompt="Why (kept in the audit trail)")
def reset_two_factor_command(email: str, reason: str) -> None:
    """Turn off two-factor sign-in for someone who lost their authenticator and recovery codes.
    Confirm who they are first (by phone, through their agency lead)."""
    from app.auth.two_factor import turn_off

    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.totp_secret is None:
        raise click.ClickException(f"{email} has no account with two-factor sign-in turned on.")
    turn_off(user, actor=None, reason=reason)
    db.session.commit()
    click.echo(f"Two-factor sign-in is off for {user.email}; they set it up again at their next sign-in.")
