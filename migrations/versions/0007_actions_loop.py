"""actions loop: challenges get a response date; status is lifecycle only

Challenges are answered within ten working days: each gets a `response_due` date (existing ones
ten working days after the day they were raised, in the partnership's time zone), so lists and
home pages can say when one is overdue.

An action's status no longer says how well it is going (that is its RAG): "on track", "at risk"
and "off track" all become "in progress", on actions and in their update history, and the RAG
is kept. The downgrade turns "in progress" back into the old word its RAG stood for (green: on
track, amber: at risk, red: off track).

Revision ID: 0007_actions_loop
Revises: 0006_indexes
Create Date: 2026-11-26 01:46:53.982876

"""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_actions_loop'
down_revision = '0006_indexes'
branch_labels = None
depends_on = None

RESPONSE_WORKING_DAYS = 10
LOCAL_ZONE = ZoneInfo("Europe/London")
OLD_STATUS_FOR_RAG = {"green": "on_track", "amber": "at_risk", "red": "off_track"}

challenges = sa.table(
    "challenges",
    sa.column("id", sa.Integer),
    sa.column("raised_at", sa.DateTime),
    sa.column("response_due", sa.Date),
)
actions = sa.table("actions", sa.column("status", sa.String), sa.column("rag", sa.String))
progress_updates = sa.table(
    "progress_updates", sa.column("status_after", sa.String), sa.column("rag_after", sa.String)
)


def _add_working_days(start: date, days: int) -> date:
    # A copy of app.dates.add_working_days as it is today: a migration never imports the app.
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _response_due(raised_at: datetime) -> date:
    # raised_at is stored in UTC without a zone.
    local_day = raised_at.replace(tzinfo=UTC).astimezone(LOCAL_ZONE).date()
    return _add_working_days(local_day, RESPONSE_WORKING_DAYS)


def upgrade():
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_due', sa.Date(), nullable=True))

    connection = op.get_bind()
    for challenge_id, raised_at in connection.execute(sa.select(challenges.c.id, challenges.c.raised_at)).all():
        connection.execute(
            challenges.update()
            .where(challenges.c.id == challenge_id)
            .values(response_due=_response_due(raised_at))
        )

    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.alter_column('response_due', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_challenges_response_due'), ['response_due'], unique=False)

    old = list(OLD_STATUS_FOR_RAG.values())
    connection.execute(actions.update().where(actions.c.status.in_(old)).values(status="in_progress"))
    connection.execute(
        progress_updates.update()
        .where(progress_updates.c.status_after.in_(old))
        .values(status_after="in_progress")
    )


def downgrade():
    connection = op.get_bind()
    for rag, status in OLD_STATUS_FOR_RAG.items():
        connection.execute(
            actions.update().where(actions.c.status == "in_progress", actions.c.rag == rag).values(status=status)
        )
        connection.execute(
            progress_updates.update()
            .where(progress_updates.c.status_after == "in_progress", progress_updates.c.rag_after == rag)
            .values(status_after=status)
        )

    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenges_response_due'))
        batch_op.drop_column('response_due')
