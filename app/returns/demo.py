"""Demo safer-recruitment returns: "2009/10 Q2" (closed) and "2009/10 Q3" (open, due in two weeks),
with a return from every agency in various states: accepted, submitted, a draft, one returned for
amendment with its reason, one overdue (a Q2 draft never sent) and some not started."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Agency, Role, User
from app.dates import today
from app.db_types import utcnow
from app.extensions import db
from app.returns.models import (
    Rating,
    Return,
    ReturnPeriod,
    ReturnStatus,
    ReturnTransition,
    compliance_percent,
)
from app.returns.questions import CURRENT_VERSION, questions_for

COUNTY_COUNCIL = "Nottinghamshire County Council Children and Young People's Services"
# Each agency's Q3 state (None: not started); every other agency has sent Q3 and had it accepted.
Q3_STATES = {
    COUNTY_COUNCIL: ReturnStatus.ACCEPTED,
    "Nottinghamshire Police": ReturnStatus.DRAFT,
    "NHS Nottinghamshire County (PCT)": ReturnStatus.RETURNED,
    "NHS Bassetlaw (PCT)": ReturnStatus.ACCEPTED,
    "Notts Connect": ReturnStatus.SUBMITTED,
    "Sherwood Vale Academy": ReturnStatus.DRAFT,
    "Trentbank Primary School": None,
    "Open Door Families Trust": ReturnStatus.SUBMITTED,
    "Mansfield District Council": None,
    "Nottinghamshire Youth Justice Service": ReturnStatus.SUBMITTED,
}
OVERDUE_IN_Q2 = "Mansfield District Council"
RETURN_REASON = (
    "Eleven appointments but only nine with references verified before appointment: say which two "
    "posts they were and what you have done since. The SCR audit date is also missing."
)
MANAGERS = (
    "Jane Whitaker, Head of Human Resources",
    "Det Supt Colin Marsh, Head of Professional Standards",
    "Dr Ruth Ellison, Designated Nurse for Safeguarding",
    "Simon Taylor, Headteacher",
    "Angela Moss, Operations Director",
)
GAPS = (
    "Two references were taken after appointment for supply cover in September. HR now holds start "
    "dates until both references are verified.",
    "One overseas check was still outstanding at the start date; the person was supervised until it "
    "arrived. Recruiting managers have been reminded.",
    "No gaps found this quarter. The SCR was audited by the business manager and the chair of governors.",
    "Panel training lapsed for one recruiting manager; they are booked on the county's course in January.",
)


def _answers(rng: random.Random, kind: str, *, complete: bool = True) -> dict:
    appointments = rng.randint(3, 28)
    fully = appointments - rng.choice((0, 0, 0, 1, 1, 2))
    answers = {
        "appointments": appointments,
        "fully_checked": fully,
        "dbs_before_start": max(fully, appointments - rng.choice((0, 1))),
        "identity_verified": appointments,
        "references_verified": max(fully, appointments - rng.choice((0, 0, 1, 2))),
        "qualifications_checked": appointments,
        "right_to_work_checked": appointments,
        "overseas_needed": (overseas := rng.randint(0, 2)),
        "overseas_done": overseas - (1 if overseas and fully < appointments else 0),
        "barred_list_checked": appointments,
        "supply_staff": (supply := rng.randint(0, 9)),
        "supply_confirmed": supply - rng.choice((0, 0, 1)) if supply else 0,
        "panels": (panels := rng.randint(2, 12)),
        "panels_with_trained_member": panels - rng.choice((0, 0, 1)),
        "staff_trained": rng.randint(0, 6),
        "lado_referrals": (referrals := rng.randint(0, 3)),
        "outcome_unsubstantiated": referrals,
        "senior_manager": rng.choice(MANAGERS),
        "gaps_and_actions": rng.choice(GAPS),
    }
    if kind == "school":
        answers["scr_complete"] = "yes"
        answers["scr_audited_on"] = (today() - timedelta(days=rng.randint(20, 80))).isoformat()
    if not complete:
        for key in ("panels", "panels_with_trained_member", "staff_trained", "lado_referrals"):
            answers.pop(key, None)
        answers.pop("outcome_unsubstantiated", None)
    keys = {q.key for q in questions_for(CURRENT_VERSION)}
    return {k: v for k, v in answers.items() if k in keys}


def _rating(compliance: int | None) -> str:
    if compliance is None or compliance >= 95:
        return Rating.COMPLIANT
    return Rating.PARTLY if compliance >= 80 else Rating.NOT_COMPLIANT


def _periods() -> tuple[ReturnPeriod, ReturnPeriod]:
    day = today()
    q2 = ReturnPeriod(
        name="2009/10 Q2",
        covers_from=day - timedelta(days=196),
        covers_to=day - timedelta(days=106),
        opens_on=day - timedelta(days=105),
        due_on=day - timedelta(days=77),
        closed=True,
    )
    q3 = ReturnPeriod(
        name="2009/10 Q3",
        covers_from=day - timedelta(days=105),
        covers_to=day - timedelta(days=14),
        opens_on=day - timedelta(days=14),
        due_on=day + timedelta(days=14),
    )
    db.session.add_all([q2, q3])
    db.session.flush()
    return q2, q3


def _make(agency, period, status, rng, lead, reviewer, *, reason: str = "") -> None:
    complete = status != ReturnStatus.DRAFT or rng.random() < 0.5
    answers = _answers(rng, agency.kind, complete=complete)
    compliance = compliance_percent(answers)
    rating = _rating(compliance) if complete else ""
    ret = Return(
        agency_id=agency.id,
        period_id=period.id,
        template_version=CURRENT_VERSION,
        status=status,
        answers=answers,
        comments={"references_verified": "Both late references were for supply cover."}
        if answers.get("references_verified", 0) < answers["appointments"]
        else {},
        compliance=compliance,
        self_rating=rating,
        moderated_rating=rating if status == ReturnStatus.ACCEPTED else "",
        return_reason=reason,
        started_by_id=lead.id,
        created_at=utcnow() - timedelta(days=12),
        updated_at=utcnow() - timedelta(days=3),
    )
    db.session.add(ret)
    db.session.flush()
    when = utcnow() - timedelta(days=6)
    moves = []
    if status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED, ReturnStatus.RETURNED):
        ret.submitted_at = when
        moves.append((ReturnStatus.DRAFT, ReturnStatus.SUBMITTED, lead, ""))
    if status == ReturnStatus.ACCEPTED:
        moves.append((ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED, reviewer, ""))
    if status == ReturnStatus.RETURNED:
        moves.append((ReturnStatus.SUBMITTED, ReturnStatus.RETURNED, reviewer, reason))
    for hours, (before, after, actor, why) in enumerate(moves):
        db.session.add(
            ReturnTransition(
                return_id=ret.id,
                from_status=before,
                to_status=after,
                reason=why,
                actor_id=actor.id,
                at=when + timedelta(hours=hours * 26),
            )
        )


def seed() -> None:
    if db.session.scalar(select(ReturnPeriod.id)) is not None:
        return
    rng = random.Random(2009)  # noqa: S311 - demo data, the same every time
    reviewer = db.session.scalar(select(User).where(User.email == "pm@demo.test"))
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()
    if reviewer is None or not agencies:
        return
    staff: dict[int, User] = {}
    for user in db.session.scalars(select(User).order_by(User.id)):
        # The agency's lead sends its return; an agency without one, its first member of staff.
        current = staff.get(user.agency_id)
        if current is None or (user.role == Role.AGENCY_LEAD and current.role != Role.AGENCY_LEAD):
            staff[user.agency_id] = user
    q2, q3 = _periods()
    for agency in agencies:
        lead = staff.get(agency.id, reviewer)
        q2_status = ReturnStatus.DRAFT if agency.name == OVERDUE_IN_Q2 else ReturnStatus.ACCEPTED
        _make(agency, q2, q2_status, rng, lead, reviewer)
        q3_status = Q3_STATES.get(agency.name, ReturnStatus.ACCEPTED)
        if q3_status is not None:
            reason = RETURN_REASON if q3_status == ReturnStatus.RETURNED else ""
            _make(agency, q3, q3_status, rng, lead, reviewer, reason=reason)


def scale(targets, progress) -> None:
    """Returns up to targets.returns: agencies without one get an accepted return for a period."""
    from app.demo_scale import bulk_insert, count

    rng = random.Random(4000)  # noqa: S311 - demo data, the same every time
    periods = db.session.scalars(select(ReturnPeriod).order_by(ReturnPeriod.due_on)).all()
    if not periods:
        return
    have = {(a, p) for a, p in db.session.execute(select(Return.agency_id, Return.period_id))}
    agencies = db.session.execute(select(Agency.id, Agency.kind).where(Agency.active.is_(True))).all()
    wanted = targets.returns - count(Return)
    rows, now = [], utcnow()
    for period in periods:
        for agency_id, kind in agencies:
            if len(rows) >= wanted:
                break
            if (agency_id, period.id) in have:
                continue
            answers = _answers(rng, kind)
            compliance = compliance_percent(answers)
            status = ReturnStatus.ACCEPTED if period.closed else rng.choice(list(ReturnStatus))
            rows.append(
                {
                    "agency_id": agency_id,
                    "period_id": period.id,
                    "template_version": CURRENT_VERSION,
                    "status": status,
                    "answers": answers,
                    "comments": {},
                    "compliance": compliance,
                    "self_rating": _rating(compliance),
                    "moderated_rating": _rating(compliance) if status == ReturnStatus.ACCEPTED else "",
                    "return_reason": "Please check the references count."
                    if status == ReturnStatus.RETURNED
                    else "",
                    "created_at": now,
                    "updated_at": now,
                    "lock_version": 1,
                }
            )
    bulk_insert(Return, rows, progress)
