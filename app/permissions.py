"""Who may do what: named permissions, one definition each, used by routes, services and templates.

Each feature declares its permissions in its own `permissions.py`:

    UPDATE = Permission(
        "actions.update",
        "Post progress updates on an action",
        {Role.PARTNER: OWN_AGENCY_ACTION, Role.PROGRAMME_MANAGER: ALWAYS, ...},
    )

- a route guard: `@requires(UPDATE)` lets in the roles that may ever hold it (others get 403,
  anonymous users go to sign in);
- a service: `UPDATE.require(user, action)` refuses with NotAllowed (403) whoever calls it;
- a template: `can("actions.update", action)` decides whether a button shows.

Role names appear in the features' permission modules and nowhere else. `flask permissions table`
prints the role × permission table from these definitions (docs/PERMISSIONS.md is its output).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, bindparam

from app.auth.models import Role
from app.errors import NotAllowed
from app.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Grant:
    """How a role holds a permission: always, or only for some records (`applies(user, record)`)."""

    text: str
    applies: Callable[[Any, Any], bool] | None = None

    def allows(self, user, record) -> bool:
        if self.applies is None:
            return True
        if record is None:
            raise TypeError(f"This permission is held '{self.text}': say which record it is about.")
        return self.applies(user, record)


ALWAYS = Grant("yes")


def only(text: str, applies: Callable[[Any, Any], bool]) -> Grant:
    """A grant that depends on the record, e.g. only("own agency", lambda user, action: ...)."""
    return Grant(text, applies)


REGISTRY: dict[str, Permission] = {}


class Permission:
    def __init__(self, name: str, description: str, grants: dict[Role, Grant]):
        if name in REGISTRY:
            raise ValueError(f"Permission {name} is defined twice.")
        self.name = name
        self.description = description
        self.grants = {Role(role): grant for role, grant in grants.items()}
        REGISTRY[name] = self

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(self.grants)

    def held_by_role(self, role: str | None) -> bool:
        """True if someone with this role may hold the permission for at least some records."""
        return role in self.grants

    def allows(self, user, record: Any = None) -> bool:
        if user is None or not user.is_authenticated:
            return False
        grant = self.grants.get(user.role)
        return grant is not None and grant.allows(user, record)

    def require(self, user, record: Any = None) -> None:
        if not self.allows(user, record):
            raise NotAllowed(
                f"You do not have permission to {self.description[0].lower()}{self.description[1:]}."
            )

    def __repr__(self) -> str:
        return f"<Permission {self.name}>"


def permission_named(name: str) -> Permission:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"No permission is called {name!r}.") from None


def can(name: str, record: Any = None) -> bool:
    """For templates: may the signed-in user do this (to this record)?"""
    return permission_named(name).allows(current_user, record)


class AnyReaderOfRole:
    """A stand-in for every signed-in user with `role`, whose agency is the bound parameter
    `agency_id`: for a scoping query (visible_actions, visible_returns) built once per role, as
    building it costs more than running it. A scoping rule that turns on anything else about the
    user (its id, say) fails here at once, rather than being shared between users."""

    is_authenticated = True

    def __init__(self, role: str):
        self.role = role
        self.agency_id = bindparam("agency_id")


# --- Route guards: every view carries exactly one; tests/test_routes_meta.py checks ----------


def _mark(view: Callable, access: str, permission: Permission | None = None) -> None:
    view.access = access  # read by the url_map guard test and the route matrix
    view.permission = permission


def public(view: F) -> F:
    """Anyone, signed in or not (sign-in page, health check, young people's pages)."""
    _mark(view, "public")
    return view


def signed_in(view: F) -> F:
    """Any signed-in account, whatever its role."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    _mark(wrapped, "signed-in")
    return wrapped  # type: ignore[return-value]


def requires(permission: Permission) -> Callable[[F], F]:
    """Signed in with a role that may hold this permission; anonymous users go to sign in, other
    roles get 403. Record-level conditions ("own agency") are checked once the record is loaded."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not permission.held_by_role(current_user.role):
                abort(403)
            return view(*args, **kwargs)

        _mark(wrapped, "permission:" + permission.name, permission)
        return wrapped  # type: ignore[return-value]

    return decorator


def expected_status(view: Callable, role: str | None) -> int:
    """What a GET of this view answers for a role (None: anonymous), by its guard alone."""
    access = getattr(view, "access", None)
    if access == "public":
        return 200
    if role is None:
        return 302
    if access == "signed-in":
        return 200
    return 200 if view.permission.held_by_role(role) else 403


# --- Agency scoping, in the query -----------------------------------------------------------


def sees_all_agencies(user) -> bool:
    from app.auth.permissions import SEE_ALL_AGENCIES

    return SEE_ALL_AGENCIES.allows(user)


def scoped_to_agency(stmt: Select, agency_column, user) -> Select:
    """Limit a query to the user's own agency unless their role spans the partnership."""
    if sees_all_agencies(user):
        return stmt
    return stmt.where(agency_column == user.agency_id)


def get_or_404(model, ident: Any):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


# --- The role × permission table ----------------------------------------------------------------


def permission_table() -> str:
    """Markdown: one row per permission, one column per role, each cell how the role holds it."""
    roles = list(Role)
    lines = [
        "| permission | what it allows | " + " | ".join(r.value for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for name in sorted(REGISTRY):
        perm = REGISTRY[name]
        cells = [perm.grants[r].text if r in perm.grants else "—" for r in roles]
        lines.append(f"| `{name}` | {perm.description} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
