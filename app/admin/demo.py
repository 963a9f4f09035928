"""The demonstration partnership, drawn from the November 2009 board paper (shared/seed)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.audit import record
from app.auth.models import Agency, AgencyKind, Role, User
from app.auth.passwords import hash_password
from app.db_types import utcnow
from app.extensions import db

DEMO_PASSWORD = "safeguarding-demo"  # noqa: S105 - demo accounts only; refused in production

COUNTY_COUNCIL = "Nottinghamshire County Council Children and Young People's Services"

AGENCIES = [
    (COUNTY_COUNCIL, AgencyKind.CHILDRENS_SOCIAL_CARE, "Countywide"),
    ("Nottinghamshire Police", AgencyKind.POLICE, "Countywide"),
    ("NHS Nottinghamshire County (PCT)", AgencyKind.HEALTH, "Countywide"),
    ("NHS Bassetlaw (PCT)", AgencyKind.HEALTH, "Bassetlaw"),
    ("Notts Connect", AgencyKind.OTHER, "Countywide"),
    ("Sherwood Vale Academy", AgencyKind.SCHOOL, "Mansfield and Ashfield"),
    ("Trentbank Primary School", AgencyKind.SCHOOL, "Newark and Sherwood"),
    ("Open Door Families Trust", AgencyKind.VOLUNTARY, "Mansfield and Ashfield"),
    ("Mansfield District Council", AgencyKind.DISTRICT_COUNCIL, "Mansfield and Ashfield"),
    ("Nottinghamshire Youth Justice Service", AgencyKind.PROBATION_YOUTH_OFFENDING, "Countywide"),
]

# (email, full name, role, agency, has set a password)
ACCOUNTS = [
    ("admin@demo.test", "Margaret Ellis", Role.ADMIN, COUNTY_COUNCIL, True),
    ("pm@demo.test", "David Okafor", Role.PROGRAMME_MANAGER, COUNTY_COUNCIL, True),
    ("trust@demo.test", "Cllr Helen Marsh", Role.TRUST_MEMBER, COUNTY_COUNCIL, True),
    ("participation@demo.test", "Priya Shah", Role.PARTICIPATION_LEAD, COUNTY_COUNCIL, True),
    ("police@demo.test", "PC Tom Hargreaves", Role.PARTNER, "Nottinghamshire Police", True),
    ("police.lead@demo.test", "DI Sarah Bennett", Role.AGENCY_LEAD, "Nottinghamshire Police", True),
    ("health@demo.test", "Dr Aisha Rahman", Role.PARTNER, "NHS Nottinghamshire County (PCT)", True),
    ("school@demo.test", "Gareth Lloyd", Role.AGENCY_LEAD, "Sherwood Vale Academy", True),
    # Further staff, so lists and the people directory look like a working partnership.
    ("sue.whitfield@demo.test", "Sue Whitfield", Role.AGENCY_LEAD, "NHS Nottinghamshire County (PCT)", True),
    ("mark.denton@demo.test", "Mark Denton", Role.AGENCY_LEAD, "NHS Bassetlaw (PCT)", True),
    ("janet.cole@demo.test", "Janet Cole", Role.PARTNER, "NHS Bassetlaw (PCT)", True),
    ("raj.patel@demo.test", "Raj Patel", Role.AGENCY_LEAD, "Notts Connect", True),
    ("lucy.brown@demo.test", "Lucy Brown", Role.PARTNER, "Notts Connect", True),
    ("claire.hughes@demo.test", "Claire Hughes", Role.PARTNER, "Sherwood Vale Academy", True),
    ("andrew.kerr@demo.test", "Andrew Kerr", Role.AGENCY_LEAD, "Trentbank Primary School", True),
    ("fiona.grant@demo.test", "Fiona Grant", Role.AGENCY_LEAD, "Open Door Families Trust", True),
    ("ben.osei@demo.test", "Ben Osei", Role.PARTNER, "Open Door Families Trust", True),
    ("karen.fox@demo.test", "Karen Fox", Role.PARTNER, COUNTY_COUNCIL, True),
    ("steve.ward@demo.test", "Steve Ward", Role.PARTNER, "Nottinghamshire Police", True),
    ("nadia.ali@demo.test", "Nadia Ali", Role.AGENCY_LEAD, "Mansfield District Council", True),
    ("paul.reid@demo.test", "Paul Reid", Role.AGENCY_LEAD, "Nottinghamshire Youth Justice Service", True),
    ("emma.stone@demo.test", "Emma Stone", Role.TRUST_MEMBER, "NHS Nottinghamshire County (PCT)", True),
    # Invited last week and not yet signed in: shows on the admin's home page.
    ("hannah.price@demo.test", "Hannah Price", Role.PARTNER, "Trentbank Primary School", False),
]


def seed() -> None:
    agencies = {}
    for name, kind, district in AGENCIES:
        agency = db.session.scalar(select(Agency).where(Agency.name == name))
        if agency is None:
            agency = Agency(name=name, kind=kind, district=district, active=True)
            db.session.add(agency)
            db.session.flush()
            record(
                "agency.create",
                agency,
                after=agency.audit_view(),
                actor_label="demo seed",
                summary=f"Added agency {name}",
            )
        agencies[name] = agency

    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    for index, (email, full_name, role, agency_name, has_password) in enumerate(ACCOUNTS):
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        user = User(
            email=email,
            full_name=full_name,
            role=role,
            agency_id=agencies[agency_name].id,
            active=True,
            password_hash=password_hash if has_password else None,
            created_at=now - timedelta(days=90 - index),
        )
        db.session.add(user)
        db.session.flush()
        record(
            "user.create",
            user,
            after=user.audit_view(),
            actor_label="demo seed",
            summary=f"Created demo account {email}",
        )


# --- At county scale (flask demo scale) -------------------------------------------------------

SCHOOL_KINDS = (
    "Primary School",
    "Infant School",
    "Junior School",
    "C of E Primary School",
    "Catholic Primary School",
    "Academy",
    "Community College",
    "Nursery School",
)
OTHER_KINDS = (
    (AgencyKind.HEALTH, "{place} Medical Practice"),
    (AgencyKind.HEALTH, "{place} Health Visiting Team"),
    (AgencyKind.VOLUNTARY, "{place} Family Support Project"),
    (AgencyKind.VOLUNTARY, "{place} Youth Club"),
    (AgencyKind.DISTRICT_COUNCIL, "{place} Housing Office"),
    (AgencyKind.OTHER, "{place} Children's Centre"),
)


def scale(targets, progress) -> None:
    """Agencies up to targets.agencies (four in five of them schools) and staff up to
    targets.users, spread across them, every one with the demo password."""
    import random

    from app.demo_scale import DISTRICTS, PLACES, bulk_insert, count, person_name

    rng = random.Random(500)  # noqa: S311 - demo data, the same every time
    taken = set(db.session.scalars(select(Agency.name)))
    rows = []
    while len(taken) < targets.agencies:
        place = rng.choice(PLACES)
        if rng.random() < 0.8:
            kind, name = AgencyKind.SCHOOL, f"{place} {rng.choice(SCHOOL_KINDS)}"
        else:
            kind, pattern = rng.choice(OTHER_KINDS)
            name = pattern.format(place=place)
        suffix = 2
        base = name
        while name in taken:
            name, suffix = f"{base} ({suffix})", suffix + 1
        taken.add(name)
        rows.append({"name": name, "kind": kind, "district": rng.choice(DISTRICTS), "active": True})
    bulk_insert(Agency, rows, progress)

    agency_ids = list(db.session.scalars(select(Agency.id)))
    password_hash = hash_password(DEMO_PASSWORD)
    existing = count(User)
    roles = [Role.PARTNER] * 8 + [Role.AGENCY_LEAD]
    users = []
    for n in range(existing, targets.users):
        name = person_name(rng)
        users.append(
            {
                "email": f"{name.lower().replace(' ', '.')}.{n}@scale.demo.test",
                "full_name": name,
                "agency_id": rng.choice(agency_ids),
                "role": rng.choice(roles),
                "active": True,
                "password_hash": password_hash,
            }
        )
    bulk_insert(User, users, progress)
