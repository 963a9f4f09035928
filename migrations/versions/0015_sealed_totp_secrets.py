"""users.totp_secret holds the authenticator secret encrypted (a Fernet token), so it is longer

Secrets stored before are read as they are and encrypted the next time they sign someone in
(app.auth.two_factor). Downgrading keeps the column long enough for either.

Revision ID: 0015_sealed_totp_secrets
Revises: 0014_feedback_queue_indexes
Create Date: 2026-11-26 07:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_sealed_totp_secrets"
down_revision = "0014_feedback_queue_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(length=64), type_=sa.String(length=255), existing_nullable=True
        )


def downgrade():
    # An encrypted secret does not fit in 64 characters: those accounts set up two-factor again.
    op.execute("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE length(totp_secret) > 64")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(length=255), type_=sa.String(length=64), existing_nullable=True
        )
