"""The audit trail's hash chain: tampering with a past event shows.

Each event carries `prev_hash`, the hash of the event before it in the chain, and `hash`, the
SHA-256 of that and of its own content; the chain's head (`AuditChain`) holds the last hash. An
edited, deleted or inserted event breaks every link after it, and `flask audit verify` names the
first broken one. The database refuses UPDATE and DELETE on the table besides (a trigger, from
migration 0012), so changing the past needs the database owner's rights and still shows here.

`record()` adds an event to the transaction and notes it; at commit the transaction's events are
linked onto the chain in one step, with the head row locked (UPDATE … RETURNING) until the
commit ends, so concurrent commits queue for a moment there and the chain has one order. An
event already flushed gets its three chain columns by UPDATE, the one change the append-only
rules allow, and only while they are empty; one not yet flushed is inserted with them. A
rolled-back transaction leaves no gap.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from app.audit.models import AuditChain, AuditEvent
from app.db_types import insert_unless_there

GENESIS = "0" * 64
HEAD_ID = 1
PENDING = "audit_pending"


def content_of(e: AuditEvent) -> bytes:
    """What an event's hash covers: all it says, in a fixed form that survives the database."""
    return json.dumps(
        [
            e.chain_seq,
            e.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            e.actor_id,
            e.actor_label,
            e.action,
            e.object_type,
            e.object_id,
            e.summary,
            e.before,
            e.after,
            e.ip_address,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode()


def link(prev_hash: str, e: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content_of(e)).hexdigest()


def keep_for_commit(session: Session, e: AuditEvent) -> None:
    session.info.setdefault(PENDING, []).append(e)


def _head(session: Session, count: int) -> tuple[int, str]:
    """Lock the chain's head, move it on by `count` and give (its new seq, its old hash)."""
    moved = session.execute(_MOVE_HEAD, {"count": count}).first()
    if moved is None:  # an empty database: the chain starts here (once, however many commit now)
        start = insert_unless_there(session, AuditChain).values(id=HEAD_ID, seq=0, hash=GENESIS)
        session.execute(start.on_conflict_do_nothing())
        moved = session.execute(_MOVE_HEAD, {"count": count}).one()
    return moved.seq, moved.hash


# Built once: every change to shared data runs both, and building them cost more than running them.
_MOVE_HEAD = (
    update(AuditChain)
    .where(AuditChain.id == HEAD_ID)
    .values(seq=AuditChain.seq + bindparam("count"))
    .returning(AuditChain.seq, AuditChain.hash)
)
_SET_HEAD_HASH = update(AuditChain).where(AuditChain.id == HEAD_ID).values(hash=bindparam("new_hash"))


@event.listens_for(Session, "before_commit")
def _link_onto_the_chain(session: Session) -> None:
    events = session.info.pop(PENDING, [])
    if not events:
        return
    # Without an autoflush, an event not yet written is inserted by the commit's own flush with its
    # chain columns already set (one statement, not an INSERT and then an UPDATE).
    with session.no_autoflush:
        last_seq, prev_hash = _head(session, len(events))
        for seq, e in enumerate(events, start=last_seq - len(events) + 1):
            e.chain_seq, e.prev_hash = seq, prev_hash
            e.hash = prev_hash = link(prev_hash, e)
        session.execute(_SET_HEAD_HASH, {"new_hash": prev_hash})


@event.listens_for(Session, "after_transaction_end")
def _forget_on_rollback(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken_at: AuditEvent | None = None
    reason: str = ""

    @property
    def whole(self) -> bool:
        return not self.reason


def verify(engine, batch: int = 1000) -> Verdict:
    """Walk the chain in order, a batch at a time, in a session of its own, as the database holds
    it now; the first event whose links do not hold."""
    with Session(engine) as session:
        return _verify(session, batch)


def _verify(session: Session, batch: int) -> Verdict:
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.chain_seq > last_seq)
            .order_by(AuditEvent.chain_seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            if e.chain_seq != expected_seq:
                return Verdict(checked, e, f"event {expected_seq} of the chain is missing")
            if e.prev_hash != expected_prev:
                return Verdict(checked, e, "it does not follow the event before it")
            if e.hash != link(e.prev_hash, e):
                return Verdict(checked, e, "its content has changed since it was recorded")
            expected_prev, expected_seq, checked = e.hash, expected_seq + 1, checked + 1
        last_seq = rows[-1].chain_seq
        session.expunge_all()
    head = session.get(AuditChain, HEAD_ID)
    if head is not None and (head.seq != checked or head.hash != expected_prev):
        return Verdict(checked, None, f"the chain's head says {head.seq} events: the last ones are missing")
    unlinked = session.scalar(select(AuditEvent).where(AuditEvent.chain_seq.is_(None)).limit(1))
    if unlinked is not None:
        return Verdict(checked, unlinked, "it was added outside the chain")
    return Verdict(checked)
