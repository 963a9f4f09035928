"""Every foreign key, and every column the lists filter or sort by, has an index to use."""

from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, select

from app.extensions import db

# Columns the pages filter, join or sort on beyond foreign keys (see the list views' filters).
FILTERED = {
    ("actions", "review"),
    ("actions", "status"),
    ("actions", "rag"),
    ("actions", "due_date"),
    ("audit_events", "occurred_at"),
    ("audit_events", "action"),
    ("audit_events", "object_type"),
    ("users", "role"),
    ("users", "full_name"),
    ("threshold_versions", "status"),
    # The triage queue and the home panels: flagged and waiting, and new messages.
    ("feedback", "flagged"),
    ("feedback", "triage"),
    ("feedback", "received_at"),
}


def _leading_columns(table) -> set[str]:
    """Columns that lead an index, unique constraint or primary key of the table."""
    leading = {index.columns.values()[0].name for index in table.indexes}
    keys = [c for c in table.constraints if isinstance(c, PrimaryKeyConstraint | UniqueConstraint)]
    leading |= {c.columns.values()[0].name for c in keys if c.columns.values()}
    return leading


def test_every_foreign_key_and_filtered_column_leads_an_index(app):
    missing = []
    for table in db.metadata.sorted_tables:
        leading = _leading_columns(table)
        wanted = {fk.parent.name for fk in table.foreign_keys}
        wanted |= {column for name, column in FILTERED if name == table.name}
        missing += [f"{table.name}.{column}" for column in sorted(wanted - leading)]
    assert missing == []


def _plan(statement, table: str, filling: str, parameters: tuple = ()) -> str:
    """The statement's plan. On PostgreSQL, with `table` filled first by `filling` (SQL) and
    analysed, as on a partnership's data (on a nearly empty table the planner may as well read it
    all); the rows are rolled back after."""
    with db.engine.connect() as connection:
        sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name != "postgresql":
            return " ".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        with connection.begin() as transaction:
            connection.exec_driver_sql(filling, parameters)
            connection.exec_driver_sql(f"ANALYZE {table}")
            plan = " ".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
            transaction.rollback()
        with connection.begin():
            connection.exec_driver_sql(f"ANALYZE {table}")
    return plan


def test_the_newest_change_to_shared_data_is_found_from_its_own_partial_index(app):
    """Every page asks for it (app/report_cache.py): one step in ix_audit_events_shared_data,
    not a walk back over every sign-in since."""
    from app.report_cache import _newest_event_id

    # As on a partnership's trail, where sign-ins far outnumber changes.
    sign_ins = (
        "INSERT INTO audit_events (occurred_at, actor_label, action, object_type, summary)"
        " SELECT now(), 'test', 'auth.sign_in', 'users', '' FROM generate_series(1, 5000)"
    )
    plan = _plan(select(_newest_event_id()), "audit_events", sign_ins)
    assert "ix_audit_events_shared_data" in plan, plan


def test_the_invited_accounts_are_counted_from_their_own_partial_index(app):
    """The administrator's home page counts them on every visit: one step into
    ix_users_awaiting_password, not a read of every account."""
    from sqlalchemy import func

    from app.auth.models import User, awaiting_password
    from tests.factories import make_agency

    # As in a partnership, where nearly every account has signed up.
    signed_up = (
        "INSERT INTO users (email, full_name, agency_id, role, active, password_hash, created_at,"
        " lock_version) SELECT 'user' || n || '@example.test', 'Someone', %s, 'partner', true,"
        " 'hash', now(), 1 FROM generate_series(1, 5000) AS n"
    )
    statement = select(func.count(User.id)).where(awaiting_password())
    plan = _plan(statement, "users", signed_up, (make_agency().id,))
    assert "ix_users_awaiting_password" in plan, plan


def test_the_audit_page_counts_what_it_shows_from_the_index_on_action_however_many_sign_ins(
    app, client, as_role
):
    """The page hides routine events (sign-ins) unless asked, and counts the rest: from the index
    on action, not by reading every sign-in. On PostgreSQL this fails if the page asks for "not
    routine" (NOT IN) instead of the kinds it shows. SQLite reads the whole table of make bench's
    trail unless told the kinds are rare (app.pagination.rarely_true); on this smaller one it
    finds the index unaided, so here its plan is checked, not the hint."""
    from sqlalchemy import event, insert, text

    from app.audit import record
    from app.audit.models import AuditEvent
    from app.db_types import utcnow

    admin = as_role("admin")
    routine = ("auth.sign_in", "auth.sign_out", "auth.sign_in_failed")
    event_of = {"occurred_at": utcnow(), "actor_label": "someone", "object_type": "users", "summary": ""}
    rows = [{**event_of, "action": routine[n % 3]} for n in range(30_000)]
    db.session.execute(insert(AuditEvent.__table__), rows)
    # Several kinds of change, each rare among the sign-ins.
    for kind in ("agency.create", "agency.update", "agency.deactivate", "user.update", "user.deactivate"):
        record(kind, admin.agency, actor=admin, summary="A change")
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()

    plans = []
    with db.engine.connect() as connection:
        postgresql = connection.dialect.name == "postgresql"

        def explain(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().startswith("SELECT count(*)"):
                rows = connection.exec_driver_sql(
                    ("EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN ") + statement, parameters
                ).all()
                plans.append(" ".join(str(row[0] if postgresql else row[-1]) for row in rows))

        event.listen(db.engine, "before_cursor_execute", explain)
        try:
            page = client.get("/admin/audit/").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", explain)
    assert "Showing 1 to 5 of 5 events" in " ".join(page.split())
    assert len(plans) == 1 and "ix_audit_events_action" in plans[0], plans
