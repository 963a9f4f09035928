"""Threshold documents, versions and acknowledgements in the audit trail's words."""

from flask import url_for
from sqlalchemy import select

from app.audit.words import EventWords, FieldWords, RecordKind, events, fields, no_number, record_kind
from app.thresholds.models import AgencyAcknowledgement, ThresholdDocument, ThresholdVersion

events(
    {
        "threshold.create": EventWords("Created a threshold document"),
        "threshold.settings": EventWords("Changed a threshold document's settings"),
        "threshold.draft_started": EventWords("Started a new version of thresholds"),
        "threshold.draft_saved": EventWords("Saved a draft of thresholds"),
        "threshold.publish": EventWords("Published a version of thresholds"),
        "threshold.acknowledge": EventWords(
            "Confirmed staff were briefed on thresholds", "{summary}, confirmed by {who}"
        ),
        "threshold.read": EventWords("Read a version of thresholds", routine=True),
        "threshold.synonyms": EventWords("Changed the words threshold search treats as the same"),
    }
)

record_kind(
    "threshold_documents",
    RecordKind(
        "Threshold document",
        "Threshold documents",
        names=lambda ids: select(
            ThresholdDocument.id, ThresholdDocument.title, ThresholdDocument.slug, no_number()
        ).where(ThresholdDocument.id.in_(ids)),
        link=lambda row: url_for("thresholds.show_document", slug=row.key),
    ),
)
record_kind(
    "threshold_versions",
    RecordKind(
        "Version of thresholds",
        "Versions of thresholds",
        names=lambda ids: select(
            ThresholdVersion.id, ThresholdDocument.title, ThresholdDocument.slug, ThresholdVersion.number
        )
        .join(ThresholdDocument, ThresholdDocument.id == ThresholdVersion.document_id)
        .where(ThresholdVersion.id.in_(ids)),
        text=lambda row: f"{row.label}, version {row.number}",
        link=lambda row: url_for("thresholds.show_version", slug=row.key, number=row.number),
    ),
)
record_kind(
    "agency_acknowledgements",
    RecordKind(
        "Acknowledgement",
        "Acknowledgements of thresholds",
        names=lambda ids: select(
            AgencyAcknowledgement.id, ThresholdDocument.title, ThresholdDocument.slug, ThresholdVersion.number
        )
        .join(ThresholdVersion, ThresholdVersion.id == AgencyAcknowledgement.version_id)
        .join(ThresholdDocument, ThresholdDocument.id == ThresholdVersion.document_id)
        .where(AgencyAcknowledgement.id.in_(ids)),
        text=lambda row: f"Who has acknowledged {row.label}, version {row.number}",
        link=lambda row: url_for("thresholds.list_acknowledgements", slug=row.key, number=row.number),
    ),
)

fields(
    "threshold_documents",
    {"slug": FieldWords("Web address"), "title": FieldWords("Title"), "is_public": FieldWords("Public")},
)
fields(
    "threshold_versions",
    {
        "number": FieldWords("Version"),
        "status": FieldWords("State", {"draft": "Draft", "published": "Current", "superseded": "Superseded"}),
        "summary_of_amendments": FieldWords("Summary of amendments"),
        "next_review_date": FieldWords("Next review"),
        "current_version": FieldWords("Current version"),
        "from_version": FieldWords("Started from version"),
        "sections": FieldWords("Sections"),
        "pathways": FieldWords("Pathways"),
        "indicators": FieldWords("Indicators"),
    },
)
fields(
    "agency_acknowledgements",
    {"version": FieldWords("Version"), "agency_id": FieldWords("Agency", refers_to="agencies")},
)
