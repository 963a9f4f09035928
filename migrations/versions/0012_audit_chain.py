"""audit trail: a hash chain over every event, and the database refuses to change or delete one

Revision ID: 0012_audit_chain
Revises: 0011_inspection
Create Date: 2026-11-26 03:50:00

Existing events are linked onto the chain in the order they were recorded. On PostgreSQL a
trigger refuses UPDATE and DELETE on audit_events (the one update allowed: filling an event's
empty chain columns, which the app does as it commits); SQLite gets the same rule as triggers.
TRUNCATE is a matter of the application role's rights: see docs/OPERATIONS.md.
"""

from datetime import UTC
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

revision = "0012_audit_chain"
down_revision = "0011_inspection"
branch_labels = None
depends_on = None

OTHER_COLUMNS = (
    "id", "occurred_at", "actor_id", "actor_label", "action", "object_type", "object_id",
    "summary", "before", "after", "ip_address",
)  # fmt: skip

POSTGRESQL_UP = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL
     AND (to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'hash')
       = (to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'hash') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""
POSTGRESQL_DOWN = """
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
DROP FUNCTION IF EXISTS audit_events_append_only();
"""


def _sqlite_up() -> list[str]:
    changed = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in OTHER_COLUMNS)
    return [
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END",
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        f"WHEN OLD.hash IS NOT NULL OR {changed} "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END",
    ]


SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
]


def _link_existing_events(bind) -> None:
    from app.audit.chain import GENESIS, link

    events = sa.table(
        "audit_events",
        sa.column("id", sa.Integer),
        sa.column("occurred_at", sa.DateTime),
        sa.column("actor_id", sa.Integer),
        sa.column("actor_label", sa.String),
        sa.column("action", sa.String),
        sa.column("object_type", sa.String),
        sa.column("object_id", sa.String),
        sa.column("summary", sa.String),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
        sa.column("ip_address", sa.String),
        sa.column("chain_seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    prev, seq = GENESIS, 0
    for row in bind.execute(sa.select(events).order_by(events.c.id)).mappings().all():
        seq += 1
        when = row["occurred_at"]
        event = SimpleNamespace(**{**row, "chain_seq": seq, "occurred_at": when.replace(tzinfo=UTC)})
        digest = link(prev, event)
        bind.execute(
            events.update().where(events.c.id == row["id"]).values(chain_seq=seq, prev_hash=prev, hash=digest)
        )
        prev = digest
    if seq:
        chain = sa.table("audit_chain", sa.column("id"), sa.column("seq"), sa.column("hash"))
        bind.execute(chain.insert().values(id=1, seq=seq, hash=prev))


def upgrade():
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_chain_seq"), ["chain_seq"], unique=True)
    bind = op.get_bind()
    _link_existing_events(bind)
    if bind.dialect.name == "postgresql":
        op.execute(POSTGRESQL_UP)
    elif bind.dialect.name == "sqlite":
        for statement in _sqlite_up():
            op.execute(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(POSTGRESQL_DOWN)
    elif bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_chain_seq"))
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("chain_seq")
    op.drop_table("audit_chain")
