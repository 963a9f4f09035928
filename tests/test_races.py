"""Impatient users and parallel requests: eight identical posts at once make one row and no 500.

Each post runs in its own thread with its own signed-in client, released together by a barrier,
so on PostgreSQL the transactions really overlap (on SQLite they queue for the write lock).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.actions.models import Action, Challenge, ProgressUpdate, Project
from app.auth.models import Agency, User
from app.extensions import db
from app.forms import new_token
from app.thresholds.models import AgencyAcknowledgement, ReadReceipt, ThresholdDocument, ThresholdVersion
from tests.factories import PASSWORD, make_action, make_project, make_threshold_document, make_user

PARALLEL = 8


def _signed_in_clients(app, user, n=PARALLEL):
    clients = []
    for _ in range(n):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303
        clients.append(client)
    return clients


def post_in_parallel(app, user, path, data_for, headers=None) -> list[int]:
    """POST `path` from PARALLEL clients at once; data_for(i) gives each one's form. Returns the
    statuses."""
    clients = _signed_in_clients(app, user)
    barrier = threading.Barrier(len(clients))

    def post(i):
        barrier.wait()
        return clients[i].post(path, data=data_for(i), headers=headers or {}).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(post, range(len(clients))))


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def no_server_errors(statuses):
    assert all(s < 500 for s in statuses), statuses


# --- One-time tokens: the same form sent eight times -----------------------------------------


def test_the_same_new_action_sent_eight_times_makes_one(app):
    project = make_project(1)
    pm = make_user(role="programme_manager")
    form = {
        "submission_token": new_token(),
        "title": "Audit the referral backlog",
        "owner_name": "Karen Fox",
        "owner_agency_id": pm.agency_id,
        "project_id": project.id,
        "due_date": ["31", "3", "2027"],
        "source": "improvement_programme",
        "weight": "1",
    }
    statuses = post_in_parallel(app, pm, "/actions/new", lambda i: form)
    no_server_errors(statuses)
    assert statuses == [303] * PARALLEL
    assert count(Action) == 1
    assert db.session.scalar(select(Action.reference)) == "P01-01"


def test_the_same_progress_update_sent_eight_times_makes_one(app):
    action = make_action()
    updater = make_user(role="programme_manager")
    form = {
        "submission_token": new_token(),
        "lock_version": action.lock_version,
        "note": "Backlog audited.",
        "rag": "green",
        "percent_complete": "40",
        "status": "in_progress",
    }
    statuses = post_in_parallel(app, updater, f"/actions/{action.id}/update", lambda i: form)
    no_server_errors(statuses)
    assert statuses == [303] * PARALLEL, "a repeat is told 'already saved', not 'someone else changed it'"
    assert count(ProgressUpdate) == 1


def test_the_same_challenge_sent_eight_times_makes_one(app):
    action = make_action()
    trust = make_user(role="trust_member")
    form = {"challenge-submission_token": new_token(), "challenge-text": "What is the revised date?"}
    statuses = post_in_parallel(app, trust, f"/actions/{action.id}/challenges", lambda i: form)
    no_server_errors(statuses)
    assert count(Challenge) == 1


def test_closing_an_action_eight_times_at_once_closes_it_once(app):
    action = make_action()
    pm = make_user(role="programme_manager")
    form = {
        "close-submission_token": new_token(),
        "close-lock_version": action.lock_version,
        "close-reason": "Superseded.",
    }
    statuses = post_in_parallel(app, pm, f"/actions/{action.id}/close", lambda i: form)
    no_server_errors(statuses)
    assert count(ProgressUpdate) == 1


def test_the_same_new_project_sent_eight_times_makes_one(app):
    make_project(1)
    pm = make_user(role="programme_manager")
    form = {"submission_token": new_token(), "number": "19", "title": "Early help", "lead_name": "Jo Smith"}
    statuses = post_in_parallel(app, pm, "/programme/projects/new", lambda i: form)
    no_server_errors(statuses)
    assert count(Project, Project.number == 19) == 1


# --- Unique things: eight people asking for the same thing at once -----------------------------


def test_eight_admins_adding_one_agency_name_make_one(app):
    admin = make_user(role="admin")

    def form(i):
        return {
            "submission_token": new_token(),
            "name": "Bassetlaw District Council",
            "kind": "district_council",
        }

    statuses = post_in_parallel(app, admin, "/admin/agencies/new", form)
    no_server_errors(statuses)
    assert sorted(statuses) == [303] + [422] * (PARALLEL - 1)
    assert count(Agency, Agency.name == "Bassetlaw District Council") == 1


def test_eight_invitations_to_one_email_make_one_account(app):
    admin = make_user(role="admin")

    def form(i):
        return {
            "submission_token": new_token(),
            "full_name": "New Person",
            "email": "new.person@example.test",
            "agency_id": admin.agency_id,
            "role": "partner",
        }

    statuses = post_in_parallel(app, admin, "/admin/users/new", form)
    no_server_errors(statuses)
    assert sorted(statuses) == [200] + [422] * (PARALLEL - 1)
    assert count(User, User.email == "new.person@example.test") == 1


def test_eight_projects_with_one_number_make_one(app):
    make_project(1)
    pm = make_user(role="programme_manager")

    def form(i):
        return {"submission_token": new_token(), "number": "19", "title": f"Project {i}", "lead_name": "Jo"}

    statuses = post_in_parallel(app, pm, "/programme/projects/new", form)
    no_server_errors(statuses)
    assert sorted(statuses) == [303] + [422] * (PARALLEL - 1)
    assert count(Project, Project.number == 19) == 1


def test_eight_new_threshold_documents_with_one_address_make_one(app):
    admin = make_user(role="admin")

    def form(i):
        return {"submission_token": new_token(), "title": f"Thresholds {i}", "slug": "thresholds"}

    statuses = post_in_parallel(app, admin, "/thresholds/new", form)
    no_server_errors(statuses)
    assert count(ThresholdDocument) == 1


def test_eight_admins_starting_a_draft_of_one_document_make_one(app):
    admin = make_user(role="admin")
    make_threshold_document(slug="doc", admin=admin)
    statuses = post_in_parallel(app, admin, "/thresholds/doc/versions", lambda i: {})
    no_server_errors(statuses)
    assert sorted(statuses) == [303] + [422] * (PARALLEL - 1)
    assert count(ThresholdVersion) == 2


@pytest.mark.parametrize("what", ["acknowledge", "read"])
def test_acknowledging_or_reading_eight_times_at_once_records_it_once(app, what):
    make_threshold_document(slug="doc")
    lead = make_user(role="agency_lead")
    statuses = post_in_parallel(app, lead, f"/thresholds/doc/versions/1/{what}", lambda i: {})
    no_server_errors(statuses)
    assert statuses == [303] * PARALLEL, "every click is thanked the same way"
    model = AgencyAcknowledgement if what == "acknowledge" else ReadReceipt
    assert count(model) == 1


def test_accepting_eight_proposals_into_one_project_at_once_gives_each_its_own_reference(app):
    project = make_project(3)
    make_action(project=project)  # P03-01 is taken
    proposals = [make_action(review="proposed", title=f"Proposal {i}") for i in range(PARALLEL)]
    pm = make_user(role="programme_manager")
    clients = _signed_in_clients(app, pm)
    barrier = threading.Barrier(PARALLEL)
    posts = [
        (f"/actions/{p.id}/accept", {"accept-project_id": project.id, "accept-lock_version": p.lock_version})
        for p in proposals
    ]

    def accept(i):
        barrier.wait()
        path, data = posts[i]
        return clients[i].post(path, data=data).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(accept, range(PARALLEL)))
    no_server_errors(statuses)
    assert statuses == [303] * PARALLEL
    db.session.expire_all()
    references = sorted(db.session.scalars(select(Action.reference).where(Action.project_id == project.id)))
    assert references == [f"P03-{n:02d}" for n in range(1, PARALLEL + 2)]


def test_two_admins_editing_one_user_at_once_one_wins_and_one_is_told(app):
    admin = make_user(role="admin")
    target = make_user(role="partner", full_name="Before")

    def form(i):
        return {
            "lock_version": target.lock_version,
            "full_name": f"After {i}",
            "agency_id": target.agency_id,
            "role": "partner",
        }

    statuses = post_in_parallel(app, admin, f"/admin/users/{target.id}/edit", form)
    no_server_errors(statuses)
    assert sorted(statuses) == [303] + [409] * (PARALLEL - 1)
    db.session.expire_all()
    assert db.session.get(User, target.id).full_name.startswith("After ")
