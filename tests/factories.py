"""Plain functions that build test data and commit it. Each returns the ORM object."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

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


def make_threshold_document(
    title: str = "Pathway to Provision",
    slug: str | None = None,
    *,
    public: bool = True,
    published: bool = True,
    admin=None,
    pathways=None,
):
    """A threshold document with one version (published unless told otherwise), built through the
    same service functions the admin screens use."""
    from datetime import timedelta

    from app.db_types import utcnow
    from app.thresholds.models import ThresholdVersion
    from app.thresholds.services import (
        DraftContent,
        LevelInput,
        PathwayInput,
        SectionInput,
        create_document,
        publish_version,
        save_draft,
    )

    admin = admin or make_user(role=Role.ADMIN)
    document = create_document(
        title=title, slug=slug or f"doc-{next(_sequence)}", is_public=public, actor=admin
    )
    db.session.flush()
    version = db.session.query(ThresholdVersion).filter_by(document_id=document.id).one()
    content = DraftContent(
        summary_of_amendments="First version agreed by the board.",
        next_review_date=(utcnow() + timedelta(days=200)).date(),
        sections=[
            SectionInput(
                "A", "A continuum of need", "Most children's needs are met by **universal** services."
            )
        ],
        levels=[
            LevelInput(
                n,
                name,
                f"Level {n} description",
                f"Level {n} response",
                f"Level {n} contact",
                {"development": [f"Level {n} developmental indicator"], "parenting": [], "family": []},
            )
            for n, name in (
                (1, "Universal"),
                (2, "Early help"),
                (3, "Targeted early help"),
                (4, "Specialist"),
            )
        ],
        pathways=pathways
        if pathways is not None
        else [
            PathwayInput(
                "Neglect",
                4,
                "Neglect causing significant harm",
                "Refer the same day.",
                "Notts Connect",
                "0300 500 80 80",
                "referrals@connect.example",
            ),
            PathwayInput(
                "Domestic violence", 3, "Domestic violence: medium risk", "Complete a DASH risk assessment."
            ),
        ],
    )
    save_draft(version, content, loaded_version=version.lock_version, actor=admin)
    if published:
        publish_version(version, loaded_version=version.lock_version, actor=admin)
    db.session.commit()
    return document


def make_project(
    number: int | None = None, title: str = "Partnership thresholds and pathways", programme=None
):
    from app.actions.models import Programme, Project

    if programme is None:
        programme = db.session.query(Programme).first() or Programme(
            name="Safeguarding and Looked After Children Improvement Programme",
            sponsor_group="Safeguarding Forum",
        )
        db.session.add(programme)
        db.session.flush()
    if number is None:  # the next free number: numbers are unique in a programme
        number = (db.session.scalar(select(func.max(Project.number))) or 0) + 1
    project = Project(programme_id=programme.id, number=number, title=title, lead_name="Lead")
    db.session.add(project)
    db.session.commit()
    return project


def make_action(
    owner: Agency | None = None,
    project=None,
    *,
    title: str = "Brief all staff on the thresholds",
    rag: str = "green",
    percent: int = 0,
    status: str = "in_progress",
    due_in_days: int = 30,
    review: str = "accepted",
    weight: int = 1,
    contributors=(),
    return_reason: str = "",
    submitted_by=None,
):
    from datetime import timedelta

    from app.actions.models import Action
    from app.actions.services import next_reference
    from app.db_types import utcnow

    owner = owner or make_agency()
    if project is None and review == "accepted":
        project = make_project()
    action = Action(
        title=title,
        project_id=project.id if review == "accepted" else None,
        reference=next_reference(project) if review == "accepted" else None,
        owner_agency_id=owner.id,
        owner_name="Named Owner",
        due_date=utcnow().date() + timedelta(days=due_in_days),
        rag=rag,
        percent_complete=percent,
        status=status,
        review=review,
        weight=weight,
        contributors=list(contributors),
        return_reason=return_reason,
        submitted_by_id=submitted_by.id if submitted_by else None,
    )
    db.session.add(action)
    db.session.commit()
    return action


def one_of_everything(owner: Agency | None = None, admin=None) -> dict:
    """One record of every kind a URL names, keyed by the URL's part (action_id, slug, ...): the
    route-wide tests fill every rule from it. A new module adds its records here."""
    from datetime import timedelta

    from app.actions.models import Challenge
    from app.dates import today
    from app.participation.models import Consultation, Feedback, Response

    admin = admin or make_user(role=Role.ADMIN)
    owner = owner or make_agency()
    document = make_threshold_document(slug="doc", admin=admin)
    action = make_action(owner=owner)
    challenge = Challenge(action_id=action.id, text="Why?", raised_by_id=admin.id)
    feedback = Feedback(what_should_change="More buses", flagged=True, flag_reasons="ticked")
    consultation = Consultation(
        title="Feeling safe",
        question="What makes you feel safe?",
        opens_on=today(),
        closes_on=today() + timedelta(days=9),
    )
    response = Response(you_said="Buses", we_did="More buses")
    db.session.add_all([challenge, feedback, consultation, response])
    db.session.commit()
    return {
        "agency_id": owner.id,
        "user_id": make_user(agency=owner).id,
        "slug": document.slug,
        "number": 1,
        "action_id": action.id,
        "challenge_id": challenge.id,
        "project_id": action.project_id,
        "feedback_id": feedback.id,
        "consultation_id": consultation.id,
        "response_id": response.id,
        "notification_id": _a_notification(admin),
        "token": "x" * 43,
        "table": "projects",
        **_returns_records(owner),
        **_inspection_records(owner, admin),
    }


def _inspection_records(owner: Agency, admin) -> dict:
    """Inspection readiness and briefings: one of each record their URLs name."""
    from datetime import date, time

    from app.briefings.models import Briefing
    from app.inspection.models import Activity, ChecklistItem, EvidenceItem, Framework, JudgementArea

    framework = Framework(name="Safeguarding and looked after children inspection 2009")
    db.session.add(framework)
    db.session.flush()
    area = JudgementArea(framework_id=framework.id, position=1, name="Partnership working")
    evidence = EvidenceItem(
        title="Board minutes", owner_agency_id=owner.id, dated=date(2026, 10, 1), link_path="/progress/"
    )
    item = ChecklistItem(title="Minutes of the last six Board meetings", owner_agency_id=owner.id)
    activity = Activity(
        kind="managers",
        title="Meeting with managers",
        day=date(2027, 1, 11),
        starts_at=time(9),
        ends_at=time(10),
    )
    briefing = Briefing(
        title="The inspection is coming", body_html="<p>Be ready.</p>", published_by_id=admin.id
    )
    db.session.add_all([area, evidence, item, activity, briefing])
    db.session.commit()
    return {
        "area_id": area.id,
        "evidence_id": evidence.id,
        "item_id": item.id,
        "activity_id": activity.id,
        "briefing_id": briefing.id,
    }


def _returns_records(owner: Agency) -> dict:
    """A return period open now, and the owner agency's draft return for it."""
    from app.returns.models import Return

    period = make_return_period()
    ret = Return(agency_id=owner.id, period_id=period.id, answers={}, comments={})
    db.session.add(ret)
    db.session.commit()
    return {"return_id": ret.id, "period_id": period.id}


def make_return_period(name: str = "2009/10 Q3", *, due_in: int = 14, kinds: str = "", closed: bool = False):
    """A period whose returns opened two weeks ago, due in `due_in` days, covering the quarter
    before."""
    from datetime import timedelta

    from app.dates import today
    from app.returns.models import ReturnPeriod

    day = today()
    period = ReturnPeriod(
        name=name,
        covers_from=day - timedelta(days=105),
        covers_to=day - timedelta(days=14),
        opens_on=day - timedelta(days=14),
        due_on=day + timedelta(days=due_in),
        agency_kinds=kinds,
        closed=closed,
    )
    db.session.add(period)
    db.session.commit()
    return period


def _a_notification(user) -> int:
    from app.notifications.models import Notification

    notification = Notification(recipient_id=user.id, kind="test", title="Something happened", link="/")
    db.session.add(notification)
    db.session.commit()
    return notification.id
