"""`flask thresholds reindex`: write every version's search entries again, after a change to how
text is folded or stemmed (app.thresholds.text) or to what is searched (app.thresholds.search)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.thresholds.models import NeedLevel, ThresholdVersion
from app.thresholds.search import index_version

thresholds_cli = AppGroup("thresholds", help="Threshold documents.")


@thresholds_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index of every version of every threshold document."""
    versions = db.session.scalars(
        select(ThresholdVersion).options(
            selectinload(ThresholdVersion.document),
            selectinload(ThresholdVersion.sections),
            selectinload(ThresholdVersion.levels).selectinload(NeedLevel.indicators),
            selectinload(ThresholdVersion.pathways),
        )
    ).all()
    for version in versions:
        index_version(version)
    db.session.commit()
    click.echo(f"Rebuilt the search index of {len(versions)} versions.")


commands = [thresholds_cli]
