"""Demo threshold document: "Pathway to Provision", version 1 published 120 days ago and read by
every demo account, version 2 a draft moving referrals to the MASH; and the partnership's list of
words search treats as the same."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.audit import record
from app.auth.models import Agency, User
from app.db_types import utcnow
from app.extensions import db
from app.thresholds.models import (
    AgencyAcknowledgement,
    ReadReceipt,
    ThresholdDocument,
    ThresholdVersion,
    VersionStatus,
)
from app.thresholds.services import (
    DraftContent,
    LevelInput,
    PathwayInput,
    SectionInput,
    create_document,
    save_draft,
    save_synonyms,
    start_draft,
    synonyms_record,
)

SLUG = "pathway-to-provision"

SECTIONS = [
    SectionInput(
        "A",
        "A continuum of need",
        "Children's needs sit on a continuum. Most children's needs are met by their families and "
        "universal services; some need extra help for a time; a few need specialist or statutory "
        "services to keep them safe.\n\n"
        "This guide helps practitioners in every agency judge **which level of need** a child is at "
        "and **what to do next**. It does not replace professional judgement: if you are unsure, "
        "talk to your agency's designated safeguarding lead, or call Notts Connect for advice.\n\n"
        "- Needs can move up and down the continuum as circumstances change.\n"
        "- Look at the whole child: the three domains of the Assessment Framework.\n"
        "- Always listen to the child and record their views.",
    ),
    SectionInput(
        "B",
        "Levels of need",
        "There are four levels. Each lists indicators under the three domains of the Assessment "
        "Framework: the child's developmental needs, parenting capacity, and family and "
        "environmental factors. A single indicator rarely decides a level on its own; look at the "
        "pattern, how long it has lasted and its impact on the child.",
        "levels",
    ),
    SectionInput(
        "C",
        "Pathways",
        "Each pathway sets out the steps to take for a particular concern at a particular level, and "
        "who to refer to. Where a child may be suffering, or likely to suffer, significant harm, go "
        "straight to the Level 4 pathway. **Do not delay a referral to gather more information.**",
        "pathways",
    ),
    SectionInput(
        "D",
        "Specialist guidance and neighbouring-authority contacts",
        "## Specialist guidance\n\n"
        "- Nottinghamshire Safeguarding Children Board procedures: sexual exploitation, forced "
        "marriage, self-harm, children missing from home or care.\n"
        "- Private fostering: notify children's social care of any arrangement lasting 28 days or more.\n\n"
        "## Neighbouring authorities\n\n"
        "Where a child lives outside Nottinghamshire, refer to the authority where the child lives:\n\n"
        "- Nottingham City Children's Services\n"
        "- Derbyshire County Council Call Derbyshire\n"
        "- Lincolnshire Children's Services Customer Service Centre\n"
        "- Doncaster and Leicestershire children's services",
    ),
]

LEVELS_V1 = [
    LevelInput(
        1,
        "Universal",
        "Children whose needs are met by their families and universal services such as schools, GPs, "
        "health visitors and youth services.",
        "No referral is needed. Universal services continue to support the child and family.",
        "The child's school, GP or health visitor.",
        {
            "development": [
                "Meeting developmental milestones",
                "Attends school regularly and is making expected progress",
                "Has friendships and takes part in activities",
            ],
            "parenting": [
                "Basic care, safety and emotional warmth are provided",
                "Parents seek advice from universal services when they need it",
            ],
            "family": [
                "Adequate and stable housing",
                "Family is supported by wider family and friends",
            ],
        },
    ),
    LevelInput(
        2,
        "Early help",
        "Children with additional needs that one agency, or two working together, can meet. The "
        "family agrees to the help.",
        "The agency that identifies the need talks with the family and, with consent, begins a Common "
        "Assessment Framework (CAF) assessment. A lead professional coordinates the support.",
        "Your agency's CAF coordinator, or the locality early help team.",
        {
            "development": [
                "Attendance at school below 90%, or frequent lateness",
                "Speech, language or developmental delay",
                "Early signs of low self-esteem or anxiety",
            ],
            "parenting": [
                "Inconsistent routines or boundaries",
                "Parent struggling to meet the child's emotional needs",
            ],
            "family": [
                "Family under financial stress or in poor housing",
                "A parent with a physical illness that affects family life",
            ],
        },
    ),
    LevelInput(
        3,
        "Targeted early help",
        "Children with multiple or complex needs who need a coordinated response from several "
        "agencies, usually through a team around the child.",
        "A CAF and a multi-agency team around the child, with a named lead professional. Review every "
        "six to eight weeks. If needs escalate, move to the Level 4 pathway at once.",
        "The targeted support service through Notts Connect: 0300 500 80 80.",
        {
            "development": [
                "Persistent absence or exclusion from school",
                "Missing from home on one or more occasions",
                "Early experimentation with drugs or alcohol",
                "Self-harming behaviour",
            ],
            "parenting": [
                "Parental substance misuse affecting the care of the child",
                "Parental mental health difficulties affecting the child",
            ],
            "family": [
                "Domestic violence in the household assessed as standard or medium risk",
                "Family at risk of homelessness",
                "A young carer whose caring role is affecting their development",
            ],
        },
    ),
    LevelInput(
        4,
        "Specialist / statutory",
        "Children who are suffering, or likely to suffer, significant harm, or whose needs can only be "
        "met by specialist or statutory services.",
        "Refer immediately to children's social care. A decision on the referral is made within one "
        "working day. Confirm a telephone referral in writing within 48 hours.",
        "Children's social care through Notts Connect: 0300 500 80 80. Out of hours: the Emergency "
        "Duty Team on 0300 456 4546. **If a child is in immediate danger, call 999.**",
        {
            "development": [
                "Disclosure by the child of physical, sexual or emotional abuse",
                "Unexplained injuries, or injuries inconsistent with the explanation given",
                "A child at risk of sexual exploitation",
            ],
            "parenting": [
                "Parent unable or unwilling to protect the child from harm",
                "Severe neglect of the child's basic needs",
            ],
            "family": [
                "Domestic violence assessed as high risk (referred to MARAC)",
                "A person who poses a risk to children living in or visiting the household",
            ],
        },
    ),
]

PATHWAYS_V1 = [
    PathwayInput(
        "Neglect",
        2,
        "Early signs of neglect",
        "1. Talk to the parents about your concern and what help is available.\n"
        "2. With their consent, start a CAF assessment.\n"
        "3. Agree a plan with the family and review it within eight weeks.",
        "Locality early help team",
        "0300 500 80 80",
        "earlyhelp@nottscc.example",
    ),
    PathwayInput(
        "Neglect",
        4,
        "Neglect causing significant harm",
        "1. Refer to children's social care by telephone the same day.\n"
        "2. Confirm the referral in writing within 48 hours.\n"
        "3. Record the child's own words and what you saw.",
        "Children's social care via Notts Connect",
        "0300 500 80 80",
        "referrals@nottsconnect.example",
    ),
    PathwayInput(
        "Domestic violence",
        3,
        "Domestic violence: standard or medium risk",
        "1. Complete a risk assessment with the adult victim.\n"
        "2. Refer the adult to the local domestic violence support service.\n"
        "3. Consider a CAF for the children in the household.",
        "Nottinghamshire Domestic Violence Forum outreach",
        "0808 800 0340",
        "",
    ),
    PathwayInput(
        "Domestic violence",
        4,
        "Domestic violence: high risk",
        "1. Refer the case to the Multi-Agency Risk Assessment Conference (MARAC).\n"
        "2. Refer the children to children's social care the same day.\n"
        "3. If anyone is in immediate danger, call 999.",
        "Children's social care via Notts Connect",
        "0300 500 80 80",
        "referrals@nottsconnect.example",
    ),
    PathwayInput(
        "Physical abuse",
        4,
        "Suspected physical abuse or an unexplained injury",
        "1. Do not question the child in detail; listen and record their words.\n"
        "2. Refer to children's social care immediately. Do not tell the parents first if that could "
        "put the child at risk.\n"
        "3. Seek medical attention if the child is injured.",
        "Children's social care via Notts Connect",
        "0300 500 80 80",
        "referrals@nottsconnect.example",
    ),
    PathwayInput(
        "Child missing education",
        2,
        "A child missing from school roll or not attending",
        "1. The school follows its attendance procedure and contacts the family.\n"
        "2. After ten school days without contact, refer to the Education Welfare Service.\n"
        "3. If there are welfare concerns too, follow the relevant pathway as well.",
        "Education Welfare Service",
        "0115 977 3570",
        "ews@nottscc.example",
    ),
    PathwayInput(
        "Child missing from home",
        3,
        "A child who runs away or goes missing from home",
        "1. Report the child missing to the police on 101 (or 999 if at risk of immediate harm).\n"
        "2. On return, make sure a return interview takes place within 72 hours.\n"
        "3. Consider a CAF and the risk of sexual exploitation.",
        "Nottinghamshire Police",
        "101",
        "",
    ),
]


def _v2_changes() -> tuple[list[LevelInput], list[PathwayInput]]:
    """Version 2: the Notts Connect pilot becomes the single front door; private fostering added."""
    levels = [LevelInput(**{**lvl.__dict__, "indicators": dict(lvl.indicators)}) for lvl in LEVELS_V1]
    levels[2].contact = (
        "The Multi-Agency Safeguarding Hub (MASH) through Notts Connect, the single front door for "
        "all referrals: 0300 500 80 80."
    )
    levels[2].indicators["development"] = levels[2].indicators["development"] + [
        "Going missing from school during the day"
    ]
    levels[3].response = (
        "Refer immediately to the MASH through Notts Connect. A decision on the referral is made within "
        "one working day and the referrer is told the outcome within three working days. Confirm a "
        "telephone referral in writing within 48 hours."
    )
    pathways = list(PATHWAYS_V1) + [
        PathwayInput(
            "Private fostering",
            2,
            "A child living with someone who is not a close relative for 28 days or more",
            "1. Tell the carer and the parent they must notify children's social care.\n"
            "2. Notify children's social care yourself if you are not sure they have.\n"
            "3. Children's social care will assess the arrangement within seven working days.",
            "Children's social care via Notts Connect",
            "0300 500 80 80",
            "privatefostering@nottscc.example",
        )
    ]
    return levels, pathways


# One line per set of words practitioners use for the same thing.
SYNONYMS = """CSE, child sexual exploitation, sexual exploitation
CSA, child sexual abuse
DV, domestic violence, domestic abuse
MASH, Multi-Agency Safeguarding Hub
MARAC, Multi-Agency Risk Assessment Conference
LADO, local authority designated officer
CAF, Common Assessment Framework
EHA, early help assessment
FGM, female genital mutilation
self-harm, self harm, self-injury
CP, child protection
CIN, child in need, children in need
CME, child missing education, children missing education
DSL, designated safeguarding lead
CAMHS, child and adolescent mental health services
YOT, youth offending team, youth justice service
ASB, antisocial behaviour, anti-social behaviour"""


def seed() -> None:
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    if synonyms_record() is None:
        save_synonyms(SYNONYMS, loaded_version=0, actor=admin)
    if db.session.scalar(select(ThresholdDocument.id).where(ThresholdDocument.slug == SLUG)):
        return
    now = utcnow()
    document = create_document(title="Pathway to Provision", slug=SLUG, is_public=True, actor=admin)
    v1 = db.session.scalar(select(ThresholdVersion).where(ThresholdVersion.document_id == document.id))
    save_draft(
        v1,
        DraftContent(
            summary_of_amendments="First partnership-wide version of the thresholds of need, agreed by the "
            "Safeguarding Children Board and the Children's Trust.",
            next_review_date=(now + timedelta(days=240)).date(),
            sections=SECTIONS,
            levels=LEVELS_V1,
            pathways=PATHWAYS_V1,
        ),
        loaded_version=v1.lock_version,
        actor=admin,
    )
    v1.status = VersionStatus.PUBLISHED
    v1.published_at = now - timedelta(days=120)
    v1.effective_from = v1.published_at.date()
    v1.published_by_id = admin.id
    record(
        "threshold.publish",
        v1,
        after={"current_version": 1},
        summary="Published version 1 of Pathway to Provision",
        actor=admin,
    )

    # Two agencies have confirmed their staff were briefed on version 1.
    for agency_name, lead_email, days_ago in (
        ("Nottinghamshire Police", "police.lead@demo.test", 100),
        ("Sherwood Vale Academy", "school@demo.test", 85),
    ):
        agency = db.session.scalar(select(Agency).where(Agency.name == agency_name))
        lead = db.session.scalar(select(User).where(User.email == lead_email))
        db.session.add(
            AgencyAcknowledgement(
                version_id=v1.id,
                agency_id=agency.id,
                acknowledged_by_id=lead.id,
                acknowledged_at=now - timedelta(days=days_ago),
            )
        )

    # Everyone has read version 1 in the months since: publishing version 2 asks them again.
    for user_id in db.session.scalars(select(User.id).where(User.active.is_(True))):
        db.session.add(ReadReceipt(version_id=v1.id, user_id=user_id, read_at=now - timedelta(days=60)))

    db.session.flush()
    v2 = start_draft(document, actor=admin)
    levels, pathways = _v2_changes()
    save_draft(
        v2,
        DraftContent(
            summary_of_amendments="The Notts Connect pilot becomes the single front door for all referrals "
            "through the new Multi-Agency Safeguarding Hub (MASH). Referrers are told the outcome within "
            "three working days. New pathway for private fostering arrangements.",
            next_review_date=(now + timedelta(days=365)).date(),
            sections=SECTIONS,
            levels=levels,
            pathways=pathways,
        ),
        loaded_version=v2.lock_version,
        actor=admin,
    )
