"""Small builders for the inspection tests."""

from __future__ import annotations

from datetime import date, time

from app.extensions import db
from app.inspection.evidence import EvidenceDetails
from app.inspection.models import Activity, Attendee, Framework, JudgementArea
from tests.factories import PASSWORD, make_user

FIELDWORK = date(2027, 3, 15)  # a Monday


def evidence_details(**changes) -> EvidenceDetails:
    """An evidence item's details as the form gives them: Board minutes seen by the partnership."""
    values = dict(
        title="Board minutes, September",
        owner_agency_id=None,
        dated=date(2026, 9, 30),
        area_ids=[],
        visibility="partnership",
        visible_to=[],
    )
    values.update(changes)
    return EvidenceDetails(**values)


def make_framework(*area_names: str, starts: date | None = FIELDWORK) -> Framework:
    framework = Framework(
        name="Safeguarding and looked after children inspection 2009", fieldwork_starts_on=starts
    )
    db.session.add(framework)
    db.session.flush()
    for position, name in enumerate(area_names or ("Partnership working",), start=1):
        db.session.add(JudgementArea(framework_id=framework.id, position=position, name=name))
    db.session.commit()
    return framework


def make_activity(
    title="Meeting with managers",
    day=FIELDWORK,
    starts=(9, 0),
    ends=(10, 0),
    location="County Hall, Room 1",
    inspectors="Jane Marsh",
    users=(),
    names=(),
    **extra,
) -> Activity:
    activity = Activity(
        kind=extra.pop("kind", "managers"),
        title=title,
        day=day,
        starts_at=time(*starts),
        ends_at=time(*ends),
        location=location,
        inspectors=inspectors,
        **extra,
    )
    activity.attendees = [Attendee(user_id=u.id) for u in users] + [Attendee(external_name=n) for n in names]
    db.session.add(activity)
    db.session.commit()
    return activity


def signed_in_client(app, role: str, **user_args):
    """A client of its own, signed in as a new user with this role (for several roles in a test)."""
    user = make_user(role=role, **user_args)
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    client.user = user
    return client
