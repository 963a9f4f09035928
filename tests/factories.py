"""Plain functions that build test data and commit it. Each returns the ORM object."""

from __future__ import annotations

import itertools

from app.auth.models import Agency, AgencyKind, Role, User
from app.auth.passwords import hash_password
from app.extensions import db

PASSWORD = "a long test passphrase"  # noqa: S105 - test accounts only
_sequence = itertools.count(1)


def make_agency(
    name: str | None = None, kind: str = AgencyKind.POLICE, district: str = "Countywide", active=True
):
    agency = Agency(name=name or f"Agency {next(_sequence)}", kind=kind, district=district, active=active)
    db.session.add(agency)
    db.session.commit()
    return agency


def make_user(
    role: str = Role.PARTNER,
    agency: Agency | None = None,
    email: str | None = None,
    full_name: str | None = None,
    password: str | None = PASSWORD,
    active: bool = True,
):
    n = next(_sequence)
    user = User(
        email=email or f"user{n}@example.test",
        full_name=full_name or f"Test User {n}",
        role=str(role),
        agency=agency or make_agency(),
        active=active,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def reload(obj):
    """The row as the database has it now (after a request changed it)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)
