"""Who may use which route, and which agency's records a user may see. The one place for both.

Every view carries exactly one of these decorators; tests/test_routes_meta.py fails for any
endpoint that has none.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select

from app.auth.models import CROSS_AGENCY_ROLES, Role
from app.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = tuple(Role)
STAFF_ROLES = ALL_ROLES  # every signed-in account is partnership staff of some kind


def _mark(view: Callable, access: str) -> None:
    view.access = access  # read by the url_map guard test and the route matrix


def public(view: F) -> F:
    """Anyone, signed in or not (sign-in page, health check, young people's pages)."""
    _mark(view, "public")
    return view


def requires_role(*roles: Role) -> Callable[[F], F]:
    """Signed in with one of these roles; anonymous users go to sign-in, others get 403."""
    allowed = frozenset(str(r) for r in roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        _mark(wrapped, "roles:" + ",".join(sorted(allowed)))
        wrapped.allowed_roles = allowed
        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in(view: F) -> F:
    """Any signed-in account, whatever its role."""
    return requires_role(*ALL_ROLES)(view)


admin_only = requires_role(Role.ADMIN)


def sees_all_agencies(user) -> bool:
    return user.role in CROSS_AGENCY_ROLES


def scoped_to_agency(stmt: Select, agency_column, user) -> Select:
    """Limit a query to the user's own agency unless their role spans the partnership."""
    if sees_all_agencies(user):
        return stmt
    return stmt.where(agency_column == user.agency_id)


def get_or_404(model, ident: Any, *, for_user=None, agency_attr: str = "agency_id"):
    """Load one record or answer 404; with for_user, records of another agency are 404 too."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    if for_user is not None and not sees_all_agencies(for_user):
        if getattr(obj, agency_attr) != for_user.agency_id:
            abort(404)
    return obj
