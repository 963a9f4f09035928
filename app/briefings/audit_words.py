"""Briefings in the audit trail's words."""

from flask import url_for
from sqlalchemy import literal, select

from app.audit.words import EventWords, RecordKind, events, record_kind
from app.briefings.models import Briefing

events(
    {
        "briefing.publish": EventWords("Published a briefing"),
        "briefing.read": EventWords("Read a briefing", routine=True),
    }
)
record_kind(
    "briefings",
    RecordKind(
        "Briefing",
        "Briefings",
        names=lambda ids: select(Briefing.id, Briefing.title, literal(""), Briefing.id).where(
            Briefing.id.in_(ids)
        ),
        link=lambda row: url_for("briefings.show_briefing", briefing_id=row.number),
    ),
)
