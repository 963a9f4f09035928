"""The audit trail's hash chain: every committed event is linked to the one before it, a change
to any past event shows at that event, and concurrent commits keep one chain."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from app.audit import record
from app.audit.chain import GENESIS, link, verify
from app.audit.models import AuditChain, AuditEvent, AuditTrailIsAppendOnly
from app.extensions import db
from tests.factories import make_agency


def events() -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.chain_seq)).all()


def record_some(n: int, *, commit_each: bool = True) -> None:
    for i in range(n):
        record("agency.update", object_type="agencies", object_id=i, summary=f"Change {i}", after={"n": i})
        if commit_each:
            db.session.commit()
    db.session.commit()


def test_each_committed_event_is_linked_to_the_one_before(app):
    record_some(3)
    record_some(2, commit_each=False)
    chain = events()
    assert [e.chain_seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(chain, chain[1:], strict=False))
    assert all(e.hash == link(e.prev_hash, e) for e in chain)
    head = db.session.get(AuditChain, 1)
    assert (head.seq, head.hash) == (5, chain[-1].hash)
    assert verify(db.engine).whole and verify(db.engine).checked == 5


def test_a_rolled_back_transaction_leaves_no_gap(app):
    record_some(1)
    record("agency.update", object_type="agencies", object_id=9, summary="Never saved")
    db.session.rollback()
    record_some(1)
    assert [(e.chain_seq, e.summary) for e in events()] == [(1, "Change 0"), (2, "Change 0")]
    assert verify(db.engine).whole


def test_an_event_flushed_before_commit_is_linked_too(app):
    agency = make_agency()
    record("agency.update", agency, summary="Flushed early")
    db.session.flush()
    db.session.commit()
    [linked] = events()
    assert linked.chain_seq == 1 and linked.hash == link(GENESIS, linked)


def test_an_event_not_yet_written_is_inserted_with_its_links_in_one_statement(app):
    from tests.querycount import counted_queries

    record_some(1)
    record("agency.update", object_type="agencies", object_id=7, summary="Written at commit")
    with counted_queries(app) as statements:
        db.session.commit()
    assert not [s for s in statements if s.startswith("UPDATE audit_events")], "inserted whole, not updated"
    assert len([s for s in statements if s.startswith("INSERT INTO audit_events")]) == 1
    assert verify(db.engine).whole and verify(db.engine).checked == 2


def test_the_app_cannot_change_or_delete_a_linked_event(app):
    record_some(1)
    [linked] = events()
    linked.summary = "Rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(events()[0])
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def _tamper(sql: str, **params) -> None:
    """What someone with the database's own rights could do behind the app's back."""
    with db.engine.begin() as connection:
        for trigger in ("audit_events_no_update", "audit_events_no_delete"):
            if db.engine.dialect.name == "sqlite":
                connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(sql), params)


def test_an_edited_event_is_named_as_the_first_broken_link(app):
    record_some(4)
    third = events()[2]
    _tamper("UPDATE audit_events SET summary = 'Nothing happened' WHERE id = :id", id=third.id)
    verdict = verify(db.engine)
    assert not verdict.whole and verdict.checked == 2
    assert verdict.broken_at.id == third.id and "content has changed" in verdict.reason


def test_a_deleted_event_breaks_the_chain_where_it_was(app):
    record_some(4)
    second = events()[1]
    _tamper("DELETE FROM audit_events WHERE id = :id", id=second.id)
    verdict = verify(db.engine)
    assert verdict.checked == 1 and verdict.broken_at.chain_seq == 3 and "missing" in verdict.reason


def test_deleting_the_latest_events_shows_at_the_head(app):
    record_some(4)
    _tamper("DELETE FROM audit_events WHERE chain_seq > 2")
    verdict = verify(db.engine)
    assert not verdict.whole and verdict.checked == 2 and "last ones are missing" in verdict.reason


def test_flask_audit_verify_says_whole_or_names_the_broken_event(app):
    record_some(3)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "whole: 3 events" in result.output
    second = events()[1]
    _tamper("UPDATE audit_events SET actor_label = 'someone else' WHERE id = :id", id=second.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert (
        f"audit event #{second.id}" in result.output and "The 1 events before it are intact" in result.output
    )


def test_commits_at_the_same_moment_keep_one_chain(app):
    writers, each = 8, 5
    barrier = threading.Barrier(writers)

    def write(n: int) -> None:
        with app.app_context():
            barrier.wait()
            for i in range(each):
                record("agency.update", object_type="agencies", object_id=n, summary=f"Writer {n}, {i}")
                db.session.commit()

    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    chain = events()
    assert [e.chain_seq for e in chain] == list(range(1, writers * each + 1))
    assert verify(db.engine).whole
