"""`flask notifications send`: deliver the emails waiting in the outbox (cron, every minute), and
`flask reminders send` (cron, daily): each feature's reminders (its notices.reminders()), sent
once per item and stage however often it runs."""

from __future__ import annotations

import importlib

import click
from flask.cli import AppGroup

from app.notifications.services import deliver_emails

notifications_cli = AppGroup("notifications", help="Notifications: the email outbox.")
reminders_cli = AppGroup("reminders", help="Reminders of what is due, once per item and stage.")
commands = [notifications_cli, reminders_cli]


@notifications_cli.command("send")
def send_command() -> None:
    """Email waiting notifications; those the mail server refuses wait for the next run."""
    sent, failed = deliver_emails()
    click.echo(f"Emails sent: {sent}; waiting after a failed attempt: {failed}.")


@reminders_cli.command("send")
def send_reminders_command() -> None:
    """Write today's reminders (in the portal, and to the email outbox for those who want it)."""
    from app import FEATURES
    from app.extensions import db

    for name in FEATURES:
        try:
            notices = importlib.import_module(f"app.{name}.notices")
        except ModuleNotFoundError:
            continue
        if hasattr(notices, "reminders"):
            written = notices.reminders()
            db.session.commit()
            click.echo(f"{name}: {written} reminder{'s' if written != 1 else ''}")
    sent, failed = deliver_emails()
    click.echo(f"Emails sent: {sent}; waiting after a failed attempt: {failed}.")
