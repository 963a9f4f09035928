import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import insert

from app.actions.models import Action, ProgressUpdate
from app.db_types import utcnow
from app.extensions import db
from tests.factories import make_action, make_agency, make_project, make_user
from tests.querycount import count_queries


def refs(body: str, actions) -> list[str]:
    return [a.reference for a in actions if f">{a.reference}<" in body]


def test_everyone_signed_in_reads_the_list(app, client, as_role):
    action = make_action(title="Brief school safeguarding leads")
    as_role("participation_lead")
    assert "Brief school safeguarding leads" in client.get("/actions/").get_data(as_text=True)
    assert client.get(f"/actions/{action.id}").status_code == 200


def test_anonymous_users_are_sent_to_sign_in(app, client):
    assert client.get("/actions/").status_code == 302
    assert client.get("/actions/export").status_code == 302


def test_filters_combine_and_the_url_reflects_them(app, client, as_role):
    police, health = make_agency("Police"), make_agency("Health")
    project_a, project_b = make_project(1, "Safe"), make_project(2, "Thresholds")
    red_police = make_action(owner=police, project=project_a, rag="red")
    amber_health = make_action(owner=health, project=project_a, rag="amber", contributors=[police])
    green_health = make_action(owner=health, project=project_b, rag="green")
    overdue = make_action(owner=health, project=project_b, rag="amber", due_in_days=-3)
    done_late = make_action(owner=health, project=project_b, due_in_days=-3, status="complete", percent=100)
    soon = make_action(owner=police, project=project_b, due_in_days=10)
    later = make_action(owner=police, project=project_b, due_in_days=60)
    everything = [red_police, amber_health, green_health, overdue, done_late, soon, later]
    as_role("trust_member")

    def listed(query):
        body = client.get(f"/actions/?{query}", headers={"HX-Request": "true"}).get_data(as_text=True)
        return sorted(refs(body, everything))

    assert listed("rag=red") == [red_police.reference]
    # Agency means owner or contributor.
    assert listed(f"agency={police.id}") == sorted(
        [red_police.reference, amber_health.reference, soon.reference, later.reference]
    )
    assert listed(f"project={project_a.id}&rag=amber") == [amber_health.reference]
    assert listed("overdue=1") == [overdue.reference]
    assert listed("due_soon=1") == sorted(
        [soon.reference, amber_health.reference, red_police.reference, green_health.reference]
    )
    assert listed(f"overdue=1&agency={police.id}") == []


def test_sort_by_rag_puts_red_first(app, client, as_role):
    project = make_project()
    green = make_action(project=project, rag="green", due_in_days=1)
    red = make_action(project=project, rag="red", due_in_days=50)
    as_role("trust_member")
    body = client.get("/actions/?sort=rag", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert body.index(f">{red.reference}<") < body.index(f">{green.reference}<")


def test_list_is_a_fragment_for_htmx_and_a_page_otherwise(app, client, as_role):
    make_action()
    as_role("partner")
    full = client.get("/actions/?rag=green")
    fragment = client.get("/actions/?rag=green", headers={"HX-Request": "true"})
    assert "<html" in full.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_overdue_is_flagged_in_words(app, client, as_role):
    make_action(due_in_days=-1)
    as_role("partner")
    assert "Overdue</strong>" in client.get("/actions/").get_data(as_text=True)


def test_list_paginates(app, client, as_role):
    project = make_project()
    owner = make_agency()
    for n in range(30):
        make_action(owner=owner, project=project, title=f"Action number {n:02d}", due_in_days=n + 1)
    as_role("partner")
    first = client.get("/actions/").get_data(as_text=True)
    assert "Showing 1 to 25 of 30 actions" in first and "Action number 00" in first
    second = client.get("/actions/?page=2").get_data(as_text=True)
    assert "Action number 29" in second and "Action number 00" not in second


def test_csv_export_follows_the_filters_and_defuses_formulas(app, client, as_role):
    project = make_project()
    make_action(project=project, rag="red", title='=HYPERLINK("http://evil.example")')
    make_action(project=project, rag="green", title="A green action")
    as_role("trust_member")
    response = client.get("/actions/export?rag=red")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["Reference", "Action", "Project"]
    assert len(rows) == 2
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][10] == "Red"


def _bulk_actions(owner_ids, project_id, user_id, actions: int, updates_each: int):
    """5,000 actions and 50,000 updates in a few statements."""
    today = utcnow().date()
    now = utcnow()
    start = db.session.query(db.func.count(Action.id)).scalar()
    db.session.execute(
        insert(Action),
        [
            {
                "reference": f"B{start + n:05d}",
                "project_id": project_id,
                "title": f"Bulk action {n}",
                "owner_agency_id": owner_ids[n % len(owner_ids)],
                "owner_name": "Owner",
                "due_date": today + timedelta(days=n % 200 - 50),
                "rag": ("green", "amber", "red")[n % 3],
                "percent_complete": n % 100,
                "status": "in_progress",
                "review": "accepted",
                "description": "",
                "evidence": "",
                "source": "partnership",
                "return_reason": "",
                "weight": 1,
                "lock_version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(actions)
        ],
    )
    ids = [row[0] for row in db.session.execute(db.select(Action.id).where(Action.reference.like("B%")))]
    db.session.execute(
        insert(ProgressUpdate),
        [
            {
                "action_id": action_id,
                "note": "Update",
                "rag_before": "green",
                "rag_after": "green",
                "rag_reason": "",
                "percent_before": 0,
                "percent_after": 10,
                "status_after": "in_progress",
                "created_by_id": user_id,
                "created_at": now,
                "submission_token": f"bulk-{action_id}-{k}",
            }
            for action_id in ids
            for k in range(updates_each)
        ],
    )
    db.session.commit()


@pytest.mark.parametrize("role", ["trust_member", "partner"])
def test_list_query_count_does_not_grow_with_5000_actions_and_50000_updates(app, client, as_role, role):
    owners = [make_agency() for _ in range(5)]
    project = make_project()
    user = as_role(role, agency=owners[0])
    make_action(owner=owners[0], project=project, contributors=owners[1:3])
    owner_ids = [o.id for o in owners]
    small = count_queries(app, lambda: client.get("/actions/?sort=rag"))
    _bulk_actions(owner_ids, project.id, user.id, actions=5000, updates_each=10)
    large = count_queries(app, lambda: client.get("/actions/?sort=rag"))
    filtered = count_queries(app, lambda: client.get(f"/actions/?agency={owner_ids[1]}&overdue=1&page=3"))
    assert small == large == filtered, (small, large, filtered)
    assert large <= 12


def test_programme_page_query_count_does_not_grow(app, client, as_role):
    user = as_role("trust_member")
    owners = [make_agency() for _ in range(3)]
    projects = [make_project(n, f"Project {n}") for n in range(1, 4)]
    make_action(owner=owners[0], project=projects[0])
    small = count_queries(app, lambda: client.get("/programme/"))
    _bulk_actions([o.id for o in owners], projects[1].id, user.id, actions=500, updates_each=2)
    assert count_queries(app, lambda: client.get("/programme/")) == small


def test_proposed_actions_of_other_agencies_are_not_listed(app, client, as_role):
    police, health = make_agency(), make_agency()
    make_action(owner=health, review="proposed", title="Health's private proposal")
    make_action(owner=police, review="proposed", title="Police's own proposal")
    make_user()
    as_role("partner", agency=police)
    body = client.get("/actions/?review=proposed").get_data(as_text=True)
    assert "Police&#39;s own proposal" in body and "Health&#39;s private proposal" not in body
