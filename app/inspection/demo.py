"""Demo inspection readiness: the 2009 framework for safeguarding and looked after children
services with its eight judgement areas and grade descriptors, a self-assessment in progress
with versions and agencies' views, fifteen evidence items (links to portal pages) and the
checklist, and fieldwork starting in three weeks: 81 activities over ten working days, one of them
a clash kept on purpose."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from app.actions.models import Action
from app.auth.models import Agency, User
from app.dates import add_working_days, today
from app.db_types import utcnow
from app.extensions import db
from app.inspection.models import (
    Activity,
    AgencyInput,
    AgencyUnavailability,
    AssessmentVersion,
    Attendee,
    ChecklistItem,
    EvidenceItem,
    Framework,
    GradeDescriptor,
    JudgementArea,
)

FRAMEWORK = "Safeguarding and looked after children inspection 2009"

# (area, what inspectors look at, the words each grade descriptor turns on)
AREAS = [
    (
        "Overall effectiveness",
        "How well the partnership keeps children safe and improves outcomes for looked after children.",
        "the overall effectiveness of services",
    ),
    (
        "Capacity to improve",
        "Whether leaders know their strengths and weaknesses and have the means to improve.",
        "the partnership's capacity to improve",
    ),
    (
        "Safeguarding outcomes",
        "Whether children and young people are safe and feel safe, at home, at school and in the community.",
        "safeguarding outcomes for children and young people",
    ),
    (
        "Leadership and management",
        "Ambition, priorities, performance management, workforce and the use of resources.",
        "leadership and management",
    ),
    (
        "Partnership working",
        "How well the council, health, police, schools and the voluntary sector work together.",
        "partnership working",
    ),
    (
        "User engagement",
        "How children, young people, parents and carers shape the services they receive.",
        "engagement with children, young people and families",
    ),
    (
        "Equality and diversity",
        "Whether services reach and meet the needs of every group of children in the county.",
        "the promotion of equality and diversity",
    ),
    (
        "Value for money",
        "Whether resources are used well and commissioning is driven by outcomes.",
        "value for money",
    ),
]

DESCRIPTORS = {
    "outstanding": "Exceptional {focus}. Outcomes for children and young people are consistently very good "
    "and improving; practice is innovative and shared across agencies; leaders anticipate risks and act "
    "before they affect children.",
    "good": "Strong {focus}. Most outcomes are good and improving; weaknesses are known, understood and "
    "being tackled effectively; partners hold each other to account through the Safeguarding Board and "
    "the Children's Trust.",
    "adequate": "{Focus} meets minimum requirements. Some outcomes are good but performance is "
    "inconsistent between agencies or districts; plans to improve are in place but are not yet showing "
    "consistent impact for children.",
    "inadequate": "{Focus} does not meet minimum requirements. Children and young people are not "
    "adequately safeguarded or their needs are not met; leaders have not identified or tackled serious "
    "weaknesses.",
}

# Consolidated versions: (area, [(grade, strengths, areas for development, why it moved)])
VERSIONS = {
    "Partnership working": [
        (
            "adequate",
            "The MASH has brought police, health and children's social care into one room; referrals "
            "are screened within 24 hours.",
            "Schools and GPs are not yet consistently invited to strategy discussions.",
            "",
        ),
        (
            "good",
            "The MASH screens every referral within 24 hours; strategy discussions now include health in "
            "nine cases out of ten; the threshold document is shared by every agency.",
            "GP attendance at child protection conferences is still below a third.",
            "Audit of 60 strategy discussions in the autumn showed health attended nine in ten.",
        ),
    ],
    "Safeguarding outcomes": [
        (
            "adequate",
            "Child protection plans are reviewed on time; re-referrals have fallen to 19%.",
            "Too many children are on plans for a second time; return interviews after running away are "
            "not always offered within 72 hours.",
            "",
        ),
    ],
    "Leadership and management": [
        (
            "inadequate",
            "The new Director has a clear improvement plan agreed by the Children's Trust.",
            "Caseloads in the Mansfield team exceed 25; supervision is not recorded consistently; agency "
            "staff turnover is high.",
            "",
        ),
        (
            "adequate",
            "The improvement plan is on track; caseloads average 19; supervision is recorded in 85% of "
            "files audited.",
            "Agency staff still make up a fifth of social workers in the Mansfield team.",
            "Caseloads and supervision audits improved for two quarters running.",
        ),
    ],
    "User engagement": [
        (
            "good",
            "Young people's views shape the Children in Care Council's pledge; you said, we did is "
            "published quarterly.",
            "Disabled children's views are not yet gathered systematically.",
            "",
        ),
    ],
}

INPUTS = {
    "police.lead@demo.test": (
        "Partnership working",
        "good",
        "Police officers are in the MASH every weekday; joint visits with social workers happen within "
        "the same day for every section 47 enquiry. Out-of-hours cover is still being agreed.",
    ),
    "sue.whitfield@demo.test": (
        "Partnership working",
        "adequate",
        "Health visitors and school nurses attend most strategy discussions, but GP reports to "
        "conferences are returned on time in only 40% of cases.",
    ),
    "school@demo.test": (
        "Safeguarding outcomes",
        "adequate",
        "Every school has a trained designated teacher; attendance of children in care is 93% and rising.",
    ),
    "fiona.grant@demo.test": (
        "User engagement",
        "good",
        "Open Door ran six focus groups with young carers; their words are in the participation strategy.",
    ),
}

EVIDENCE = [
    (
        "Pathway to Provision: the threshold document, version 1",
        "/thresholds/pathway-to-provision/versions/1",
        ["Safeguarding outcomes", "Partnership working"],
    ),
    (
        "The improvement programme and its projects",
        "/programme/",
        ["Leadership and management", "Capacity to improve"],
    ),
    ("Children's Trust review of progress", "/progress/", ["Overall effectiveness", "Capacity to improve"]),
    ("Young people's feedback: themes and counts", "/feedback/summary", ["User engagement"]),
    ("Safeguarding Board minutes, September", "/progress/", ["Leadership and management"]),
    ("Safeguarding Board minutes, July", "/progress/", ["Leadership and management"]),
    ("Safeguarding Board minutes, May", "/progress/", ["Leadership and management"]),
    ("JAR action plan progress report", "/programme/", ["Capacity to improve", "Overall effectiveness"]),
    ("Safer recruitment assurance: county council", "/progress/", ["Leadership and management"]),
    (
        "Participation strategy 2009 to 2012",
        "/feedback/summary",
        ["User engagement", "Equality and diversity"],
    ),
    (
        "MASH performance: referrals screened within 24 hours",
        "/progress/",
        ["Safeguarding outcomes", "Partnership working"],
    ),
    ("Looked after children: placement stability", "/progress/", ["Safeguarding outcomes"]),
    ("Commissioning strategy for children's services", "/programme/", ["Value for money"]),
    (
        "Equality impact assessment of the threshold document",
        "/thresholds/pathway-to-provision/versions/1",
        ["Equality and diversity"],
    ),
    (
        "Workforce strategy: caseloads and supervision audit",
        "/progress/",
        ["Leadership and management", "Capacity to improve"],
    ),
]

# Pages not every role may open: the items linking to them are restricted to the roles that may.
RESTRICTED_TO = {
    "/progress/": ",admin,programme_manager,trust_member,",
    "/feedback/summary": ",admin,participation_lead,programme_manager,trust_member,",
}

CHECKLIST = [
    ("Minutes of the last six Safeguarding Board meetings", "Safeguarding Board minutes, September", 10),
    ("The threshold document", "Pathway to Provision: the threshold document, version 1", 12),
    ("JAR action plan progress", "JAR action plan progress report", 12),
    ("Safer recruitment assurance from every agency", "Safer recruitment assurance: county council", 14),
    ("The participation strategy", "Participation strategy 2009 to 2012", 14),
    ("Self-assessment against the grade descriptors", None, 15),
    ("Serious case review action plans", None, 16),
    ("Children and young people's plan", None, 16),
]

SLOTS = [
    (time(9, 0), time(10, 0)),
    (time(10, 15), time(11, 30)),
    (time(13, 0), time(14, 0)),
    (time(14, 30), time(15, 45)),
]
TRACK_A = ["managers", "partnership", "health", "focus_group"]
TRACK_B = ["case_tracking", "young_people", "site_visit", "police"]
TITLES = {
    "managers": "Meeting with senior managers of children's social care",
    "partnership": "Meeting with the Safeguarding Board's chair and partners",
    "health": "Meeting with the designated doctor and nurse",
    "focus_group": "Focus group: front-line social workers",
    "case_tracking": "Case tracking: child protection plan",
    "young_people": "Meeting with the Children in Care Council",
    "site_visit": "Visit to the MASH",
    "police": "Meeting with the Public Protection Unit",
}
POOL_A = ["pm@demo.test", "police.lead@demo.test", "sue.whitfield@demo.test", "nadia.ali@demo.test"]
POOL_B = ["school@demo.test", "mark.denton@demo.test", "fiona.grant@demo.test", "paul.reid@demo.test"]
EXTERNAL = ["Carol Dunn (independent chair)", "Revd Mike Hollis (lay member)", "Young people's advocate"]


def seed() -> None:
    if db.session.scalar(select(Framework.id)) is not None:
        return
    start = today() + timedelta(days=21)
    start += timedelta(days=(7 - start.weekday()) % 7)  # fieldwork starts on a Monday
    framework = Framework(name=FRAMEWORK, fieldwork_starts_on=start)
    db.session.add(framework)
    db.session.flush()
    users = {u.email: u for u in db.session.scalars(select(User))}
    agencies = {a.name: a for a in db.session.scalars(select(Agency))}
    pm = users.get("pm@demo.test")
    areas = {}
    for position, (name, description, focus) in enumerate(AREAS, start=1):
        area = JudgementArea(framework_id=framework.id, position=position, name=name, description=description)
        db.session.add(area)
        db.session.flush()
        areas[name] = area
        for order, (grade, words) in enumerate(DESCRIPTORS.items()):
            text = words.format(focus=focus, Focus=focus[:1].upper() + focus[1:])
            db.session.add(GradeDescriptor(area_id=area.id, grade=grade, position=order, text=text))
    _seed_assessments(areas, users, pm)
    actions = db.session.scalars(
        select(Action).where(Action.reference.is_not(None)).order_by(Action.reference)
    ).all()
    for n, name in enumerate(("Partnership working", "Safeguarding outcomes", "Leadership and management")):
        areas[name].actions = actions[n * 3 : n * 3 + 2]
    council = next(
        (a for a in agencies.values() if "County Council" in a.name), next(iter(agencies.values()))
    )
    items = {}
    for n, (title, path, area_names) in enumerate(EVIDENCE):
        item = EvidenceItem(
            title=title,
            owner_agency_id=council.id,
            dated=today() - timedelta(days=7 + 9 * n),
            link_path=path,
            created_by_id=pm.id if pm else None,
        )
        item.areas = [areas[a] for a in area_names]
        if path in RESTRICTED_TO:  # only those who may open the page it links to
            item.visibility, item.visible_to = "restricted", RESTRICTED_TO[path]
        db.session.add(item)
        items[title] = item
    db.session.flush()
    for title, evidence, days in CHECKLIST:
        db.session.add(
            ChecklistItem(
                title=title,
                owner_agency_id=council.id,
                due_on=start - timedelta(days=21 - days),
                evidence_id=items[evidence].id if evidence else None,
            )
        )
    _seed_schedule(start, users, agencies)


def _seed_assessments(areas, users, pm) -> None:
    now = utcnow()
    for name, versions in VERSIONS.items():
        area = areas[name]
        for number, (grade, strengths, development, note) in enumerate(versions, start=1):
            db.session.add(
                AssessmentVersion(
                    area_id=area.id,
                    number=number,
                    grade=grade,
                    strengths=strengths,
                    areas_for_development=development,
                    note=note,
                    saved_by_id=pm.id if pm else None,
                    saved_at=now - timedelta(days=30 * (len(versions) - number) + 3),
                )
            )
        area.grade, area.strengths, area.areas_for_development = versions[-1][:3]
        area.assessed_at, area.assessed_by_id = now - timedelta(days=3), pm.id if pm else None
    for email, (name, grade, text) in INPUTS.items():
        user = users.get(email)
        if user is not None:
            db.session.add(
                AgencyInput(
                    area_id=areas[name].id,
                    agency_id=user.agency_id,
                    suggested_grade=grade,
                    text=text,
                    updated_by_id=user.id,
                    updated_at=now - timedelta(days=5),
                )
            )


def fieldwork_days(start, count: int = 10) -> list:
    """Ten working days from `start`, leaving out the Christmas and New Year closure (inspectors
    do not visit then)."""
    days, day = [], start
    while len(days) < count:
        closed = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)
        if day.weekday() < 5 and not closed:
            days.append(day)
        day = add_working_days(day, 1)
    return days


def _seed_schedule(start, users, agencies) -> None:
    days = fieldwork_days(start)
    police = next((a for a in agencies.values() if a.kind == "police"), None)
    health = next((a for a in agencies.values() if a.kind == "health"), None)
    for day_number in range(10):
        day = days[day_number]
        for slot_number, (starts_at, ends_at) in enumerate(SLOTS):
            turn = day_number * len(SLOTS) + slot_number
            for track, kinds, room, inspector, pool in (
                ("A", TRACK_A, "County Hall, Committee Room 1", "Jane Marsh", POOL_A),
                (
                    "B",
                    TRACK_B,
                    "County Hall, Room B12",
                    "Tom Reilly" if day_number % 2 else "Alison Grey",
                    POOL_B,
                ),
            ):
                kind = kinds[(turn + day_number) % len(kinds)]
                location = "MASH, Mansfield" if kind == "site_visit" else room
                attendee = users.get(pool[turn % len(pool)])
                activity = Activity(
                    kind=kind,
                    title=TITLES[kind],
                    day=day,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    location=location,
                    inspectors=inspector,
                    agency_id=(
                        police.id
                        if kind == "police" and police
                        else health.id
                        if kind == "health" and health
                        else None
                    ),
                    status="confirmed" if day_number < 3 else "planned",
                )
                activity.attendees = [Attendee(user_id=attendee.id)] if attendee else []
                if track == "A" and slot_number == 1:
                    activity.attendees.append(Attendee(external_name=EXTERNAL[day_number % len(EXTERNAL)]))
                db.session.add(activity)
    # A school's training day: nothing is planned with it that day.
    school = agencies.get("Trentbank Primary School")
    if school is not None:
        db.session.add(AgencyUnavailability(agency_id=school.id, day=days[4], reason="Staff training day"))
    # The clash kept on purpose: the lead inspector asked for it.
    clash_day = days[2]
    lead = users.get("police.lead@demo.test")
    clash = Activity(
        kind="police",
        title="Meeting with the MASH police manager",
        day=clash_day,
        starts_at=time(9, 30),
        ends_at=time(10, 0),
        location="County Hall, Committee Room 1",
        inspectors="Jane Marsh",
        agency_id=police.id if police else None,
        status="planned",
        override_reason="The lead inspector asked to see the MASH police manager during the managers' "
        "meeting.",
    )
    clash.attendees = [Attendee(user_id=lead.id)] if lead else []
    db.session.add(clash)
