"""`flask notifications send`: deliver the emails waiting in the outbox (cron, every minute)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.notifications.services import deliver_emails

notifications_cli = AppGroup("notifications", help="Notifications: the email outbox.")
commands = [notifications_cli]


@notifications_cli.command("send")
def send_command() -> None:
    """Email waiting notifications; those the mail server refuses wait for the next run."""
    sent, failed = deliver_emails()
    click.echo(f"Emails sent: {sent}; waiting after a failed attempt: {failed}.")
