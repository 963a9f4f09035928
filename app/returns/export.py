"""A period's returns as CSV: one row per agency, its status, compliance, ratings and answers.

Answers are written only where the user may read the return (a reviewer never sees a draft's)."""

from __future__ import annotations

import csv
import io

from flask import Response

from app.actions.export import csv_cell
from app.permissions import can
from app.returns.models import RATING_LABELS
from app.returns.questions import CURRENT_VERSION, questions_for


def returns_csv(period, rows, user) -> Response:
    questions = questions_for(CURRENT_VERSION)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "Agency",
            "Kind",
            "Period",
            "Status",
            "Compliance %",
            "Self-assessed rating",
            "Moderated rating",
            "Submitted",
        ]
        + [q.label for q in questions]
    )
    for row in rows:
        ret = row.ret
        readable = ret is not None and can("returns.view", ret)
        answers = ret.answers if readable else {}
        values = [
            row.agency.name,
            row.agency.kind_label,
            period.name if period else "",
            row.status_label,
            ret.compliance if readable and ret.compliance is not None else "",
            RATING_LABELS.get(ret.self_rating, "") if readable else "",
            RATING_LABELS.get(ret.moderated_rating, "") if readable else "",
            ret.submitted_at.date().isoformat() if readable and ret.submitted_at else "",
        ] + [answers.get(q.key, "") for q in questions]
        writer.writerow([csv_cell(v) for v in values])
    name = period.name.replace("/", "-").replace(" ", "-").lower() if period else "no-period"
    filename = f"safer-recruitment-returns-{name}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
