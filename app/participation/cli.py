"""`flask participation purge` (run daily): deleting feedback past its retention. Alerts about
flagged messages are notifications, emailed by `flask notifications send`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.participation.services import purge_old_feedback

participation_cli = AppGroup("participation", help="Young people's feedback: retention.")
commands = [participation_cli]


@participation_cli.command("purge")
def purge_command() -> None:
    """Delete feedback past its retention period (see FEEDBACK_RETENTION_DAYS)."""
    ordinary, flagged = purge_old_feedback()
    db.session.commit()
    click.echo(f"Deleted {ordinary} messages and {flagged} flagged messages past retention.")
