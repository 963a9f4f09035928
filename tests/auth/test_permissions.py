"""app/auth/permissions.py, directly: who sees every agency's people and records."""

from sqlalchemy import select

from app.auth.models import User
from app.auth.permissions import SEE_ALL_AGENCIES
from app.extensions import db
from app.permissions import scoped_to_agency
from tests.factories import make_agency, make_user

ROLES = ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead", "admin"]


def test_the_partnership_wide_roles_see_every_agency_and_agency_staff_their_own(app):
    police, health = make_agency(), make_agency()
    users = {role: make_user(role=role, agency=police) for role in ROLES}
    nurse = make_user(agency=health)
    everyone = {u.id for u in users.values()} | {nurse.id}
    police_only = everyone - {nurse.id}
    for role, user in users.items():
        seen = set(db.session.scalars(scoped_to_agency(select(User.id), User.agency_id, user)))
        wide = role in ("trust_member", "programme_manager", "participation_lead", "admin")
        assert SEE_ALL_AGENCIES.allows(user) is wide, role
        assert seen == (everyone if wide else police_only), role
