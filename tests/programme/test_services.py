"""The programme services, called directly: who restructures projects, and how progress rolls up."""

import pytest

from app.actions.models import Project
from app.errors import NotAllowed, StaleEdit
from app.extensions import db
from app.programme import permissions, services
from app.programme.services import Progress, programme_progress
from tests.factories import make_project, make_user, reload
from tests.service_checks import audit_actions, count, refused


def details(number=9, title="Early help offer", **changes) -> services.ProjectDetails:
    values = {
        "number": number,
        "title": title,
        "aim": "",
        "lead_name": "Jo Smith",
        "lead_agency_id": None,
        "start_date": None,
        "end_date": None,
    }
    values.update(changes)
    return services.ProjectDetails(**values)


def test_the_programme_manager_and_admins_manage_projects(app):
    roles = ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead", "admin"]
    holders = {role for role in roles if permissions.MANAGE_PROJECTS.allows(make_user(role=role))}
    assert holders == {"programme_manager", "admin"}


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member", "participation_lead"])
def test_only_those_who_run_the_programme_add_or_edit_projects(app, role):
    project, user = make_project(3, "Caseload management"), make_user(role=role)
    with refused(NotAllowed):
        services.save_project(None, details(), programme=project.programme, user=user)
    with refused(NotAllowed):
        services.save_project(
            project,
            details(3, "Renamed"),
            programme=project.programme,
            user=user,
            loaded_version=project.lock_version,
        )
    assert count(Project) == 1 and reload(project).title == "Caseload management"


def test_adding_and_editing_a_project_is_audited(app):
    programme = make_project(1).programme
    manager = make_user(role="programme_manager")
    project = services.save_project(None, details(9), programme=programme, user=manager)
    db.session.commit()
    services.save_project(
        project,
        details(9, lead_name="Ann Lee"),
        programme=programme,
        user=manager,
        loaded_version=project.lock_version,
    )
    assert (project.code, project.lead_name) == ("P09", "Ann Lee")
    assert audit_actions() == ["project.create", "project.edit"]


@pytest.mark.parametrize("loaded", [None, "earlier"])
def test_editing_a_project_from_a_stale_form_is_refused(app, loaded):
    project = make_project(4, "Caseload management")
    manager = make_user(role="admin")
    seen = project.lock_version - 1 if loaded == "earlier" else None
    with refused(StaleEdit):
        services.save_project(
            project, details(4, "Renamed"), programme=project.programme, user=manager, loaded_version=seen
        )
    assert reload(project).title == "Caseload management"


# --- The roll-up: pure functions of each project's progress ----------------------------------


def projects(*rags: str) -> dict[int, Progress]:
    return {n: Progress(actions=1, rag=rag, weighted_sum=50, weight_sum=1) for n, rag in enumerate(rags)}


def test_a_programme_without_projects_or_actions_has_no_rag():
    assert programme_progress({}, 0).rag is None
    assert programme_progress({}, 3).rag is None
    assert programme_progress({1: Progress(actions=0, rag="green")}, 1).rag is None


def test_the_programme_is_red_when_a_quarter_or_more_of_its_projects_are_red():
    assert programme_progress(projects("red", "green", "green", "green"), 4).rag == "red"
    assert programme_progress(projects("red", "green", "green", "green", "green"), 5).rag == "amber"


def test_the_quarter_counts_every_project_not_only_those_with_actions():
    assert programme_progress(projects("red"), 4).rag == "red"
    assert programme_progress(projects("red"), 5).rag == "amber"


def test_the_programme_is_amber_when_any_project_is_amber_and_green_otherwise():
    assert programme_progress(projects("amber", "green", "green"), 3).rag == "amber"
    assert programme_progress(projects("green", "green"), 2).rag == "green"
