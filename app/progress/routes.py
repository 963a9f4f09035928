"""The dashboard (/progress/), one agency's record, CSV copies of the tables, the board report."""

from __future__ import annotations

import csv
import io
from functools import partial

from flask import Response, abort, render_template, request
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from markupsafe import Markup
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length

from app.actions.export import csv_cell
from app.actions.reporting import agency_actions, agency_challenges, agency_updates
from app.auth.fresh import fresh_sign_in
from app.auth.models import AGENCY_KIND_LABELS, Agency
from app.auth.options import agency_option_tags
from app.dates import today
from app.extensions import db
from app.forms import ButtonForm, TextBox, strip_filter
from app.htmx import render
from app.permissions import can, requires
from app.progress import bp, charts, permissions
from app.progress.dashboard import Filters, build_dashboard
from app.progress.report import board_report_pdf
from app.report_cache import remember_html
from app.thresholds.services import outstanding_acknowledgements

# How many exceptions the board report lists, the most urgent first. Each one is a table row of
# WeasyPrint's layout, about 7 ms: the county-scale paper takes about 2 s with 200 and 0.6 s with
# 50 (one process, 2 shared cores). A board paper usually asks the board about the worst; whoever
# needs all of them can choose 200, as many as the exceptions CSV has.
REPORT_EXCEPTIONS = (25, 50, 100, 200)
REPORT_EXCEPTIONS_DEFAULT = 50


def _number_or_zero(value) -> int:
    """A posted count as a number; anything else as 0, which AnyOf refuses in plain words."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ReportForm(ButtonForm):
    exceptions_listed = RadioField(
        "Exceptions to list",
        description="Red and overdue actions, the most urgent first. The paper says how many there are.",
        choices=[
            SelectChoice(n, f"The {n} most urgent" if n < REPORT_EXCEPTIONS[-1] else f"Up to {n}")
            for n in REPORT_EXCEPTIONS
        ],
        coerce=_number_or_zero,
        default=REPORT_EXCEPTIONS_DEFAULT,  # also when a request leaves it out
        validate_choice=False,  # AnyOf says what to choose instead of "Not a valid choice"
        widget=GovRadioInput(),
        validators=[
            AnyOf(REPORT_EXCEPTIONS, message="Choose how many exceptions to list: 25, 50, 100 or 200")
        ],
    )
    recommendations = TextAreaField(
        "Recommendations",
        description="Optional. What you ask the board to do, in your words: it goes in as written.",
        widget=TextBox(rows=6),
        filters=[strip_filter],
        validators=[Length(max=4000, message="Keep the recommendations to 4,000 characters or fewer")],
    )
    submit = SubmitField("Download board report (PDF)", widget=GovSubmitInput())


DASHBOARD_EXCEPTIONS = 10  # the worst; the CSV lists up to 200, the board report as many as asked


@bp.get("/")
@requires(permissions.VIEW)
def show_dashboard():
    filters = Filters.from_args(request.args)
    return render(
        "progress/dashboard.html",
        block="dashboard",
        filters=filters,
        dashboard_html=partial(dashboard_html, filters),
        kinds=AGENCY_KIND_LABELS,
        agency_option_tags=agency_option_tags,
        report_form=ReportForm(formdata=None),
    )


def dashboard_html(filters: Filters) -> Markup:
    """The numbers, as HTML: the same for everyone with the same filters and the same right to
    open the acknowledgements, so kept until the next audit event (app/report_cache.py) and shared
    by every reader; the page around them (filters, CSRF token) is rendered for each request."""

    def context() -> dict:
        dashboard = build_dashboard(filters, exceptions_listed=DASHBOARD_EXCEPTIONS)
        return {"dashboard": dashboard, "charts": _charts(dashboard), "kinds": AGENCY_KIND_LABELS}

    key = (filters.agency, filters.kind, today(), can("thresholds.see_acknowledgements"))
    return remember_html("progress.dashboard", key, "progress/_dashboard.html", context)


def _charts(dashboard) -> dict:
    months = dashboard.months
    labels = [m.first_day.strftime("%b") for m in months]
    return {
        "rag": charts.stacked_bars(
            "RAG reported in each month's updates",
            labels,
            [
                charts.Series("Green", charts.RAG_COLOURS["green"], [m.green for m in months]),
                charts.Series("Amber", charts.RAG_COLOURS["amber"], [m.amber for m in months]),
                charts.Series("Red", charts.RAG_COLOURS["red"], [m.red for m in months]),
            ],
        ),
        "percent": charts.bars(
            "Average % complete reported each month", labels, [m.percent or 0 for m in months], maximum=100
        ),
        "compliance": charts.bars(
            "Safer-recruitment compliance in each period's returns (%)",
            [p.name for p in dashboard.returns.trend],
            [p.compliance or 0 for p in dashboard.returns.trend],
            maximum=100,
        )
        if dashboard.returns and dashboard.returns.trend
        else None,
    }


@bp.get("/agencies/<int:agency_id>")
@requires(permissions.VIEW_AGENCY)
def show_agency(agency_id: int):
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    permissions.VIEW_AGENCY.require(current_user, agency)
    returns = _returns_for(agency)
    return render(
        "progress/agency.html",
        agency=agency,
        actions=agency_actions(agency.id),
        updates=agency_updates(agency.id),
        challenges=agency_challenges(agency.id),
        acknowledgements_due=outstanding_acknowledgements(agency.id),
        returns=returns,
        today=today(),
    )


def _returns_for(agency: Agency):
    from app.progress.dashboard import _module

    module = _module("app.returns.reporting")
    return module.agency_returns(agency.id) if module else None


# --- CSV copies of the dashboard's tables --------------------------------------------------------

TABLES = ("projects", "exceptions", "acknowledgements", "months")


@bp.get("/export/<table>")
@requires(permissions.VIEW)
@fresh_sign_in
def export_table(table: str):
    if table not in TABLES:
        abort(404)
    dashboard = build_dashboard(Filters.from_args(request.args))
    rows = _rows(table, dashboard)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="partnership-{table}-{today().isoformat()}.csv"'
        },
    )


def _rows(table: str, dashboard) -> list[list]:
    if table == "projects":
        return [
            ["Project", "Title", "RAG", "% complete", "Actions", "Overdue", "Open challenges", "Last update"]
        ] + [
            [
                row.project.code,
                row.project.title,
                (row.progress.rag if row.progress else "") or "",
                row.progress.percent if row.progress else "",
                row.progress.actions if row.progress else 0,
                row.progress.overdue if row.progress else 0,
                row.activity.open_challenges,
                row.activity.last_update.date().isoformat() if row.activity.last_update else "",
            ]
            for row in dashboard.projects
        ]
    if table == "exceptions":
        return [
            ["Reference", "Action", "Owner agency", "Named owner", "RAG", "Due", "Overdue", "Latest update"]
        ] + [
            [
                e.action.reference,
                e.action.title,
                e.action.owner_agency.name,
                e.action.owner_name,
                e.action.rag,
                e.action.due_date.isoformat(),
                "Yes" if e.action.is_overdue else "No",
                e.latest.note if e.latest else "",
            ]
            for e in dashboard.exceptions
        ]
    if table == "acknowledgements":
        return [["Document", "Version", "Acknowledged", "Outstanding", "Agencies"]] + [
            [c.title, c.number, c.acknowledged, c.outstanding, c.agencies] for c in dashboard.acknowledgements
        ]
    return [["Month", "Green", "Amber", "Red", "Average % complete"]] + [
        [m.label, m.green, m.amber, m.red, m.percent if m.percent is not None else ""]
        for m in dashboard.months
    ]


# --- The board report ----------------------------------------------------------------------------


@bp.post("/report")
@requires(permissions.VIEW)
@fresh_sign_in
def download_report():
    form = ReportForm()
    filters = Filters.from_args(request.args)
    if not form.validate_on_submit():
        return render(
            "progress/dashboard.html",
            filters=filters,
            dashboard_html=partial(dashboard_html, filters),
            kinds=AGENCY_KIND_LABELS,
            agency_option_tags=agency_option_tags,
            report_form=form,
            status=422,
        )
    dashboard = build_dashboard(filters, exceptions_listed=form.exceptions_listed.data)
    html = render_template(
        "progress/report.html",
        dashboard=dashboard,
        charts=_charts(dashboard),
        recommendations=form.recommendations.data or "",
        author=current_user,
    )
    return Response(
        board_report_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="board-report-{today().isoformat()}.pdf"'},
    )
