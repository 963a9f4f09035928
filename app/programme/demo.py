"""Demo improvement programme: the 18 projects of the board paper's Appendix 1, about 60 actions
with months of progress updates, some overdue, and open challenges from the Children's Trust."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.actions.models import (
    CHALLENGE_RESPONSE_WORKING_DAYS,
    Action,
    ActionSource,
    ActionStatus,
    Challenge,
    Programme,
    ProgressUpdate,
    Project,
    Rag,
    Review,
)
from app.admin.demo import COUNTY_COUNCIL
from app.auth.models import Agency, User
from app.dates import LOCAL_ZONE, add_working_days
from app.db_types import utcnow
from app.extensions import db

POLICE = "Nottinghamshire Police"
PCT = "NHS Nottinghamshire County (PCT)"
BASSETLAW = "NHS Bassetlaw (PCT)"
CONNECT = "Notts Connect"
SCHOOL = "Sherwood Vale Academy"
VOLUNTARY = "Open Door Families Trust"

# (title, lead, lead agency, [(action title, owner agency, named owner, source), ...])
PROJECTS = [
    (
        "Ensure children and young people are safe",
        "Steve Edwards",
        COUNTY_COUNCIL,
        [
            (
                "Audit all open cases in the Mansfield and Ashfield reception and assessment teams",
                COUNTY_COUNCIL,
                "Karen Fox",
                ActionSource.INSPECTION,
            ),
            (
                "Clear the backlog of unallocated referrals in Mansfield and Ashfield",
                COUNTY_COUNCIL,
                "Karen Fox",
                ActionSource.INSPECTION,
            ),
            (
                "Run the twilight shift until referral volumes are stable",
                COUNTY_COUNCIL,
                "Karen Fox",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Joint police and social care strategy discussions within 24 hours of referral",
                POLICE,
                "DI Sarah Bennett",
                ActionSource.JAR_ACTION_PLAN,
            ),
        ],
    ),
    (
        "Development and implementation of a performance management framework",
        "Joanna Reid",
        COUNTY_COUNCIL,
        [
            (
                "Agree a monthly safeguarding performance scorecard with partners",
                COUNTY_COUNCIL,
                "Joanna Reid",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Report initial assessment timeliness by team each week",
                COUNTY_COUNCIL,
                "Joanna Reid",
                ActionSource.INSPECTION,
            ),
            (
                "Add health visitor contacts with children on plans to the scorecard",
                PCT,
                "Sue Whitfield",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
    (
        "Quality audit process for case files, reports and social work supervision",
        "Margaret Ellis",
        COUNTY_COUNCIL,
        [
            (
                "Monthly audit of ten case files per team using the agreed tool",
                COUNTY_COUNCIL,
                "Team managers",
                ActionSource.INSPECTION,
            ),
            (
                "Audit the recording of supervision decisions on case files",
                COUNTY_COUNCIL,
                "Karen Fox",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Multi-agency audit of six child protection cases each quarter",
                COUNTY_COUNCIL,
                "Safeguarding Board manager",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
    (
        "Caseload management system",
        "Steve Edwards",
        COUNTY_COUNCIL,
        [
            (
                "Introduce a weighted caseload tool for social workers",
                COUNTY_COUNCIL,
                "Steve Edwards",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Set and monitor maximum caseloads for newly qualified staff",
                COUNTY_COUNCIL,
                "Steve Edwards",
                ActionSource.INSPECTION,
            ),
        ],
    ),
    (
        "Framework, ICS and management information improvement programme",
        "Paul Jennings",
        COUNTY_COUNCIL,
        [
            (
                "Fix the Integrated Children's System defects raised by practitioners",
                COUNTY_COUNCIL,
                "Paul Jennings",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Train all team managers in ICS management reports",
                COUNTY_COUNCIL,
                "Paul Jennings",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Share a weekly referral report with Notts Connect",
                CONNECT,
                "Raj Patel",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
    (
        "Social care thresholds document",
        "Margaret Ellis",
        COUNTY_COUNCIL,
        [
            (
                "Revise the social care thresholds document after the inspection",
                COUNTY_COUNCIL,
                "Margaret Ellis",
                ActionSource.INSPECTION,
            ),
            (
                "Brief all social care teams on the revised thresholds",
                COUNTY_COUNCIL,
                "Karen Fox",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
        ],
    ),
    (
        "Equity exercise (internal and external)",
        "Hilary Knight",
        COUNTY_COUNCIL,
        [
            (
                "Compare social work staffing and caseloads across districts",
                COUNTY_COUNCIL,
                "Hilary Knight",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Benchmark staffing against statistical neighbours",
                COUNTY_COUNCIL,
                "Hilary Knight",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
        ],
    ),
    (
        "Service responsiveness, including complaints",
        "Joanna Reid",
        COUNTY_COUNCIL,
        [
            (
                "Answer stage 1 complaints within ten working days",
                COUNTY_COUNCIL,
                "Complaints manager",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Tell referrers the outcome of every referral within three working days",
                CONNECT,
                "Raj Patel",
                ActionSource.JAR_ACTION_PLAN,
            ),
            (
                "Publish a leaflet for parents on what happens after a referral",
                COUNTY_COUNCIL,
                "Joanna Reid",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
    (
        "Appointment to new posts and a new social care performance and policy section",
        "Hilary Knight",
        COUNTY_COUNCIL,
        [
            (
                "Recruit to the posts funded by the £509,000 Cabinet allocation",
                COUNTY_COUNCIL,
                "Hilary Knight",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Establish the social care performance and policy development section",
                COUNTY_COUNCIL,
                "Hilary Knight",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Appoint two additional team managers for Mansfield and Ashfield",
                COUNTY_COUNCIL,
                "Steve Edwards",
                ActionSource.INSPECTION,
            ),
        ],
    ),
    (
        "Induction, workforce and management development",
        "Claire Hughes",
        COUNTY_COUNCIL,
        [
            (
                "Induction programme for all new social workers within their first month",
                COUNTY_COUNCIL,
                "Workforce development team",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Management development programme for team managers",
                COUNTY_COUNCIL,
                "Workforce development team",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Joint child protection training for police and social workers",
                POLICE,
                "DI Sarah Bennett",
                ActionSource.PARTNERSHIP,
            ),
            ("Safeguarding training for GP practice leads", PCT, "Dr Aisha Rahman", ActionSource.PARTNERSHIP),
        ],
    ),
    (
        "Review of service provided by Notts Connect",
        "Raj Patel",
        CONNECT,
        [
            (
                "Review the quality of the pilot referral arrangements",
                CONNECT,
                "Raj Patel",
                ActionSource.INSPECTION,
            ),
            (
                "Agree call-handling standards for safeguarding referrals",
                CONNECT,
                "Lucy Brown",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Senior social worker on duty in Notts Connect during office hours",
                COUNTY_COUNCIL,
                "Steve Edwards",
                ActionSource.INSPECTION,
            ),
        ],
    ),
    (
        "Partnership development",
        "David Okafor",
        COUNTY_COUNCIL,
        [
            (
                "Refresh the Children's Trust partnership agreement",
                COUNTY_COUNCIL,
                "David Okafor",
                ActionSource.PARTNERSHIP,
            ),
            (
                "Named safeguarding lead in every partner agency on the portal",
                COUNTY_COUNCIL,
                "David Okafor",
                ActionSource.PARTNERSHIP,
            ),
            (
                "Voluntary sector representation on the Safeguarding Board",
                VOLUNTARY,
                "Fiona Grant",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
    (
        "Partnership thresholds and pathways",
        "Margaret Ellis",
        COUNTY_COUNCIL,
        [
            (
                "Publish the Pathway to Provision thresholds document",
                COUNTY_COUNCIL,
                "Margaret Ellis",
                ActionSource.JAR_ACTION_PLAN,
            ),
            (
                "Every agency confirms its staff have been briefed on the thresholds",
                COUNTY_COUNCIL,
                "David Okafor",
                ActionSource.PARTNERSHIP,
            ),
            (
                "Brief all school designated safeguarding leads on the pathways",
                SCHOOL,
                "Gareth Lloyd",
                ActionSource.PARTNERSHIP,
            ),
            (
                "Brief police response officers on the domestic violence pathway",
                POLICE,
                "DI Sarah Bennett",
                ActionSource.PARTNERSHIP,
            ),
            (
                "Brief health visitors and school nurses on the neglect pathway",
                BASSETLAW,
                "Mark Denton",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
    (
        "Safer recruitment",
        "Nadia Ali",
        COUNTY_COUNCIL,
        [
            (
                "Collect safer-recruitment returns from every partner agency",
                COUNTY_COUNCIL,
                "Nadia Ali",
                ActionSource.JAR_ACTION_PLAN,
            ),
            (
                "Check CRB renewals for all staff working with children in schools",
                SCHOOL,
                "Gareth Lloyd",
                ActionSource.JAR_ACTION_PLAN,
            ),
            (
                "Safer recruitment training for all recruiting managers in the PCT",
                PCT,
                "Sue Whitfield",
                ActionSource.PARTNERSHIP,
            ),
            (
                "Report allegations against staff to the LADO within one working day",
                POLICE,
                "DI Sarah Bennett",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
    (
        "Value for money",
        "Paul Jennings",
        COUNTY_COUNCIL,
        [
            (
                "Review the cost of external placements against the £3.1 million bid",
                COUNTY_COUNCIL,
                "Paul Jennings",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Reduce agency social worker spend by recruiting permanent staff",
                COUNTY_COUNCIL,
                "Hilary Knight",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
        ],
    ),
    (
        "Participation programme within children's social care services",
        "Priya Shah",
        COUNTY_COUNCIL,
        [
            (
                "Set up a Children in Care Council",
                COUNTY_COUNCIL,
                "Priya Shah",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Young people help interview for social work posts",
                COUNTY_COUNCIL,
                "Priya Shah",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Publish 'You said, we did' twice a year",
                COUNTY_COUNCIL,
                "Priya Shah",
                ActionSource.PARTNERSHIP,
            ),
            (
                "Run participation sessions in youth centres in Mansfield and Bassetlaw",
                VOLUNTARY,
                "Ben Osei",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
    (
        "Equality and diversity",
        "Hilary Knight",
        COUNTY_COUNCIL,
        [
            (
                "Record ethnicity and disability on every referral",
                CONNECT,
                "Lucy Brown",
                ActionSource.INSPECTION,
            ),
            (
                "Equality impact assessment of the improvement programme",
                COUNTY_COUNCIL,
                "Hilary Knight",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
        ],
    ),
    (
        "Services for looked after children",
        "Steve Edwards",
        COUNTY_COUNCIL,
        [
            (
                "Increase local foster placements to meet the 20% rise in children in care",
                COUNTY_COUNCIL,
                "Steve Edwards",
                ActionSource.IMPROVEMENT_PROGRAMME,
            ),
            (
                "Health assessments for looked after children within 28 days",
                PCT,
                "Sue Whitfield",
                ActionSource.JAR_ACTION_PLAN,
            ),
            (
                "Personal education plans for every looked after child",
                SCHOOL,
                "Gareth Lloyd",
                ActionSource.JAR_ACTION_PLAN,
            ),
            (
                "Return interviews for looked after children who go missing",
                POLICE,
                "PC Tom Hargreaves",
                ActionSource.PARTNERSHIP,
            ),
        ],
    ),
]

NOTES = {
    Rag.GREEN: [
        "Progress as planned; the working group met and agreed the next steps.",
        "Completed the milestones due this month. No issues to report.",
        "Draft shared with partners for comment; responses received from most agencies.",
    ],
    Rag.AMBER: [
        "Slippage of two to three weeks because key staff were on leave; recovery plan agreed.",
        "Waiting for data from one partner; chased and expected next week.",
        "Recruitment slower than hoped; interim cover in place.",
    ],
    Rag.RED: [
        "Cannot proceed without additional funding; escalated to the Sponsoring Group.",
        "Partner capacity has not been released; needs a decision at the Safeguarding Forum.",
    ],
}

CHALLENGES = [
    "The referral backlog was meant to be cleared by now. What is the revised date and what is blocking it?",
    "How will we know the briefings changed practice, not just that they happened?",
    "This has been amber for three months. Is it really within the owner's control, or should it be red?",
    "Please share the evidence behind 'complete' before the Trust signs this off.",
]


def seed() -> None:
    if db.session.scalar(select(Programme.id)) is not None:
        return
    rng = random.Random(2009)  # noqa: S311 - demo data, the same every time
    now = utcnow()
    today = now.date()
    agencies = {a.name: a for a in db.session.scalars(select(Agency))}
    users = {u.email: u for u in db.session.scalars(select(User))}
    pm, trust = users["pm@demo.test"], users["trust@demo.test"]
    updaters = {
        agency_name: [
            u for u in users.values() if u.agency.name == agency_name and u.role in ("partner", "agency_lead")
        ]
        for agency_name in agencies
    }

    programme = Programme(
        name="Safeguarding and Looked After Children Improvement Programme",
        sponsor_group="Safeguarding Forum",
        description="Eighteen projects to make the improvements found necessary by the Ofsted inspection "
        "stick, coordinated by the programme manager and reported to the Sponsoring Group.",
        start_date=today - timedelta(days=240),
        planned_end_date=today + timedelta(days=125),
        status="active",
    )
    db.session.add(programme)
    db.session.flush()

    actions: list[Action] = []
    for number, (title, lead, lead_agency, action_rows) in enumerate(PROJECTS, start=1):
        project = Project(
            programme_id=programme.id,
            number=number,
            title=title,
            lead_name=lead,
            lead_agency_id=agencies[lead_agency].id,
            aim=f"Deliver the {title.lower()} project of the improvement programme.",
            start_date=programme.start_date,
            end_date=programme.planned_end_date,
        )
        project.last_action_number = len(action_rows)
        db.session.add(project)
        db.session.flush()
        for index, (action_title, owner, owner_name, source) in enumerate(action_rows, start=1):
            actions.append(
                _seed_action(
                    rng,
                    project,
                    index,
                    action_title,
                    agencies,
                    owner,
                    owner_name,
                    source,
                    updaters,
                    pm,
                    today,
                    now,
                )
            )

    # A proposal from the police waiting for the programme manager.
    db.session.add(
        Action(
            title="Police attendance at every initial child protection conference",
            description="Proposed by the police: a named officer attends or sends a written report.",
            owner_agency_id=agencies[POLICE].id,
            owner_name="DI Sarah Bennett",
            due_date=today + timedelta(days=90),
            source=ActionSource.PARTNERSHIP,
            review=Review.PROPOSED,
            submitted_by_id=users["police.lead@demo.test"].id,
        )
    )

    # A proposal the programme manager returned: the police can edit and send it again, or withdraw it.
    db.session.add(
        Action(
            title="Police officers attend every school safeguarding briefing",
            description="Proposed by the police: an officer joins each termly briefing for designated leads.",
            owner_agency_id=agencies[POLICE].id,
            owner_name="DI Sarah Bennett",
            due_date=today + timedelta(days=120),
            source=ActionSource.PARTNERSHIP,
            review=Review.RETURNED,
            return_reason="Please withdraw this one: P13-04 already covers briefings for police officers.",
            submitted_by_id=users["police.lead@demo.test"].id,
        )
    )

    # Challenges from the Children's Trust, due ten working days after they were raised: the
    # older ones are now overdue.
    challenged = [a for a in actions if a.rag != Rag.GREEN and not a.status == ActionStatus.COMPLETE][:4]
    for action, text in zip(challenged, CHALLENGES, strict=False):
        raised_at = now - timedelta(days=rng.randint(2, 20))
        db.session.add(
            Challenge(
                action_id=action.id,
                text=text,
                raised_by_id=trust.id,
                raised_at=raised_at,
                response_due=_response_due(raised_at),
            )
        )
    # Two challenges already answered: one the Trust member has still to read and close.
    for action, raised_by, text, response in (
        (
            actions[1],
            pm,
            "Is the backlog figure checked against ICS, or self-reported?",
            "Checked against ICS weekly by the performance team; figures shared at the Forum.",
        ),
        (
            actions[2],
            trust,
            "What will replace the twilight shift when referral volumes are stable?",
            "Duty cover moves to the day teams; the Forum agreed the plan in September.",
        ),
    ):
        raised_at = now - timedelta(days=30)
        db.session.add(
            Challenge(
                action_id=action.id,
                text=text,
                raised_by_id=raised_by.id,
                raised_at=raised_at,
                response_due=_response_due(raised_at),
                response=response,
                responded_by_id=users["karen.fox@demo.test"].id,
                responded_at=now - timedelta(days=27),
            )
        )


def _response_due(raised_at) -> date:
    return add_working_days(raised_at.astimezone(LOCAL_ZONE).date(), CHALLENGE_RESPONSE_WORKING_DAYS)


def _seed_action(
    rng, project, index, title, agencies, owner, owner_name, source, updaters, pm, today, now
) -> Action:
    start = today - timedelta(days=rng.randint(150, 230))
    due = today + timedelta(days=rng.randint(-90, 150))
    final_rag = rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], weights=[6, 3, 1])[0]
    final_percent = min(
        100, max(0, int((today - start).days / max(1, (due - start).days) * 100) + rng.randint(-25, 10))
    )
    if final_percent >= 100 or (due < today and rng.random() < 0.3):
        final_percent, final_rag = 100, Rag.GREEN
    status = ActionStatus.COMPLETE if final_percent == 100 else ActionStatus.IN_PROGRESS
    contributors = rng.sample(
        [a for name, a in agencies.items() if name != owner and a.active], k=rng.randint(0, 2)
    )
    action = Action(
        reference=f"{project.code}-{index:02d}",
        project_id=project.id,
        title=title,
        description=f"{title}. Owner reports progress monthly to the programme manager.",
        owner_agency_id=agencies[owner].id,
        owner_name=owner_name,
        start_date=start,
        due_date=due,
        source=source,
        review=Review.ACCEPTED,
        weight=2 if index == 1 else 1,
        contributors=contributors,
        created_at=now - (today - start),
    )
    db.session.add(action)
    db.session.flush()

    # Monthly updates from the start to now, ending at the action's current state.
    months = max(1, min(6, (today - start).days // 30))
    rag, percent = Rag.GREEN, 0
    authors = updaters.get(owner) or [pm]
    for month in range(1, months + 1):
        last = month == months
        new_rag = final_rag if last else rng.choices([Rag.GREEN, Rag.AMBER, final_rag], weights=[5, 2, 1])[0]
        new_percent = final_percent if last else min(final_percent, int(final_percent * month / months))
        new_status = status if last else ActionStatus.IN_PROGRESS
        db.session.add(
            ProgressUpdate(
                action_id=action.id,
                note=rng.choice(NOTES[new_rag]),
                rag_before=rag,
                rag_after=new_rag,
                rag_reason="" if new_rag == rag else rng.choice(NOTES[new_rag]),
                percent_before=percent,
                percent_after=new_percent,
                status_after=new_status,
                created_by_id=rng.choice(authors).id,
                created_at=now - timedelta(days=(months - month) * 30 + rng.randint(1, 6)),
            )
        )
        rag, percent = new_rag, new_percent
    action.rag, action.percent_complete, action.status = final_rag, final_percent, status
    action.last_update_at = action.updated_at = now - timedelta(days=rng.randint(1, 6))
    return action


# --- At county scale (flask demo scale) -------------------------------------------------------

ACTION_PATTERNS = (
    "Brief all {agency} staff on the thresholds of need",
    "Named safeguarding lead at {agency} completes level 3 training",
    "{agency} audits its referrals to children's social care against the thresholds",
    "{agency} confirms its single central record is complete",
    "Share the partnership's referral pathway with {agency} governors and managers",
    "{agency} attends every initial child protection conference it is invited to",
    "{agency} reports missing-from-home episodes to the police within one hour",
)


def scale(targets, progress) -> None:
    """Actions up to targets.actions, owned by agencies across the county, in the programme's
    projects, and progress updates up to targets.updates, spread over them."""
    from sqlalchemy import update

    from app.demo_scale import bulk_insert, count

    rng = random.Random(5000)  # noqa: S311 - demo data, the same every time
    projects = db.session.scalars(select(Project).order_by(Project.number)).all()
    if not projects:
        return
    agencies = db.session.execute(select(Agency.id, Agency.name)).all()
    authors = list(db.session.scalars(select(User.id).where(User.active.is_(True)).limit(2000)))
    today, now = utcnow().date(), utcnow()
    numbers = {p.id: p.last_action_number for p in projects}
    rows = []
    for _ in range(count(Action), targets.actions):
        project = rng.choice(projects)
        agency_id, agency_name = rng.choice(agencies)
        numbers[project.id] += 1
        rag = rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], weights=[6, 3, 1])[0]
        percent = rng.randint(0, 100)
        rows.append(
            {
                "reference": f"{project.code}-{numbers[project.id]:02d}",
                "project_id": project.id,
                "title": rng.choice(ACTION_PATTERNS).format(agency=agency_name)[:200],
                "description": "Part of the county roll-out of the improvement programme.",
                "owner_agency_id": agency_id,
                "owner_name": rng.choice(("Safeguarding lead", "Head teacher", "Practice manager")),
                "start_date": today - timedelta(days=rng.randint(30, 300)),
                "due_date": today + timedelta(days=rng.randint(-120, 240)),
                "percent_complete": percent,
                "status": ActionStatus.COMPLETE if percent == 100 else ActionStatus.IN_PROGRESS,
                "rag": Rag.GREEN if percent == 100 else rag,
                "weight": 1,
                "evidence": "",
                "source": ActionSource.PARTNERSHIP,
                "review": Review.ACCEPTED,
                "return_reason": "",
                "created_at": now - timedelta(days=rng.randint(30, 300)),
                "updated_at": now - timedelta(days=rng.randint(0, 30)),
                "last_update_at": now - timedelta(days=rng.randint(0, 30)),
            }
        )
    bulk_insert(Action, rows, progress)
    for project_id, number in numbers.items():
        db.session.execute(update(Project).where(Project.id == project_id).values(last_action_number=number))

    action_ids = list(db.session.scalars(select(Action.id)))
    updates = []
    for _ in range(count(ProgressUpdate), targets.updates):
        rag = rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], weights=[6, 3, 1])[0]
        percent = rng.randint(0, 99)
        updates.append(
            {
                "action_id": rng.choice(action_ids),
                "note": rng.choice(NOTES[rag]),
                "rag_before": rag,
                "rag_after": rag,
                "rag_reason": "",
                "percent_before": max(0, percent - 10),
                "percent_after": percent,
                "status_after": ActionStatus.IN_PROGRESS,
                "created_by_id": rng.choice(authors),
                "created_at": now - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440)),
            }
        )
    bulk_insert(ProgressUpdate, updates, progress)
