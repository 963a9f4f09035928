"""feedback: indexes for the triage queue and the home panels at county scale

The flagged and triage columns' single indexes gave way to two that serve the queries the pages
ask: flagged messages still waiting (oldest first), and new messages that are not flagged.

Revision ID: 0014_feedback_queue_indexes
Revises: 0013_two_factor
Create Date: 2026-11-26 07:30:00
"""

from alembic import op

revision = "0014_feedback_queue_indexes"
down_revision = "0013_two_factor"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_flagged")
        batch_op.drop_index("ix_feedback_triage")
        batch_op.create_index("ix_feedback_waiting", ["flagged", "actioned_at", "received_at"], unique=False)
        batch_op.create_index("ix_feedback_triage_flagged", ["triage", "flagged"], unique=False)


def downgrade():
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_triage_flagged")
        batch_op.drop_index("ix_feedback_waiting")
        batch_op.create_index("ix_feedback_triage", ["triage"], unique=False)
        batch_op.create_index("ix_feedback_flagged", ["flagged"], unique=False)
