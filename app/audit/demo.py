"""`flask demo scale`: a year of the audit trail, linked onto its hash chain (app/audit/chain.py)."""

from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select

from app.audit.chain import GENESIS, HEAD_ID, link
from app.audit.models import AuditChain, AuditEvent
from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db

# What a partnership's trail mostly holds: staff signing in and out, and now and then a mistyped
# password (weights out of 100).
KINDS = (("auth.sign_in", 60), ("auth.sign_out", 36), ("auth.sign_in_failed", 4))


def scale(targets, progress, batch: int = 5000) -> None:
    """The audit trail topped up to targets.audit_events with a year of the scaled staff's
    sign-ins, sign-outs and failed attempts, as record() writes them. Each is linked onto the hash
    chain after the events already there, so `flask audit verify` still holds; their times run
    over the year before now, oldest first."""
    from app.demo_scale import count

    wanted = targets.audit_events - count(AuditEvent)
    people = db.session.execute(select(User.id, User.email).order_by(User.id)).all()
    if wanted <= 0 or not people:
        return
    rng = random.Random(2009)  # noqa: S311 - demo data, the same every time
    head = db.session.get(AuditChain, HEAD_ID)
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
    now = utcnow().replace(microsecond=0)
    start = now - timedelta(days=365)
    seconds = sorted(rng.randrange(365 * 86400) for _ in range(wanted))
    actions = rng.choices([kind for kind, _ in KINDS], [weight for _, weight in KINDS], k=wanted)
    rows = []
    for at, action in zip(seconds, actions, strict=True):
        person_id, email = rng.choice(people)
        seq += 1
        event = SimpleNamespace(
            chain_seq=seq,
            occurred_at=start + timedelta(seconds=at, microseconds=rng.randrange(1_000_000)),
            before=None,
            after=None,
            ip_address=f"10.{rng.randrange(20, 40)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            **_what(action, person_id, email),
        )
        event.prev_hash, event.hash = prev_hash, link(prev_hash, event)
        prev_hash = event.hash
        rows.append({name: value for name, value in vars(event).items() if value is not None})
        if len(rows) == batch:
            _write(rows, progress)
    _write(rows, progress)
    if head is None:
        db.session.add(AuditChain(id=HEAD_ID, seq=seq, hash=prev_hash))
    else:
        head.seq, head.hash = seq, prev_hash


def _what(action: str, person_id: int, email: str) -> dict:
    if action == "auth.sign_in_failed":
        return {
            "action": action,
            "actor_id": person_id,
            "actor_label": email,
            "object_type": "sign_in",
            "object_id": email,
            "summary": "Failed sign-in (1 in a row from this address)",
        }
    return {
        "action": action,
        "actor_id": person_id,
        "actor_label": email,
        "object_type": "users",
        "object_id": str(person_id),
        "summary": "Signed in" if action == "auth.sign_in" else "Signed out",
    }


def _write(rows: list[dict], progress) -> None:
    if rows:
        db.session.execute(insert(AuditEvent.__table__), rows)  # Core: no ORM work per row
        progress(len(rows))
        rows.clear()
