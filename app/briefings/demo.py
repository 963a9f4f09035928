"""Demo briefings: the inspection announced to everyone, and case tracking for front-line staff
in social care, health and the police."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.briefings.models import Briefing, BriefingRead
from app.db_types import utcnow
from app.extensions import db
from app.sanitize import render_markdown

ANNOUNCED = """The partnership expects a full inspection of safeguarding and looked after children services
within the next few weeks. Inspectors give up to **10 working days' notice**.

## What happens next

- The project team is preparing the self-assessment and the evidence library.
- Inspectors will hold 80 to 100 meetings and activities across the Children's Trust.
- If you are asked to attend, the activity will show on your home page.

Questions to the programme manager, David Okafor."""

CASE_TRACKING = """Inspectors will track a sample of children's cases from referral to today.

## What front-line staff need to know

- Make sure case records are up to date, including supervision notes.
- You may be asked to talk about a child you work with: bring nothing but your knowledge of them.
- Tell your manager at once if you are asked to meet inspectors."""


def seed() -> None:
    if db.session.scalar(select(Briefing.id)) is not None:
        return
    pm = db.session.scalar(select(User).where(User.email == "pm@demo.test"))
    now = utcnow()
    announced = Briefing(
        title="The inspection is coming: what happens next",
        body_html=render_markdown(ANNOUNCED),
        published_at=now - timedelta(days=6),
        published_by_id=pm.id if pm else None,
    )
    tracking = Briefing(
        title="Case tracking: what front-line staff need to know",
        body_html=render_markdown(CASE_TRACKING),
        audience_roles=",agency_lead,partner,",
        audience_kinds=",childrens_social_care,health,police,",
        published_at=now - timedelta(days=2),
        published_by_id=pm.id if pm else None,
    )
    db.session.add_all([announced, tracking])
    db.session.flush()
    for email in ("admin@demo.test", "trust@demo.test", "school@demo.test"):
        reader = db.session.scalar(select(User).where(User.email == email))
        if reader is not None:
            db.session.add(
                BriefingRead(briefing_id=announced.id, user_id=reader.id, read_at=now - timedelta(days=5))
            )
