"""`flask audit verify`: check the audit trail's hash chain and name the first broken link."""

from __future__ import annotations

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The audit trail.")
commands = [audit_cli]


@audit_cli.command("verify")
def verify_command() -> None:
    """Walk the audit trail's hash chain; exit 1 at the first event that breaks it."""
    from app.audit.chain import verify
    from app.extensions import db

    verdict = verify(db.engine)
    if verdict.whole:
        click.echo(f"The audit trail is whole: {verdict.checked} events, each linked to the one before.")
        return
    where = (
        f"event {verdict.broken_at.chain_seq} of the chain (audit event #{verdict.broken_at.id})"
        if verdict.broken_at is not None
        else "the end of the chain"
    )
    click.echo(
        f"The audit trail is broken at {where}: {verdict.reason}. "
        f"The {verdict.checked} events before it are intact.",
        err=True,
    )
    raise SystemExit(1)
