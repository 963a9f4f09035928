"""Young people's feedback in the audit trail's words. The trail never holds their words: a
message is named by its number only, and linked to its page (which only those who may read it
can open)."""

from flask import url_for
from sqlalchemy import literal, select

from app.audit.words import EventWords, FieldWords, RecordKind, events, fields, no_number, record_kind
from app.participation.models import ACTION_LABELS, Consultation, Feedback, Response

events(
    {
        "feedback.receive": EventWords("A young person gave feedback", "{summary}"),
        "feedback.review": EventWords("Marked a young person's message reviewed"),
        "feedback.action": EventWords("Recorded what was done about a flagged message"),
        "feedback.themes": EventWords("Tagged the themes of a message"),
        "feedback.purge": EventWords("Deleted messages past their retention", "{summary}"),
        "consultation.create": EventWords("Started a consultation"),
        "consultation.edit": EventWords("Edited a consultation"),
        "response.create": EventWords("Wrote a \u201cyou said, we did\u201d"),
        "response.edit": EventWords("Edited a \u201cyou said, we did\u201d"),
        "response.publish": EventWords("Published a \u201cyou said, we did\u201d"),
    }
)

record_kind(
    "feedback",
    RecordKind(
        "Young person's message",
        "Young people's messages",
        names=lambda ids: select(Feedback.id, literal("Message"), literal(""), Feedback.id).where(
            Feedback.id.in_(ids)
        ),
        text=lambda row: f"Message {row.number}",
        link=lambda row: url_for("participation.show_feedback", feedback_id=row.number),
    ),
)
record_kind(
    "consultations",
    RecordKind(
        "Consultation",
        "Consultations",
        names=lambda ids: select(Consultation.id, Consultation.title, literal(""), Consultation.id).where(
            Consultation.id.in_(ids)
        ),
        link=lambda row: url_for("participation.edit_consultation", consultation_id=row.number),
    ),
)
record_kind(
    "you_said_we_did",
    RecordKind(
        "\u201cYou said, we did\u201d",
        "\u201cYou said, we did\u201d",
        names=lambda ids: select(Response.id, Response.you_said, literal(""), no_number()).where(
            Response.id.in_(ids)
        ),
        text=lambda row: row.label[:80],
    ),
)

fields(
    "feedback",
    {
        "flagged": FieldWords("Flagged for urgent review", {True: "Yes", False: "No"}),
        "consultation_id": FieldWords("Consultation", refers_to="consultations"),
        "triage": FieldWords("Triage", {"new": "New", "reviewed": "Reviewed"}),
        "action_taken": FieldWords("What was done", {str(k): v for k, v in ACTION_LABELS.items()}),
        "themes": FieldWords("Themes"),
        "deleted": FieldWords("Messages deleted"),
        "deleted_flagged": FieldWords("Flagged messages deleted"),
    },
)
fields(
    "consultations",
    {
        "title": FieldWords("Title"),
        "question": FieldWords("Question"),
        "opens_on": FieldWords("Opens"),
        "closes_on": FieldWords("Closes"),
    },
)
fields(
    "you_said_we_did",
    {
        "you_said": FieldWords("You said"),
        "we_did": FieldWords("We did"),
        "action_id": FieldWords("Partnership action", refers_to="actions"),
        "published": FieldWords("Published", {True: "Yes", False: "No"}),
    },
)
