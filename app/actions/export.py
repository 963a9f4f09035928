"""The action list as a CSV file, with the same filters as the page."""

from __future__ import annotations

import csv
import io

from flask import Response, stream_with_context

from app.dates import today
from app.extensions import db

CSV_HEADER = [
    "Reference",
    "Action",
    "Project",
    "Owner agency",
    "Named owner",
    "Contributing agencies",
    "Start date",
    "Due date",
    "% complete",
    "Status",
    "RAG",
    "Overdue",
    "Source",
    "Last update",
    "Review",
]


def csv_cell(value) -> str:
    """Spreadsheet-safe: a cell starting with = + - @ would run as a formula in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _row(action) -> list[str]:
    return [
        csv_cell(v)
        for v in (
            action.reference,
            action.title,
            f"{action.project.code} {action.project.title}" if action.project else "",
            action.owner_agency.name,
            action.owner_name,
            "; ".join(a.name for a in action.contributors),
            action.start_date,
            action.due_date,
            action.percent_complete,
            action.status_label,
            action.rag_label,
            "Yes" if action.is_overdue else "No",
            action.source_label,
            action.last_update_at.date() if action.last_update_at else "",
            action.review,
        )
    ]


def actions_csv(stmt) -> Response:
    """Stream the rows of `stmt` (a select of actions) as CSV, 500 at a time."""
    stmt = stmt.execution_options(yield_per=500)

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADER)
        for action in db.session.scalars(stmt):
            writer.writerow(_row(action))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
        if buffer.getvalue():
            yield buffer.getvalue()

    filename = f"partnership-actions-{today().isoformat()}.csv"
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
