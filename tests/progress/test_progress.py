"""The Children's Trust's dashboard, an agency's record, the CSV copies and the board report."""

import io
import re

import pypdf
import pytest
from sqlalchemy import insert

from app.db_types import utcnow
from app.progress.dashboard import Filters, build_dashboard
from tests.factories import make_action, make_agency, make_project, make_threshold_document
from tests.querycount import count_queries


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("role", ["partner", "agency_lead", "participation_lead"])
def test_agency_staff_get_403_but_see_their_own_agencys_record(app, client, as_role, role):
    mine, theirs = make_agency(), make_agency()
    as_role(role, agency=mine)
    assert client.get("/progress/").status_code == 403
    assert client.post("/progress/report", data={}).status_code == 403
    assert client.get("/progress/export/projects").status_code == 403
    own = client.get(f"/progress/agencies/{mine.id}")
    expected = 403 if role == "participation_lead" else 200
    assert own.status_code == expected
    assert client.get(f"/progress/agencies/{theirs.id}").status_code == 403


@pytest.mark.parametrize("role", ["trust_member", "programme_manager", "admin"])
def test_the_trust_the_programme_manager_and_admins_see_everything(app, client, as_role, role):
    agency = make_agency()
    as_role(role)
    assert client.get("/progress/").status_code == 200
    assert client.get(f"/progress/agencies/{agency.id}").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    assert client.get("/progress/").status_code == 302


def test_numbers_come_from_the_actions_and_drill_down_to_the_lists_behind_them(app, client, as_role):
    police, health = make_agency("Nottinghamshire Police"), make_agency("NHS Bassetlaw")
    project = make_project(6, "Social care thresholds document")
    make_action(owner=police, project=project, rag="red", percent=20, due_in_days=-3)
    make_action(owner=health, project=project, rag="green", percent=80)
    as_role("trust_member")
    page = client.get("/progress/").get_data(as_text=True)
    assert "P06 Social care thresholds document" in page
    assert f"/actions/?project={project.id}&amp;overdue=1" in page
    filtered = client.get(f"/progress/?agency={health.id}", headers={"HX-Request": "true"})
    body = filtered.get_data(as_text=True)
    assert filtered.status_code == 200 and "<html" not in body
    assert "Showing NHS Bassetlaw" in body and "No open action is red or overdue." in body
    assert "Vary" in filtered.headers and "HX-Request" in filtered.headers["Vary"]


def test_the_filter_counts_only_the_chosen_agencies_actions(app):
    police, health = make_agency(), make_agency(kind="health")
    project = make_project(1)
    make_action(owner=police, project=project, percent=0, weight=1)
    make_action(owner=health, project=project, percent=100, status="complete", weight=1)
    with app.test_request_context():
        everyone = build_dashboard(Filters())
        health_only = build_dashboard(Filters(kind="health"))
    assert everyone.overall.percent == 50 and everyone.overall.actions == 2
    assert health_only.overall.percent == 100 and health_only.overall.actions == 1


def test_the_dashboard_runs_the_same_queries_for_two_actions_or_two_thousand(app, client, as_role):
    from app.actions.models import Action
    from app.extensions import db

    project = make_project(1)
    owner = make_agency()
    make_action(owner=owner, project=project)
    make_threshold_document(slug="doc")
    as_role("trust_member")
    few = count_queries(app, lambda: client.get("/progress/"))
    db.session.execute(
        insert(Action),
        [
            {
                "reference": f"P01-{n + 10}",
                "project_id": project.id,
                "title": f"Action {n}",
                "description": "",
                "owner_agency_id": owner.id,
                "owner_name": "Owner",
                "due_date": utcnow().date(),
                "percent_complete": n % 100,
                "status": "in_progress",
                "rag": ("green", "amber", "red")[n % 3],
                "weight": 1,
                "evidence": "",
                "source": "partnership",
                "review": "accepted",
                "return_reason": "",
                "created_at": utcnow(),
                "updated_at": utcnow(),
                "lock_version": 1,
            }
            for n in range(2000)
        ],
    )
    db.session.commit()
    many = count_queries(app, lambda: client.get("/progress/"))
    assert few == many


def test_csv_copies_of_the_tables(app, client, as_role):
    make_action(
        project=make_project(3, "Quality audit"), rag="red", due_in_days=-1, title="=cmd|' /C calc'!A0"
    )
    as_role("programme_manager")
    for table in ("projects", "exceptions", "acknowledgements", "months"):
        response = client.get(f"/progress/export/{table}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
    exceptions = client.get("/progress/export/exceptions").get_data(as_text=True)
    assert "'=cmd" in exceptions, "a formula in a cell is defused"
    assert client.get("/progress/export/users").status_code == 404


def test_the_board_report_is_a_pdf_with_the_dashboards_numbers_and_the_authors_words(app, client, as_role):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    as_role("trust_member")
    with app.test_request_context():
        dashboard = build_dashboard(Filters())
    response = client.post(
        "/progress/report", data={"recommendations": "The board is asked to agree the revised dates for P06."}
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    for heading in (
        "Purpose of paper",
        "Summary",
        "Programme progress",
        "Exceptions",
        "Safer recruitment",
        "Thresholds of need",
        "Young people's views",
        "Recommendations",
    ):
        assert heading in text, heading
    assert f"{dashboard.overall.percent}% complete across {dashboard.overall.actions} actions" in text
    assert f"{dashboard.exception_count} open actions are red or overdue" in text
    counts = dashboard.acknowledgements[0]
    assert f"{counts.outstanding} of {counts.agencies} agencies have still to confirm" in text
    assert f"young people sent {dashboard.participation.total} messages" in text
    assert "The board is asked to agree the revised dates for P06." in text
    page = client.get("/progress/").get_data(as_text=True)
    assert f"{dashboard.overall.percent}%" in page


def test_young_peoples_words_never_reach_the_dashboard_or_the_report(app, client, as_role):
    from app.extensions import db
    from app.participation.services import FeedbackDetails, receive_feedback

    receive_feedback(FeedbackDetails(None, "", "Zanzibar marmalade words", None, "", False, ""))
    db.session.commit()
    as_role("trust_member")
    assert "Zanzibar" not in client.get("/progress/").get_data(as_text=True)
    report = client.post("/progress/report", data={"recommendations": ""})
    assert "Zanzibar" not in pdf_text(report.data)
    assert "For the author to complete" in pdf_text(report.data)


def test_an_over_long_recommendation_is_refused_with_the_reason(app, client, as_role):
    as_role("trust_member")
    response = client.post("/progress/report", data={"recommendations": "x" * 5000})
    assert response.status_code == 422
    assert "Keep the recommendations to 4,000 characters or fewer" in response.get_data(as_text=True)


def _red_actions(count: int) -> None:
    agency, project = make_agency(), make_project()
    for number in range(1, count + 1):
        make_action(agency, project, title=f"Exception number {number:02d}", rag="red")


def test_the_board_report_lists_as_many_exceptions_as_its_author_chose_and_says_how_many_in_all(
    app, client, as_role
):
    _red_actions(30)
    as_role("trust_member")
    chosen = pdf_text(client.post("/progress/report", data={"exceptions_listed": "25"}).data)
    assert len(re.findall(r"Exception number \d\d", chosen)) == 25
    assert "the 25 most urgent of 30" in chosen
    assert "(section 5 lists the 25 most urgent)" in chosen

    everything = pdf_text(client.post("/progress/report", data={"exceptions_listed": "200"}).data)
    assert len(re.findall(r"Exception number \d\d", everything)) == 30
    assert "most urgent" not in everything


def test_the_board_report_lists_the_fifty_most_urgent_exceptions_unless_asked_otherwise(app, client, as_role):
    _red_actions(52)
    as_role("trust_member")
    page = client.get("/progress/").get_data(as_text=True)
    assert re.search(r'value="50"[^>]*checked', page), "the form offers fifty, chosen"
    assert re.search(r"<legend[^>]*>\s*Exceptions to list\s*</legend>", page), "the radios are named"
    text = pdf_text(client.post("/progress/report", data={"recommendations": ""}).data)
    assert len(re.findall(r"Exception number \d\d", text)) == 50
    assert "the 50 most urgent of 52" in text


@pytest.mark.parametrize("listed", ["7", "0", "lots"])
def test_a_number_of_exceptions_not_offered_is_refused_with_the_reason(app, client, as_role, listed):
    as_role("trust_member")
    response = client.post("/progress/report", data={"exceptions_listed": listed})
    assert response.status_code == 422 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#exceptions_listed">Choose how many exceptions to list: 25, 50, 100 or 200</a>' in page
