import pytest
from sqlalchemy import func, select

from app.actions.models import Project
from app.audit.models import AuditEvent
from app.extensions import db
from app.forms import new_token
from app.programme.services import programme_progress, project_progress
from tests.factories import make_action, make_project


def test_project_progress_is_weighted_and_rag_is_the_worst_open_action(app):
    project = make_project(1)
    make_action(project=project, percent=100, weight=3, status="complete", rag="red")  # finished: RAG ignored
    make_action(project=project, percent=20, weight=1, rag="amber")
    other = make_project(2)
    make_action(project=other, percent=50, rag="green", due_in_days=-1)
    progress = project_progress()
    assert progress[project.id].percent == round((300 + 20) / 4)
    assert progress[project.id].rag == "amber"
    assert progress[other.id].overdue == 1 and progress[other.id].rag == "green"
    overall = programme_progress(progress, project_count=2)
    assert overall.percent == round((300 + 20 + 50) / 5)
    assert overall.rag == "amber" and overall.actions == 3


def test_programme_is_red_when_a_quarter_of_projects_are_red(app):
    projects = [make_project(n) for n in range(1, 5)]
    make_action(project=projects[0], rag="red")
    for p in projects[1:]:
        make_action(project=p, rag="green")
    assert programme_progress(project_progress(), project_count=4).rag == "red"


def test_programme_page_shows_projects_with_rag_in_words(app, client, as_role):
    project = make_project(14, "Safer recruitment")
    make_action(project=project, rag="red", percent=30)
    as_role("partner")
    page = client.get("/programme/").get_data(as_text=True)
    assert "P14 Safer recruitment" in page and ">Red<" in page and "30%" in page
    assert "How progress and RAG are worked out" in page
    project_page = client.get(f"/programme/projects/{project.id}").get_data(as_text=True)
    assert "Safer recruitment" in project_page and "P14-01" in project_page


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member", "participation_lead"])
def test_only_the_programme_manager_and_admins_restructure_projects(app, client, as_role, role):
    project = make_project(3, "Caseload management system")
    as_role(role)
    assert client.get("/programme/projects/new").status_code == 403
    assert (
        client.post(
            f"/programme/projects/{project.id}/edit", data={"number": 3, "title": "Renamed", "lead_name": "X"}
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "Caseload management system"


def test_programme_manager_adds_and_edits_projects_with_audit(app, client, as_role):
    make_project(1, "Ensure children and young people are safe")
    as_role("programme_manager")
    response = client.post(
        "/programme/projects/new",
        data={
            "submission_token": new_token(),
            "number": 19,
            "title": "Early help offer",
            "lead_name": "Jo Smith",
        },
    )
    assert response.status_code == 303
    project = db.session.scalar(select(Project).where(Project.number == 19))
    response = client.post(
        f"/programme/projects/{project.id}/edit",
        data={"number": 19, "title": "Early help offer", "lead_name": "Ann Lee"},
    )
    assert response.status_code == 303
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "projects").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["project.create", "project.edit"]
    assert events[1].before["lead_name"] == "Jo Smith" and events[1].after["lead_name"] == "Ann Lee"


def test_duplicate_project_number_is_refused(app, client, as_role):
    make_project(1, "Ensure children and young people are safe")
    as_role("programme_manager")
    response = client.post(
        "/programme/projects/new",
        data={"submission_token": new_token(), "number": 1, "title": "Another", "lead_name": "X"},
    )
    assert response.status_code == 422
    assert "Project 1 already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Project.id))) == 1
