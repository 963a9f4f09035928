"""The programme's projects in the audit trail's words, linked to the project's page."""

from flask import url_for
from sqlalchemy import select

from app.actions.models import Project
from app.audit.words import EventWords, FieldWords, RecordKind, events, fields, no_key, record_kind

events(
    {
        "project.create": EventWords("Added a project"),
        "project.edit": EventWords("Edited a project"),
    }
)

record_kind(
    "projects",
    RecordKind(
        "Project",
        "Projects",
        names=lambda ids: select(Project.id, Project.title, no_key(), Project.number).where(
            Project.id.in_(ids)
        ),
        text=lambda row: f"P{row.number:02d} {row.label}",
        link=lambda row: url_for("programme.show_project", project_id=row.id),
    ),
)

fields(
    "projects",
    {
        "number": FieldWords("Number"),
        "title": FieldWords("Project"),
        "aim": FieldWords("Aim"),
        "lead_name": FieldWords("Project lead"),
        "lead_agency_id": FieldWords("Lead agency", refers_to="agencies"),
        "start_date": FieldWords("Start date"),
        "end_date": FieldWords("Planned end date"),
    },
)
