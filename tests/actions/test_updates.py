import re

import pytest
from sqlalchemy import func, select

from app.actions.models import Action, ProgressUpdate
from app.audit.models import AuditEvent
from app.extensions import db
from tests.factories import make_action, make_agency, reload


def update_data(action, **changes):
    data = {
        "lock_version": action.lock_version,
        "submission_token": f"token-{action.id}-{changes.pop('token', 'a')}-0123456789abcdef",
        "note": "Briefings held in all three districts.",
        "rag": action.rag,
        "rag_reason": "",
        "percent_complete": 40,
        "status": "in_progress",
    }
    data.update(changes)
    return data


def in_row(action, data):
    """The form as the list's row posts it with htmx: each field named with the row's prefix."""
    return {f"action-{action.id}-{name}": value for name, value in data.items()}


def updates_for(action):
    db.session.expire_all()
    return db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.action_id == action.id)).all()


@pytest.mark.parametrize("role", ["partner", "agency_lead"])
def test_owner_agency_posts_an_update_inline_with_htmx(app, client, as_role, role):
    health = make_agency("NHS Bassetlaw (PCT)")
    action = make_action(owner=health)
    as_role(role, agency=health)
    form_row = client.get(f"/actions/{action.id}/update", headers={"HX-Request": "true"})
    assert form_row.status_code == 200
    assert form_row.get_data(as_text=True).lstrip().startswith("<tr")
    assert f'name="action-{action.id}-rag"' in form_row.get_data(as_text=True)

    response = client.post(
        f"/actions/{action.id}/update",
        data=in_row(action, update_data(action)),
        headers={"HX-Request": "true"},
    )
    row = response.get_data(as_text=True)
    assert response.status_code == 200
    assert row.lstrip().startswith("<tr") and "40%" in row and "Update posted" in row
    assert "HX-Request" in response.headers["Vary"]
    assert reload(action).percent_complete == 40
    (update,) = updates_for(action)
    assert update.percent_before == 0 and update.percent_after == 40


def test_the_row_form_has_no_id_that_the_list_page_already_uses(app, client, as_role):
    """Labels find their field by id: a "rag" or "status" id in the row would also belong to the
    filters above the table, and the row's label would then point at the filter."""
    health = make_agency()
    first, second = make_action(owner=health), make_action(owner=health)
    as_role("partner", agency=health)
    ids = re.compile(r'\bid="([^"]+)"')
    page_ids = set(ids.findall(client.get("/actions/").get_data(as_text=True)))
    rows = [
        client.get(f"/actions/{a.id}/update", headers={"HX-Request": "true"}).get_data(as_text=True)
        for a in (first, second)
    ]
    first_ids, second_ids = (
        set(ids.findall(row)) - {f"action-{a.id}"} for row, a in zip(rows, (first, second), strict=True)
    )
    assert {"rag", "status"} <= page_ids
    assert first_ids & page_ids == set() and first_ids & second_ids == set()
    assert 'for="rag"' not in rows[0] and f'for="action-{first.id}-rag"' in rows[0]


def test_without_javascript_the_update_is_a_page_and_a_redirect(app, client, as_role):
    health = make_agency()
    action = make_action(owner=health)
    as_role("partner", agency=health)
    assert "<html" in client.get(f"/actions/{action.id}/update").get_data(as_text=True)
    response = client.post(f"/actions/{action.id}/update", data=update_data(action))
    assert response.status_code == 303 and response.headers["Location"] == f"/actions/{action.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Briefings held in all three districts." in page


def test_changing_rag_without_a_reason_is_refused_and_nothing_is_written(app, client, as_role):
    health = make_agency()
    action = make_action(owner=health, rag="green")
    as_role("partner", agency=health)
    response = client.post(
        f"/actions/{action.id}/update",
        data=in_row(action, update_data(action, rag="red")),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Give a reason for changing the RAG status" in body
    assert f'href="#action-{action.id}-rag_reason"' in body and f'id="action-{action.id}-rag_reason"' in body
    assert updates_for(action) == [] and reload(action).rag == "green"
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "action.progress_update")
        )
        == 0
    )


def test_rag_change_with_a_reason_is_kept_in_the_history_and_the_audit(app, client, as_role):
    health = make_agency()
    action = make_action(owner=health, rag="green")
    as_role("partner", agency=health)
    reason = "GP practices have not released staff for the briefings."
    client.post(
        f"/actions/{action.id}/update",
        data=update_data(action, rag="amber", rag_reason=reason, status="in_progress"),
    )
    (update,) = updates_for(action)
    assert (update.rag_before, update.rag_after, update.rag_reason) == ("green", "amber", reason)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.progress_update"))
    assert (
        event.before["rag"] == "green"
        and event.after["rag"] == "amber"
        and event.after["rag_reason"] == reason
    )
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "RAG changed from" in page and reason in page


def test_stale_update_gets_409_with_the_text_kept(app, client, as_role):
    health = make_agency()
    action = make_action(owner=health)
    as_role("partner", agency=health)
    first = update_data(action, token="first", note="First person's update")
    second = update_data(action, token="second", note="Second person's careful words")
    assert client.post(f"/actions/{action.id}/update", data=first).status_code == 303
    response = client.post(
        f"/actions/{action.id}/update", data=in_row(action, second), headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else updated this action while you were writing" in body
    assert "Second person&#39;s careful words" in body
    assert [u.note for u in updates_for(action)] == ["First person's update"]


def test_double_submit_creates_one_update(app, client, as_role):
    health = make_agency()
    action = make_action(owner=health)
    as_role("partner", agency=health)
    data = in_row(action, update_data(action))
    first = client.post(f"/actions/{action.id}/update", data=data, headers={"HX-Request": "true"})
    second = client.post(f"/actions/{action.id}/update", data=data, headers={"HX-Request": "true"})
    assert first.status_code == second.status_code == 200
    assert "already saved" in second.get_data(as_text=True)
    assert len(updates_for(action)) == 1
    assert reload(action).lock_version == 2


def test_complete_needs_100_percent(app, client, as_role):
    health = make_agency()
    action = make_action(owner=health)
    as_role("partner", agency=health)
    response = client.post(
        f"/actions/{action.id}/update", data=update_data(action, status="complete", percent_complete=90)
    )
    assert response.status_code == 422
    assert "An action can only be complete at 100%" in response.get_data(as_text=True)


@pytest.mark.parametrize("percent", ["-1", "101", "lots", ""])
def test_percent_must_be_0_to_100(app, client, as_role, percent):
    health = make_agency()
    action = make_action(owner=health)
    as_role("partner", agency=health)
    response = client.post(f"/actions/{action.id}/update", data=update_data(action, percent_complete=percent))
    assert response.status_code == 422
    assert updates_for(action) == []


def test_police_cannot_update_a_health_action_by_id(app, client, as_role):
    police, health = make_agency("Nottinghamshire Police"), make_agency("NHS Nottinghamshire County (PCT)")
    action = make_action(owner=health)
    as_role("partner", agency=police)
    assert client.get(f"/actions/{action.id}/update").status_code == 403
    response = client.post(
        f"/actions/{action.id}/update",
        data=in_row(action, update_data(action)),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert updates_for(action) == [] and reload(action).lock_version == 1


def test_contributing_agency_cannot_update_either(app, client, as_role):
    police, health = make_agency(), make_agency()
    action = make_action(owner=health, contributors=[police])
    as_role("agency_lead", agency=police)
    assert client.post(f"/actions/{action.id}/update", data=update_data(action)).status_code == 403


@pytest.mark.parametrize("role", ["trust_member", "participation_lead"])
def test_reviewers_cannot_post_updates(app, client, as_role, role):
    action = make_action()
    as_role(role)
    assert client.post(f"/actions/{action.id}/update", data=update_data(action)).status_code == 403
    assert updates_for(action) == []


def test_programme_manager_updates_any_agencys_action(app, client, as_role):
    action = make_action()
    as_role("programme_manager")
    assert client.post(f"/actions/{action.id}/update", data=update_data(action)).status_code == 303
    assert len(updates_for(action)) == 1


def test_unknown_action_is_404(app, client, as_role):
    as_role("programme_manager")
    assert client.get("/actions/99999").status_code == 404
    assert client.post("/actions/99999/update", data={}).status_code == 404


def test_closed_action_takes_no_more_updates(app, client, as_role):
    health = make_agency()
    action = make_action(owner=health, status="closed")
    as_role("partner", agency=health)
    response = client.post(f"/actions/{action.id}/update", data=update_data(action))
    assert response.status_code == 422
    assert "This action is closed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Action.id))) == 1


@pytest.mark.parametrize("token", ["", "short"])
def test_an_update_without_a_proper_one_time_token_is_refused(app, client, as_role, token):
    health = make_agency()
    action = make_action(owner=health)
    as_role("partner", agency=health)
    response = client.post(
        f"/actions/{action.id}/update", data={**update_data(action), "submission_token": token}
    )
    assert response.status_code == 422
    assert updates_for(action) == []


@pytest.mark.parametrize("lock", ["abc", "1" * 30, ""])
def test_an_unreadable_lock_version_is_a_conflict_not_a_crash(app, client, as_role, lock):
    health = make_agency()
    action = make_action(owner=health)
    as_role("partner", agency=health)
    response = client.post(f"/actions/{action.id}/update", data=update_data(action, lock_version=lock))
    assert response.status_code == 409
    assert updates_for(action) == []


@pytest.mark.parametrize(
    "query", ["page=9999999999999999999999999", "agency=" + "9" * 25, "project=abc&page=-1"]
)
def test_odd_numbers_in_the_query_string_do_not_crash_the_list(app, client, as_role, query):
    make_action()
    as_role("trust_member")
    assert client.get(f"/actions/?{query}").status_code == 200


def test_status_is_where_the_action_is_and_rag_how_it_is_going(app, client, as_role):
    """One model a board understands, said in one line on the form."""
    health = make_agency()
    action = make_action(owner=health, rag="red", status="in_progress", percent=94)
    as_role("partner", agency=health)
    form = client.get(f"/actions/{action.id}/update").get_data(as_text=True)
    assert "RAG is how confident you are that the action will be delivered as planned" in form
    statuses = re.findall(r'name="status" type="radio" value="([a-z_]+)"', form)
    assert statuses == ["not_started", "in_progress", "complete"]
    listed = client.get("/actions/").get_data(as_text=True)
    assert "Off track" not in listed and "At risk" not in listed and "In progress" in listed


def test_the_reason_box_is_marked_to_show_only_once_the_rag_changes(app, client, as_role):
    """CSS hides the reason while the current RAG is chosen (the radio marked data-current-rag);
    the server still requires it when the RAG changes (test above)."""
    health = make_agency()
    action = make_action(owner=health, rag="amber")
    as_role("partner", agency=health)
    form = client.get(f"/actions/{action.id}/update").get_data(as_text=True)
    assert re.search(r'<input[^>]*value="amber"[^>]*data-current-rag="true"', form) or re.search(
        r'<input[^>]*data-current-rag="true"[^>]*value="amber"', form
    )
    assert len(re.findall(r"data-current-rag", form)) == 1
    assert '<div class="portal-rag-reason">' in form and "portal-update-form" in form


def test_no_textarea_has_its_rows_twice(app, client, as_role):
    health = make_agency()
    action = make_action(owner=health)
    as_role("partner", agency=health)
    for path in (f"/actions/{action.id}/update", f"/actions/{action.id}"):
        for textarea in re.findall(r"<textarea[^>]*>", client.get(path).get_data(as_text=True)):
            assert textarea.count("rows=") == 1, textarea
