"""The append-only audit trail: who did what to which record, when, and what it was before."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event, inspect, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db

# Signing in and out, failed attempts, passwords and second factors ("auth.*" events) change only an
# account's own credentials, sessions and sign-in pauses. No page keeps any of that in memory, so
# these events are not a change to shared data: what pages keep (app/report_cache.py) outlives them.
ACCOUNT_ACCESS = "auth.%"


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        # The newest change to shared data, found in one step however many sign-ins came after it.
        Index(
            "ix_audit_events_shared_data",
            "id",
            sqlite_where=text(f"action NOT LIKE '{ACCOUNT_ACCESS}'"),
            postgresql_where=text(f"action NOT LIKE '{ACCOUNT_ACCESS}'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A copy of who it was, kept even if the account is later renamed.
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(60), index=True)
    object_id: Mapped[str | None] = mapped_column(String(254))
    summary: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    # The hash chain (app/audit/chain.py): each event's place in the chain, the hash of the one
    # before it and its own hash over both and its content. `flask audit verify` checks it.
    chain_seq: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def changes_shared_data():
    """The condition an event meets unless it is about account access (ACCOUNT_ACCESS), written as
    the partial index ix_audit_events_shared_data is, so both databases use that index."""
    return AuditEvent.action.not_like(literal_column(f"'{ACCOUNT_ACCESS}'"))


class AuditTrailIsAppendOnly(RuntimeError):
    pass


CHAIN_COLUMNS = ("chain_seq", "prev_hash", "hash")


@event.listens_for(AuditEvent, "before_update")
def _refuse_changes(mapper, connection, target):
    """The one update allowed: linking an event onto the hash chain, once (app/audit/chain.py)."""
    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if changed <= set(CHAIN_COLUMNS) and all(old is None for old in state.attrs.hash.history.deleted):
        return
    raise AuditTrailIsAppendOnly("Audit events are never changed or deleted.")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_deletes(mapper, connection, target):
    raise AuditTrailIsAppendOnly("Audit events are never changed or deleted.")


class AuditChain(db.Model):
    """The head of the audit trail's hash chain: one row, locked by each commit that adds
    events, so the chain has one order however many requests write at once."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
