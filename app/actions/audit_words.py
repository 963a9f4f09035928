"""Actions and challenges in the audit trail's words, linked to the action's page."""

from flask import url_for
from sqlalchemy import select

from app.actions.models import (
    RAG_LABELS,
    REVIEW_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    Action,
    Challenge,
)
from app.audit.words import EventWords, FieldWords, RecordKind, events, fields, no_number, record_kind

events(
    {
        "action.propose": EventWords("Proposed an action"),
        "action.create": EventWords("Added an action"),
        "action.edit": EventWords("Edited an action"),
        "action.accept": EventWords("Accepted a proposed action"),
        "action.return": EventWords("Returned a proposed action"),
        "action.revise": EventWords("Edited a proposed action"),
        "action.resubmit": EventWords("Sent a returned proposal again"),
        "action.withdraw": EventWords("Withdrew a proposed action"),
        "action.progress_update": EventWords("Posted a progress update", "{who} posted a {did}"),
        "challenge.raise": EventWords("Challenged an action"),
        "challenge.respond": EventWords("Responded to a challenge"),
        "challenge.close": EventWords("Closed a challenge"),
    }
)


def _action_text(row) -> str:
    return f"{row.key}: {row.label}" if row.key else f"Proposed: {row.label}"


record_kind(
    "actions",
    RecordKind(
        "Action",
        "Actions",
        names=lambda ids: select(Action.id, Action.title, Action.reference, no_number()).where(
            Action.id.in_(ids)
        ),
        text=_action_text,
        link=lambda row: url_for("actions.show_action", action_id=row.id),
    ),
)
record_kind(
    "challenges",
    RecordKind(
        "Challenge",
        "Challenges",
        names=lambda ids: select(Challenge.id, Action.title, Action.reference, Challenge.action_id)
        .join(Action, Action.id == Challenge.action_id)
        .where(Challenge.id.in_(ids)),
        text=lambda row: f"Challenge on {row.key or row.label}",
        link=lambda row: url_for("actions.show_action", action_id=row.number, _anchor=f"challenge-{row.id}"),
    ),
)

# Before RAG and status were told apart, a status also said how an action was going.
EARLIER_STATUSES = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}

fields(
    "actions",
    {
        "reference": FieldWords("Reference"),
        "project_id": FieldWords("Project", refers_to="projects"),
        "title": FieldWords("Action"),
        "owner_agency_id": FieldWords("Owner agency", refers_to="agencies"),
        "owner_name": FieldWords("Named owner"),
        "due_date": FieldWords("Due date"),
        "percent_complete": FieldWords("% complete"),
        "status": FieldWords("Status", {**EARLIER_STATUSES, **{str(s): t for s, t in STATUS_LABELS.items()}}),
        "rag": FieldWords("RAG", {str(r): t for r, t in RAG_LABELS.items()}),
        "rag_reason": FieldWords("Reason for the RAG change"),
        "weight": FieldWords("Weight"),
        "review": FieldWords("Review", {str(r): t for r, t in REVIEW_LABELS.items()}),
        "return_reason": FieldWords("Why it was returned"),
        "source": FieldWords("Where it comes from", {str(s): t for s, t in SOURCE_LABELS.items()}),
    },
)
fields(
    "challenges",
    {
        "action": FieldWords("Action"),
        "text": FieldWords("Challenge"),
        "response": FieldWords("Response"),
        "response_due": FieldWords("Response due"),
        "open": FieldWords("Open"),
    },
)
