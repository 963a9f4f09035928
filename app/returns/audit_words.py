"""Safer-recruitment returns in the audit trail's words, linked to the return's page. The trail
holds a return's counts and ratings, never anything from an SCR file."""

from flask import url_for
from sqlalchemy import select

from app.audit.words import EventWords, FieldWords, RecordKind, events, fields, no_number, record_kind
from app.auth.models import Agency
from app.returns.models import RATING_LABELS, STATUS_LABELS, Return, ReturnPeriod
from app.returns.questions import COUNT, CURRENT_VERSION, questions_for

events(
    {
        "return.start": EventWords("Started a safer-recruitment return"),
        "return.save": EventWords("Saved a draft safer-recruitment return"),
        "return.scr_counts": EventWords("Filled a return's counts from the single central record"),
        "return.submit": EventWords("Submitted a safer-recruitment return"),
        "return.resubmit": EventWords("Resubmitted an amended safer-recruitment return"),
        "return.accept": EventWords("Accepted a safer-recruitment return"),
        "return.return": EventWords("Returned a safer-recruitment return for amendment"),
        "return_period.create": EventWords("Added a return period"),
        "return_period.edit": EventWords("Edited a return period"),
    }
)

record_kind(
    "returns",
    RecordKind(
        "Safer-recruitment return",
        "Safer-recruitment returns",
        names=lambda ids: select(Return.id, Agency.name, ReturnPeriod.name, Return.id)
        .join(Agency, Agency.id == Return.agency_id)
        .join(ReturnPeriod, ReturnPeriod.id == Return.period_id)
        .where(Return.id.in_(ids)),
        text=lambda row: f"{row.key} return: {row.label}",
        link=lambda row: url_for("returns.show_return", return_id=row.number),
    ),
)
record_kind(
    "return_periods",
    RecordKind(
        "Return period",
        "Return periods",
        names=lambda ids: select(ReturnPeriod.id, ReturnPeriod.name, ReturnPeriod.name, no_number()).where(
            ReturnPeriod.id.in_(ids)
        ),
        link=lambda row: url_for("returns.edit_period_page", period_id=row.id),
    ),
)

RATINGS = {str(value): label for value, label in RATING_LABELS.items()}
fields(
    "returns",
    {
        "agency_id": FieldWords("Agency", refers_to="agencies"),
        "period_id": FieldWords("Period"),
        "status": FieldWords("Status", {str(k): v for k, v in STATUS_LABELS.items()}),
        "self_rating": FieldWords("Self-assessed rating", RATINGS),
        "moderated_rating": FieldWords("Moderated rating", RATINGS),
        "compliance": FieldWords("% of appointments fully checked before start"),
        "return_reason": FieldWords("Why it was returned"),
        **{q.key: FieldWords(q.label) for q in questions_for(CURRENT_VERSION) if q.kind == COUNT},
    },
)
fields(
    "return_periods",
    {
        "name": FieldWords("Name"),
        "covers_from": FieldWords("Covers from"),
        "covers_to": FieldWords("Covers to"),
        "opens_on": FieldWords("Opens"),
        "due_on": FieldWords("Due"),
        "agency_kinds": FieldWords("Agencies it applies to"),
        "closed": FieldWords("Closed"),
    },
)
