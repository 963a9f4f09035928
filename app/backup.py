"""`flask backup create` and `flask backup restore`: a copy of the whole database, and putting
one back into an empty database.

SQLite uses its online backup API (a consistent copy while the portal keeps serving);
PostgreSQL uses `pg_dump --format=custom` and `pg_restore`, which must be installed beside the
app (Debian: postgresql-client, the same major version as the server or newer). Either way the
command prints each table's rows and checks the audit trail's hash chain, so a restore can be
compared with the database it came from. Backups hold personal data: they are written readable
by their owner only, and belong on encrypted storage.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import URL

backup_cli = AppGroup("backup", help="Back up the database, and restore a backup into an empty one.")


def _url() -> URL:
    from app.extensions import db

    return db.engine.url


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A connection string for pg_dump/pg_restore, the password passed in the environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def row_counts() -> dict[str, int]:
    from app.extensions import db

    names = sorted(set(inspect(db.engine).get_table_names()))
    with db.engine.connect() as connection:
        return {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names}


def create_backup(path: Path) -> Path:
    from app.extensions import db

    url = _url()
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
    elif url.get_backend_name() == "postgresql":
        dsn, env = _libpq(url)
        subprocess.run(  # noqa: S603 - our arguments, no shell
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), "--dbname", dsn],
            check=True,
            env=env,
        )
    else:
        raise click.ClickException(f"No backup method for {url.get_backend_name()}.")
    path.chmod(0o600)
    db.engine.dispose()
    return path


def restore_backup(path: Path) -> None:
    from app.extensions import db

    if any(count for name, count in row_counts().items() if name != "alembic_version"):
        raise click.ClickException(
            "This database is not empty: restore into a new, empty database, then point the portal at it."
        )
    url = _url()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(path)
        target = sqlite3.connect(url.database)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
    elif url.get_backend_name() == "postgresql":
        dsn, env = _libpq(url)
        subprocess.run(  # noqa: S603 - our arguments, no shell
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
             "--single-transaction", "--dbname", dsn, str(path)],
            check=True,
            env=env,
        )  # fmt: skip
    else:
        raise click.ClickException(f"No restore method for {url.get_backend_name()}.")
    db.engine.dispose()


def _report() -> None:
    from app.audit.chain import verify
    from app.extensions import db

    counts = row_counts()
    click.echo(f"{sum(counts.values())} rows in {len(counts)} tables:")
    for name, count in counts.items():
        click.echo(f"  {name}: {count}")
    verdict = verify(db.engine)
    if verdict.whole:
        click.echo(f"Audit trail: whole, {verdict.checked} events.")
    else:
        click.echo(f"Audit trail: BROKEN after {verdict.checked} events: {verdict.reason}.", err=True)


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def create_command(path: Path | None) -> None:
    """Write a backup to PATH (default: instance/backups/portal-<UTC time>.<sqlite3|dump>)."""
    if path is None:
        suffix = "sqlite3" if _url().get_backend_name() == "sqlite" else "dump"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(current_app.instance_path) / "backups" / f"portal-{stamp}.{suffix}"
    create_backup(path)
    click.echo(f"Backup written to {path}")
    _report()


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Restore the backup at PATH into this (empty) database."""
    restore_backup(path)
    click.echo(f"Restored {path}")
    _report()
