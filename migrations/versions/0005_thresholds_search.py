"""thresholds: search index and synonyms, versions in effect from a date, sections that hold the levels

- `threshold_search_entries`: every part of a version a reader sees, with its words folded and
  stemmed (app.thresholds.text.search_text), written on save; backfilled here for every version.
- `threshold_search_synonyms`: the partnership's list of words that mean the same (one row).
- `threshold_versions.effective_from`: a published version is current from that day. "superseded"
  is no longer stored (it follows from the dates): superseded rows become "published", each in
  effect from the day it was published, and `superseded_at` goes.
- `threshold_sections.shows`: "levels" or "pathways" when that part of the document follows the
  section; backfilled for the first section titled like "Levels of need" / "Pathways".

The downgrade puts back "superseded" (every published version but each document's newest) with
`superseded_at` the day the next one was published, and drops the rest.

Revision ID: 0005_thresholds_search
Revises: 0004_rulebook
Create Date: 2026-11-26 01:32:52.162227

"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from app.thresholds.text import fold, plain_text, search_text

# revision identifiers, used by Alembic.
revision = '0005_thresholds_search'
down_revision = '0004_rulebook'
branch_labels = None
depends_on = None

LOCAL_ZONE = ZoneInfo("Europe/London")

versions_table = sa.table(
    "threshold_versions",
    sa.column("id", sa.Integer),
    sa.column("document_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("status", sa.String),
    sa.column("summary_of_amendments", sa.Text),
    sa.column("published_at", sa.DateTime),
    sa.column("effective_from", sa.Date),
    sa.column("superseded_at", sa.DateTime),
)
documents_table = sa.table("threshold_documents", sa.column("id", sa.Integer), sa.column("title", sa.String))
sections_table = sa.table(
    "threshold_sections",
    sa.column("id", sa.Integer),
    sa.column("version_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("code", sa.String),
    sa.column("title", sa.String),
    sa.column("body_html", sa.Text),
    sa.column("shows", sa.String),
)
levels_table = sa.table(
    "need_levels",
    sa.column("id", sa.Integer),
    sa.column("version_id", sa.Integer),
    sa.column("level", sa.Integer),
    sa.column("title", sa.String),
    sa.column("description_html", sa.Text),
    sa.column("response_html", sa.Text),
    sa.column("contact_html", sa.Text),
)
indicators_table = sa.table(
    "need_indicators",
    sa.column("need_level_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("text", sa.String),
)
pathways_table = sa.table(
    "pathways",
    sa.column("version_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("concern", sa.String),
    sa.column("level", sa.Integer),
    sa.column("title", sa.String),
    sa.column("steps_html", sa.Text),
    sa.column("service_name", sa.String),
    sa.column("contact_phone", sa.String),
    sa.column("contact_email", sa.String),
)


def upgrade():
    op.create_table('threshold_search_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('groups_text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('lock_version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_threshold_search_synonyms_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threshold_search_synonyms'))
    )
    search_entries = op.create_table('threshold_search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('anchor', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['threshold_versions.id'], name=op.f('fk_threshold_search_entries_version_id_threshold_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threshold_search_entries'))
    )
    with op.batch_alter_table('threshold_search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_threshold_search_entries_version_id'), ['version_id'], unique=False)

    with op.batch_alter_table('threshold_sections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shows', sa.String(length=20), server_default='', nullable=False))

    with op.batch_alter_table('threshold_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_from', sa.Date(), nullable=True))

    _effective_from_publication()

    with op.batch_alter_table('threshold_versions', schema=None) as batch_op:
        batch_op.drop_column('superseded_at')

    _sections_that_hold_levels_and_pathways()
    _index_every_version(search_entries)


def _effective_from_publication():
    """Each published or superseded version was in effect from the (local) day it was published."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(versions_table.c.id, versions_table.c.published_at).where(
            versions_table.c.status.in_(["published", "superseded"])
        )
    ).all()
    for version_id, published_at in rows:
        published_at = published_at or datetime.now(UTC).replace(tzinfo=None)
        local_day = published_at.replace(tzinfo=UTC).astimezone(LOCAL_ZONE).date()
        connection.execute(
            versions_table.update()
            .where(versions_table.c.id == version_id)
            .values(status="published", effective_from=local_day)
        )


def _sections_that_hold_levels_and_pathways():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(sections_table.c.id, sections_table.c.version_id, sections_table.c.title).order_by(
            sections_table.c.version_id, sections_table.c.position
        )
    ).all()
    taken = set()
    for section_id, version_id, title in rows:
        words = fold(title)
        shows = "levels" if "levels of need" in words else "pathways" if "pathway" in words else ""
        if shows and (version_id, shows) not in taken:
            taken.add((version_id, shows))
            connection.execute(
                sections_table.update().where(sections_table.c.id == section_id).values(shows=shows)
            )


def _index_every_version(search_entries):
    """The same entries app.thresholds.search.index_entries writes on save (as it was written
    when this migration was; `flask thresholds reindex` rewrites them with today's code)."""
    connection = op.get_bind()
    versions = connection.execute(
        sa.select(
            versions_table.c.id, versions_table.c.number, versions_table.c.summary_of_amendments, documents_table.c.title
        ).join(documents_table, documents_table.c.id == versions_table.c.document_id)
    ).all()
    for version_id, number, summary, document_title in versions:
        rows = [("document", document_title, "", "", search_text(document_title))]
        if summary:
            rows.append(("amendments", f"Key amendments in version {number}", summary, "amendments", search_text(summary)))
        rows += _section_rows(connection, version_id)
        rows += _level_rows(connection, version_id)
        rows += _pathway_rows(connection, version_id)
        if rows:
            op.bulk_insert(
                search_entries,
                [
                    {"version_id": version_id, "position": n, "kind": kind, "label": label[:300], "anchor": anchor,
                     "text": text, "search_text": words}
                    for n, (kind, label, text, anchor, words) in enumerate(rows)
                ],
            )


def _section_rows(connection, version_id):
    rows = []
    sections = connection.execute(
        sa.select(sections_table.c.position, sections_table.c.code, sections_table.c.title, sections_table.c.body_html)
        .where(sections_table.c.version_id == version_id)
        .order_by(sections_table.c.position)
    ).all()
    for position, code, title, body_html in sections:
        body = plain_text(body_html)
        anchor = f"section-{(code or str(position)).lower()}"
        rows.append(("section", f"{code}. {title}" if code else title, body, anchor, search_text(title, body)))
    return rows


def _level_rows(connection, version_id):
    rows = []
    levels = connection.execute(
        sa.select(levels_table).where(levels_table.c.version_id == version_id).order_by(levels_table.c.level)
    ).all()
    for level in levels:
        name, anchor = f"Level {level.level}: {level.title}", f"level-{level.level}"
        description = plain_text(level.description_html)
        rows.append(("level", name, description, anchor, search_text(level.title, description)))
        for suffix, part, html in (("-response", "expected response", level.response_html),
                                   ("-contact", "who to contact", level.contact_html)):
            if text := plain_text(html):
                rows.append(("level", f"{name} – {part}", text, anchor + suffix, search_text(text)))
        indicators = connection.execute(
            sa.select(indicators_table.c.text)
            .where(indicators_table.c.need_level_id == level.id)
            .order_by(indicators_table.c.position)
        ).scalars()
        rows += [("indicator", name, text, anchor, search_text(text)) for text in indicators]
    return rows


def _pathway_rows(connection, version_id):
    rows = []
    pathways = connection.execute(
        sa.select(pathways_table).where(pathways_table.c.version_id == version_id).order_by(pathways_table.c.position)
    ).all()
    for p in pathways:
        steps = plain_text(p.steps_html)
        words = search_text(p.concern, p.title, steps, p.service_name, p.contact_phone, p.contact_email)
        rows.append(("pathway", f"{p.concern}, level {p.level}", f"{p.title}. {steps}", f"pathway-{p.position}", words))
    return rows


def downgrade():
    with op.batch_alter_table('threshold_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(), nullable=True))

    _superseded_again()

    with op.batch_alter_table('threshold_versions', schema=None) as batch_op:
        batch_op.drop_column('effective_from')

    with op.batch_alter_table('threshold_sections', schema=None) as batch_op:
        batch_op.drop_column('shows')

    with op.batch_alter_table('threshold_search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_threshold_search_entries_version_id'))

    op.drop_table('threshold_search_entries')
    op.drop_table('threshold_search_synonyms')


def _superseded_again():
    """One published version per document (its newest, even if it was still scheduled); the others
    superseded when the next one was published."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(versions_table.c.id, versions_table.c.document_id, versions_table.c.published_at)
        .where(versions_table.c.status == "published")
        .order_by(versions_table.c.document_id, versions_table.c.number.desc())
    ).all()
    newer_published_at = {}
    for version_id, document_id, published_at in rows:
        if document_id in newer_published_at:
            connection.execute(
                versions_table.update()
                .where(versions_table.c.id == version_id)
                .values(status="superseded", superseded_at=newer_published_at[document_id])
            )
        newer_published_at[document_id] = published_at
