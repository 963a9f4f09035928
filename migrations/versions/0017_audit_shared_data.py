"""audit: the newest change to shared data from its own index, sign-ins left out

Pages keep what they show until shared data changes (app/report_cache.py). Sign-ins and other
account-access events ("auth.*") no longer count as a change, so each page asks for the newest
other event: a partial index answers that in one step however many sign-ins came after it.

Revision ID: 0017_audit_shared_data
Revises: 0016_feedback_new_by_date
Create Date: 2026-11-26 23:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_audit_shared_data"
down_revision = "0016_feedback_new_by_date"
branch_labels = None
depends_on = None

SHARED_DATA = "action NOT LIKE 'auth.%'"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Built without blocking the writes that record audit events meanwhile.
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_audit_events_shared_data",
                "audit_events",
                ["id"],
                unique=False,
                postgresql_where=sa.text(SHARED_DATA),
                postgresql_concurrently=True,
            )
    else:
        op.create_index(
            "ix_audit_events_shared_data", "audit_events", ["id"], unique=False, sqlite_where=sa.text(SHARED_DATA)
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index("ix_audit_events_shared_data", table_name="audit_events", postgresql_concurrently=True)
    else:
        op.drop_index("ix_audit_events_shared_data", table_name="audit_events")
