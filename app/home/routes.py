import logging
import secrets

from flask import redirect, url_for
from flask_login import current_user
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import joinedload

from app.auth.models import Agency, SignInThrottle, User
from app.extensions import db
from app.home import bp
from app.home.panels import panels_for
from app.htmx import render
from app.pagination import int_arg, paginate
from app.permissions import public, scoped_to_agency, signed_in

log = logging.getLogger(__name__)


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return render("home/index.html", panels=panels_for(current_user))


@bp.get("/healthz")
@public
def health():
    state = _database_state()
    if state != "ok":
        return {"status": "unavailable", "database": state}, 503, {"Retry-After": "30"}
    return {"status": "ok", "database": "ok"}


def _database_state() -> str:
    """Whether the database answers a read and accepts a write: ok, not writable or unreachable."""
    try:
        with db.engine.connect() as connection:
            connection.execute(select(text("1")))
            return "ok" if _write_is_accepted(connection) else "not writable"
    except Exception:  # noqa: BLE001 - any failure here means "not healthy"
        return "unreachable"


def _write_is_accepted(connection) -> bool:
    """Write a real row into a real table, read it back, roll back: nothing is left behind.

    A read-only database (a standby after a failover, a read-only file or volume, revoked grants,
    default_transaction_read_only) still answers SELECT 1 while every form fails. An UPDATE of no
    rows or a temporary table would not notice all of those (SQLite keeps temporary tables outside
    the database file). sign_in_throttles is the table every sign-in writes first and has no
    sequence to use up; a random address under the reserved .invalid domain never meets a real
    row or a concurrent check.
    """
    probe = f"health-check-{secrets.token_hex(8)}@invalid"
    try:
        connection.execute(
            insert(SignInThrottle).values({SignInThrottle.key: probe, SignInThrottle.failure_count: 0})
        )
        written = connection.scalar(
            select(func.count()).select_from(SignInThrottle).where(SignInThrottle.key == probe)
        )
        connection.rollback()
    except Exception:  # noqa: BLE001 - any failure to write means "not healthy"
        log.warning("Health check: the database refused a write", exc_info=True)
        return False
    return written == 1


@bp.get("/people")
@signed_in
def list_people():
    """The partnership's people: partner staff see their own agency's colleagues only."""
    stmt = select(User).options(joinedload(User.agency)).where(User.active.is_(True)).order_by(User.full_name)
    stmt = scoped_to_agency(stmt, User.agency_id, current_user)
    agency_id = int_arg("agency")
    if agency_id:
        stmt = stmt.where(User.agency_id == agency_id)
    agencies_stmt = scoped_to_agency(
        select(Agency).where(Agency.active.is_(True)).order_by(Agency.name), Agency.id, current_user
    )
    return render(
        "home/list_people.html",
        block="results",
        page=paginate(stmt),
        agencies=db.session.scalars(agencies_stmt).all(),
        agency_id=agency_id,
    )
