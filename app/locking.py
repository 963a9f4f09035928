"""One optimistic lock for every editable record.

A model that mixes in `Versioned` carries `lock_version`; SQLAlchemy checks it on every UPDATE of
the row (`version_id_col`), so two requests can never silently overwrite each other. A form loaded
at one version and saved later calls `claim(record, loaded_version)`: if the record has moved on,
that is a StaleEdit (409) and the user's words are shown back to them.
"""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.errors import StaleEdit


class Versioned:
    # Bumped by every change: a form based on an older value is a conflict, never an overwrite.
    lock_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.lock_version}


def claim(record: Versioned, loaded_version: int | None, message: str = "") -> None:
    """Start a change to `record` as loaded by a form at `loaded_version`: a StaleEdit (with
    `message`, or the usual words) if it has moved on since.

    The change is saved by one `UPDATE ... SET lock_version = loaded + 1 WHERE lock_version =
    loaded`: if a parallel request changes the row first, the flush finds no row, and that is a
    StaleEdit too (app.errors)."""
    if loaded_version is None or record.lock_version != loaded_version:
        raise StaleEdit(message)
    record.lock_version = loaded_version + 1
