"""users: a partial index of the accounts invited and not yet signed up

The administrator's home page counts them on every visit (app/admin/panels.py). They are few,
so the index holds only them, and the count no longer reads every account.

Revision ID: 0018_users_awaiting_password
Revises: 0017_audit_shared_data
Create Date: 2026-11-27 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_users_awaiting_password"
down_revision = "0017_audit_shared_data"
branch_labels = None
depends_on = None

NOT_YET_SIGNED_UP = "password_hash IS NULL"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Built without blocking sign-ups and sign-ins meanwhile.
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_users_awaiting_password",
                "users",
                ["id"],
                unique=False,
                postgresql_where=sa.text(NOT_YET_SIGNED_UP),
                postgresql_concurrently=True,
            )
    else:
        op.create_index(
            "ix_users_awaiting_password", "users", ["id"], unique=False, sqlite_where=sa.text(NOT_YET_SIGNED_UP)
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index("ix_users_awaiting_password", table_name="users", postgresql_concurrently=True)
    else:
        op.drop_index("ix_users_awaiting_password", table_name="users")
