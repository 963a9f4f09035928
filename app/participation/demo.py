"""Demo participation: two open consultations, about forty messages from young people, two of
them flagged (one ticked "I don't feel safe", one whose words describe harm), and three published
"you said, we did" responses, one linked to a partnership action."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.actions.models import Action
from app.auth.models import User
from app.dates import today
from app.db_types import utcnow
from app.extensions import db
from app.participation.models import (
    ActionTaken,
    Consultation,
    Feedback,
    Response,
    Theme,
    Triage,
)
from app.participation.services import _write_alerts

SAFE = "What makes you feel safe?"
REVIEWS = "How can we make reviews better for children in care?"

# (consultation, what is good, what should change, age band, service, themes)
MESSAGES = [
    (
        SAFE,
        "My foster carer always listens to me.",
        "I want to see my brother more.",
        "11_13",
        "",
        ["family time"],
    ),
    (
        SAFE,
        "Youth club on Fridays. The staff are kind.",
        "More buses back from town at night.",
        "14_15",
        "Youth club",
        ["transport", "feeling safe"],
    ),
    (SAFE, "My teacher checks I am OK every morning.", "", "under_11", "School", ["school"]),
    (
        SAFE,
        "",
        "The park by the flats has no lights. It is scary at night.",
        "14_15",
        "",
        ["feeling safe", "places"],
    ),
    (
        SAFE,
        "Knowing who to call.",
        "Tell us the number in a way we can find quick.",
        "16_17",
        "",
        ["information"],
    ),
    (
        SAFE,
        "When my social worker comes when she says.",
        "Social workers keep changing. I have had four.",
        "14_15",
        "Social worker",
        ["social workers"],
    ),
    (SAFE, "Having my own room.", "", "11_13", "Foster care", ["home"]),
    (SAFE, "My mentor.", "More mentors for boys.", "16_17", "Mentoring", ["mentoring"]),
    (
        SAFE,
        "The school nurse drop in.",
        "It is only on Tuesdays.",
        "14_15",
        "School nurse",
        ["health", "school"],
    ),
    (
        SAFE,
        "Police came to school and talked about online stuff. It was good.",
        "",
        "11_13",
        "School",
        ["online safety", "school"],
    ),
    (
        SAFE,
        "",
        "Taxis to school with different drivers every day. I don't know them.",
        "11_13",
        "Transport",
        ["transport", "feeling safe"],
    ),
    (SAFE, "My nan.", "", "under_11", "", ["family time"]),
    (
        SAFE,
        "Being able to text my worker.",
        "Reply faster please.",
        "16_17",
        "Leaving care",
        ["social workers"],
    ),
    (
        SAFE,
        "",
        "More things to do in the holidays so we are not just on the street.",
        "14_15",
        "",
        ["activities"],
    ),
    (
        REVIEWS,
        "I liked it when I could chair my own review.",
        "Don't have them in school time.",
        "16_17",
        "Looked after children reviews",
        ["reviews"],
    ),
    (
        REVIEWS,
        "",
        "Too many adults in the room. I don't know half of them.",
        "14_15",
        "Looked after children reviews",
        ["reviews"],
    ),
    (
        REVIEWS,
        "My IRO explained everything.",
        "Send the notes in words I understand.",
        "11_13",
        "Independent reviewing officer",
        ["reviews", "information"],
    ),
    (
        REVIEWS,
        "Food and drinks were nice.",
        "Ask me where I want to have it.",
        "11_13",
        "Looked after children reviews",
        ["reviews"],
    ),
    (
        REVIEWS,
        "",
        "I want to write my own bit before the meeting.",
        "14_15",
        "Looked after children reviews",
        ["reviews"],
    ),
    (
        REVIEWS,
        "They listened about contact with my mum.",
        "It took too long to change anything.",
        "16_17",
        "Looked after children reviews",
        ["reviews", "family time"],
    ),
    (REVIEWS, "Having an advocate with me.", "", "14_15", "Advocacy", ["advocacy"]),
    (
        REVIEWS,
        "",
        "Reviews are boring. Make it shorter.",
        "11_13",
        "Looked after children reviews",
        ["reviews"],
    ),
    (REVIEWS, "I could bring my friend.", "", "16_17", "", ["reviews"]),
    (
        REVIEWS,
        "",
        "Don't talk about me like I'm not there.",
        "14_15",
        "Looked after children reviews",
        ["reviews", "being listened to"],
    ),
    (
        None,
        "The leaving care team helped me get my flat.",
        "Help with money and bills.",
        "18_25",
        "Leaving care",
        ["money", "housing"],
    ),
    (
        None,
        "",
        "I had to tell my story again to every new person.",
        "16_17",
        "Children's social care",
        ["being listened to"],
    ),
    (
        None,
        "CAMHS was good once I got in.",
        "The waiting list was eight months.",
        "14_15",
        "CAMHS",
        ["health"],
    ),
    (None, "Free bus pass.", "", "16_17", "", ["transport"]),
    (
        None,
        "",
        "Wifi at the children's home keeps going off. I need it for college.",
        "16_17",
        "Children's home",
        ["home", "education"],
    ),
    (None, "Football on Saturdays.", "More girls' teams.", "11_13", "Sports club", ["activities"]),
    (None, "My PA is really good.", "", "18_25", "Leaving care", ["social workers"]),
    (None, "", "Tell us what happens to what we write here.", "14_15", "", ["information"]),
    (None, "The library is quiet and safe.", "Open later in the evening.", "11_13", "Library", ["places"]),
    (None, "", "I want to be asked before I move schools.", "14_15", "", ["education", "being listened to"]),
    (
        None,
        "Someone came to my house to help with homework.",
        "",
        "under_11",
        "Virtual school",
        ["education"],
    ),
    (None, "", "Forms are too long.", "16_17", "", ["information"]),
    (None, "Cooking club at the youth centre.", "", "14_15", "Youth club", ["activities"]),
    (None, "", "Children's home rules are different in every home.", "14_15", "Children's home", ["home"]),
]

# The two flagged messages: one ticked the box, one was found by the words it uses.
TICKED = (
    SAFE,
    "",
    "I don't want to go home this weekend.",
    "14_15",
    "",
    True,
    "My school email is fine, or ring the school",
)
DETECTED = (
    None,
    "My friends at school",
    "My stepdad hits me when he is drunk and I am scared of him",
    "11_13",
    "",
    False,
    "",
)

RESPONSES = [
    (
        "Reviews are in school time. There are too many adults in the room.",
        "Now reviews are after school, unless you ask for a different time. You say who comes.",
        "P05-",
    ),
    (
        "It is hard to find the number to call when you do not feel safe.",
        "We put the number in every school planner. It is on the door of every children's home too. "
        "We also made a Get help now page.",
        None,
    ),
    (
        "Social workers keep changing.",
        "We took on eleven new social workers who will stay. When your worker does change, the new "
        "one meets you with the old one first.",
        None,
    ),
]


def seed() -> None:
    if db.session.scalar(select(Consultation.id)) is not None:
        return
    rng = random.Random(2010)  # noqa: S311 - demo data, the same every time
    day, now = today(), utcnow()
    safe = Consultation(
        title="Feeling safe",
        question=SAFE,
        description="Tell us about the people and places that make you feel safe, and what does not.",
        audience="Children and young people aged 8 to 18 in Nottinghamshire",
        opens_on=day - timedelta(days=40),
        closes_on=day + timedelta(days=50),
    )
    reviews = Consultation(
        title="Better reviews",
        question=REVIEWS,
        description="Your review is your meeting. Tell us how to make it work for you.",
        audience="Children and young people in care",
        opens_on=day - timedelta(days=20),
        closes_on=day + timedelta(days=70),
    )
    db.session.add_all([safe, reviews])
    db.session.flush()
    consultation_ids = {SAFE: safe.id, REVIEWS: reviews.id, None: None}
    lead = db.session.scalar(select(User).where(User.email == "participation@demo.test"))
    themes: dict[str, Theme] = {}
    for n, (about, good, change, age, service, theme_names) in enumerate(MESSAGES):
        feedback = Feedback(
            consultation_id=consultation_ids[about],
            what_is_good=good,
            what_should_change=change,
            age_band=age,
            service=service,
            received_at=now - timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 1440)),
            triage=Triage.REVIEWED if n % 3 else Triage.NEW,
            reviewed_by_id=lead.id if n % 3 and lead else None,
        )
        feedback.themes = [themes.setdefault(t, Theme(name=t)) for t in theme_names] if n % 3 else []
        db.session.add(feedback)
    for about, good, change, age, service, ticked, contact in (TICKED, DETECTED):
        feedback = Feedback(
            consultation_id=consultation_ids[about],
            what_is_good=good,
            what_should_change=change,
            age_band=age,
            service=service,
            wants_contact=ticked,
            contact_details=contact,
            flagged=True,
            flag_reasons="ticked \u201cI don\u2019t feel safe\u201d" if ticked else "words about being hurt",
            received_at=now - timedelta(hours=3 if ticked else 26),
        )
        db.session.add(feedback)
        db.session.flush()
        _write_alerts(feedback)
    # One flagged message from last month, already acted on.
    db.session.add(
        Feedback(
            what_should_change="Someone at the bus station keeps asking me to go to parties",
            age_band="14_15",
            flagged=True,
            flag_reasons="words about abuse",
            received_at=now - timedelta(days=32),
            triage=Triage.REVIEWED,
            action_taken=ActionTaken.REFERRED_MASH,
            action_note="Referred to the MASH the same day (ref. MASH-2009-4471); police CSE team informed.",
            actioned_by_id=lead.id if lead else None,
            actioned_at=now - timedelta(days=32, hours=-2),
        )
    )
    for n, (said, did, action_prefix) in enumerate(RESPONSES):
        action_id = None
        if action_prefix:
            action_id = db.session.scalar(
                select(Action.id).where(Action.reference.like(f"{action_prefix}%")).order_by(Action.reference)
            )
        db.session.add(
            Response(
                you_said=said,
                we_did=did,
                action_id=action_id,
                published_at=now - timedelta(days=10 + 15 * n),
                created_by_id=lead.id if lead else None,
            )
        )


def scale(targets, progress) -> None:
    """Feedback up to targets.feedback (a county's years of messages), none of them flagged."""
    from app.demo_scale import bulk_insert, count

    rng = random.Random(100000)  # noqa: S311 - demo data, the same every time
    consultations = list(db.session.scalars(select(Consultation.id))) + [None]
    now = utcnow()
    rows = []
    for _ in range(count(Feedback), targets.feedback):
        about, good, change, age, service, _themes = rng.choice(MESSAGES)
        rows.append(
            {
                "consultation_id": rng.choice(consultations),
                "what_is_good": good,
                "what_should_change": change,
                "age_band": age,
                "service": service,
                "wants_contact": False,
                "contact_details": "",
                "flagged": False,
                "flag_reasons": "",
                "received_at": now - timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440)),
                "triage": Triage.REVIEWED,
                "action_note": "",
            }
        )
    bulk_insert(Feedback, rows, progress, batch=5000)
