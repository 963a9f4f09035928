"""The return's questions, as a versioned definition in code.

Why in code and not in tables: the questions change only when the statutory guidance changes (a
new version here, reviewed like any other change), every question has rules that are code anyway
("of those" never exceeds its total; the SCR import knows which answers it may fill), and a
return stores the `template_version` it was started on, so an old return keeps its questions
while new ones get the new version. Never edit a published version: add the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.models import AgencyKind

COUNT, YES_NO, DATE, TEXT = "count", "yes_no", "date", "text"


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str = COUNT
    section: str = ""
    of: str | None = None  # "of those": never more than the answer to this question
    hint: str = ""
    for_kinds: frozenset[str] | None = None  # None: every agency; else only these kinds
    carried_forward: bool = False  # pre-filled from the agency's last accepted return
    # Counts that together describe one total (outcomes of the allegations) never exceed it.
    part_of_whole: bool = False

    def applies_to(self, agency_kind: str) -> bool:
        return self.for_kinds is None or agency_kind in self.for_kinds


SCHOOLS = frozenset({str(AgencyKind.SCHOOL)})

APPOINTMENTS = "Appointments to posts working with children"
SUPPLY = "Agency and supply staff"
PANELS = "Recruitment panels and training"
SCR = "Single central record"
ALLEGATIONS = "Allegations against staff"
ASSURANCE = "Named senior manager and action on gaps"

VERSION_1 = (
    Question("appointments", "Appointments made to posts working with children", section=APPOINTMENTS),
    Question(
        "fully_checked",
        "Of those, how many had every check below completed before they started",
        of="appointments",
        section=APPOINTMENTS,
        hint="This is the figure the partnership's compliance is measured on.",
    ),
    Question(
        "dbs_before_start",
        "Of those, how many had an enhanced CRB (now DBS) check obtained before starting",
        of="appointments",
        section=APPOINTMENTS,
    ),
    Question(
        "identity_verified",
        "Of those, how many had their identity verified",
        of="appointments",
        section=APPOINTMENTS,
    ),
    Question(
        "references_verified",
        "Of those, how many had two references obtained and verified before appointment",
        of="appointments",
        section=APPOINTMENTS,
    ),
    Question(
        "qualifications_checked",
        "Of those, how many had their qualifications checked",
        of="appointments",
        section=APPOINTMENTS,
    ),
    Question(
        "right_to_work_checked",
        "Of those, how many had their right to work checked",
        of="appointments",
        section=APPOINTMENTS,
    ),
    Question(
        "overseas_needed",
        "Of those, how many needed overseas checks (they had lived or worked abroad)",
        of="appointments",
        section=APPOINTMENTS,
    ),
    Question(
        "overseas_done",
        "Of those, how many had the overseas checks done",
        of="overseas_needed",
        section=APPOINTMENTS,
    ),
    Question(
        "barred_list_checked",
        "Of the appointments, how many had a List 99 / barred-list check",
        of="appointments",
        section=APPOINTMENTS,
    ),
    Question("supply_staff", "Agency or supply staff placed to work with children", section=SUPPLY),
    Question(
        "supply_confirmed",
        "Of those, how many came with written confirmation of checks from the supplying agency",
        of="supply_staff",
        section=SUPPLY,
    ),
    Question("panels", "Recruitment panels held for posts working with children", section=PANELS),
    Question(
        "panels_with_trained_member",
        "Of those, how many included at least one member trained in safer recruitment",
        of="panels",
        section=PANELS,
        hint="Required for schools from 1 January 2010.",
    ),
    Question("staff_trained", "Staff trained in safer recruitment in the period", section=PANELS),
    Question(
        "scr_complete",
        "Is the single central record complete and up to date?",
        kind=YES_NO,
        section=SCR,
        for_kinds=SCHOOLS,
    ),
    Question(
        "scr_audited_on",
        "When was the single central record last audited?",
        kind=DATE,
        section=SCR,
        for_kinds=SCHOOLS,
        carried_forward=True,
    ),
    Question(
        "lado_referrals",
        "Allegations against staff referred to the LADO (local authority designated officer)",
        section=ALLEGATIONS,
    ),
    Question(
        "outcome_substantiated",
        "Outcome: substantiated",
        of="lado_referrals",
        section=ALLEGATIONS,
        part_of_whole=True,
    ),
    Question(
        "outcome_unsubstantiated",
        "Outcome: unsubstantiated",
        of="lado_referrals",
        section=ALLEGATIONS,
        part_of_whole=True,
    ),
    Question(
        "outcome_unfounded",
        "Outcome: unfounded",
        of="lado_referrals",
        section=ALLEGATIONS,
        part_of_whole=True,
    ),
    Question("outcome_false", "Outcome: false", of="lado_referrals", section=ALLEGATIONS, part_of_whole=True),
    Question(
        "outcome_malicious",
        "Outcome: malicious",
        of="lado_referrals",
        section=ALLEGATIONS,
        part_of_whole=True,
    ),
    Question(
        "senior_manager",
        "Your agency's named senior manager for allegations",
        kind=TEXT,
        section=ASSURANCE,
        hint="Their name and job title.",
        carried_forward=True,
    ),
    Question(
        "gaps_and_actions",
        "Gaps found, and the action being taken",
        kind=TEXT,
        section=ASSURANCE,
        hint="For example: two references were taken after appointment; HR now holds start dates "
        "until both are in.",
    ),
)

TEMPLATES: dict[int, tuple[Question, ...]] = {1: VERSION_1}
CURRENT_VERSION = max(TEMPLATES)

# The checks that make an appointment "fully checked before start".
CHECK_KEYS = (
    "dbs_before_start",
    "identity_verified",
    "references_verified",
    "qualifications_checked",
    "right_to_work_checked",
    "barred_list_checked",
)


def questions_for(version: int, agency_kind: str | None = None) -> tuple[Question, ...]:
    questions = TEMPLATES[version]
    if agency_kind is None:
        return questions
    return tuple(q for q in questions if q.applies_to(agency_kind))


def sections(questions) -> list[tuple[str, list[Question]]]:
    grouped: dict[str, list[Question]] = {}
    for question in questions:
        grouped.setdefault(question.section, []).append(question)
    return list(grouped.items())
