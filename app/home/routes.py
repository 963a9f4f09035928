from flask import redirect, url_for
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from app.auth.models import Agency, User
from app.extensions import db
from app.home import bp
from app.home.panels import panels_for
from app.htmx import render
from app.pagination import int_arg, paginate
from app.permissions import public, scoped_to_agency, signed_in


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return render("home/index.html", panels=panels_for(current_user))


@bp.get("/healthz")
@public
def health():
    try:
        db.session.execute(select(text("1")))
    except Exception:  # noqa: BLE001 - any failure here means "not healthy"
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503, {"Retry-After": "30"}
    return {"status": "ok", "database": "ok"}


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
