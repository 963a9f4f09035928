"""`flask participation send-alerts` (run every minute by cron) and `flask participation purge`
(run daily): delivering alerts that are waiting, and deleting feedback past its retention."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.participation.services import deliver_pending_alerts, purge_old_feedback

participation_cli = AppGroup("participation", help="Young people's feedback: alerts and retention.")
commands = [participation_cli]


@participation_cli.command("send-alerts")
def send_alerts_command() -> None:
    """Email the participation leads' waiting alerts; those that fail wait for the next run."""
    sent, failed = deliver_pending_alerts()
    click.echo(f"Alerts sent: {sent}; still waiting after a failed attempt: {failed}.")


@participation_cli.command("purge")
def purge_command() -> None:
    """Delete feedback past its retention period (see FEEDBACK_RETENTION_DAYS)."""
    ordinary, flagged = purge_old_feedback()
    db.session.commit()
    click.echo(f"Deleted {ordinary} messages and {flagged} flagged messages past retention.")
