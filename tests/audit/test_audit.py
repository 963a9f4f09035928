import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit import record
from app.audit.models import AuditEvent, AuditTrailIsAppendOnly
from app.db_types import utcnow
from app.extensions import db
from app.thresholds.models import ThresholdVersion
from tests.factories import make_action, make_agency, make_threshold_document, make_user
from tests.querycount import count_queries


def test_audit_events_cannot_be_changed_or_deleted(app):
    user = make_user()
    record("user.update", user, before={"a": 1}, after={"a": 2}, actor=user)
    db.session.commit()
    event_ = db.session.scalars(select(AuditEvent)).one()

    event_.summary = "tampered"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()

    db.session.delete(db.session.scalars(select(AuditEvent)).one())
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent)).one().summary == ""


def test_record_keeps_actor_object_time_and_changes(app):
    actor = make_user(email="actor@example.test")
    subject = make_user()
    record("user.update", subject, before={"role": "partner"}, after={"role": "admin"}, actor=actor)
    db.session.commit()
    event_ = db.session.scalars(select(AuditEvent)).one()
    assert (event_.actor_id, event_.actor_label) == (actor.id, "actor@example.test")
    assert (event_.object_type, event_.object_id) == ("users", str(subject.id))
    assert utcnow() - event_.occurred_at < timedelta(minutes=1)
    assert event_.changed_fields() == [("role", "partner", "admin")]


@pytest.mark.parametrize(
    "role", ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead"]
)
def test_only_admins_read_the_audit_trail(app, client, as_role, role):
    as_role(role)
    assert client.get("/admin/audit/").status_code == 403


def test_audit_list_filters_by_action_and_actor(app, client, as_role):
    admin = as_role("admin")
    other = make_user(email="other@example.test")
    record("agency.create", other, actor=other, summary="Other made it")
    db.session.commit()

    page = client.get("/admin/audit/?action=auth.sign_in").get_data(as_text=True)
    assert f"{admin.full_name} signed in" in page and "other made it" not in page

    body = client.get("/admin/audit/?actor=other%40", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "other made it" in body and "<html" not in body and "signed in" not in body


def test_audit_list_filters_by_date_and_ignores_nonsense_dates(app, client, as_role):
    admin = as_role("admin")
    today = utcnow().date().isoformat()
    row = f"{admin.full_name} signed in"
    assert row in client.get(f"/admin/audit/?routine=1&from={today}&to={today}").get_data(as_text=True)
    assert row not in client.get("/admin/audit/?routine=1&from=2001-01-01&to=2001-01-02").get_data(
        as_text=True
    )
    response = client.get("/admin/audit/?from=yesterday")
    assert response.status_code == 200
    assert "The date filter was ignored" in response.get_data(as_text=True)


def test_audit_shows_before_and_after(app, client, as_role):
    as_role("admin")
    user = make_user(full_name="Old Name")
    client.post(
        f"/admin/users/{user.id}/edit",
        data={"full_name": "New Name", "agency_id": user.agency_id, "role": "partner"},
    )
    page = client.get("/admin/audit/?action=user.update").get_data(as_text=True)
    assert "<dt>Name</dt>" in page and "<del>Old Name</del>" in page and "<ins>New Name</ins>" in page


def test_the_trail_reads_as_plain_words_with_links_to_the_records(app, client, as_role):
    """Not `threshold.publish` and "threshold_versions 2": who did what, in words, linked."""
    admin = as_role("admin")
    make_threshold_document("Pathway to Provision", slug="pathway-to-provision", admin=admin)
    version = db.session.scalar(select(ThresholdVersion))
    record("threshold.publish", version, actor=admin, summary="Published version 1 of Pathway to Provision")
    db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert f"{admin.full_name} published version 1 of Pathway to Provision" in page
    assert (
        f'href="/thresholds/pathway-to-provision/versions/{version.number}">Pathway to Provision, version 1<'
        in page
    )
    shown = re.sub(r"<option [^>]*>", "", page)  # the filters' values are codes, never shown
    assert "threshold.publish" not in shown and "threshold_versions" not in shown
    assert '<option value="threshold_versions" >Versions of thresholds</option>' in page
    assert '<option value="threshold.publish" >Published a version of thresholds</option>' in page


def test_changes_name_fields_and_values_in_words(app, client, as_role):
    as_role("admin")
    police = make_agency("Nottinghamshire Police")
    health = make_agency("NHS Bassetlaw (PCT)")
    user = make_user(full_name="Sam Price", agency=police)
    client.post(
        f"/admin/users/{user.id}/edit",
        data={"full_name": "Sam Price", "agency_id": health.id, "role": "agency_lead", "lock_version": 1},
    )
    page = client.get("/admin/audit/?action=user.role_change").get_data(as_text=True)
    assert "<dt>Role</dt><dd><del>Partner agency staff</del> → <ins>Agency lead</ins>" in page
    assert "<dt>Agency</dt><dd><del>Nottinghamshire Police</del> → <ins>NHS Bassetlaw (PCT)</ins>" in page
    assert f'href="/admin/users/{user.id}/edit">Sam Price</a>' in page


def test_sign_ins_are_hidden_unless_asked_for(app, client, as_role):
    admin = as_role("admin")
    record("agency.create", admin.agency, actor=admin, summary=f"Added agency {admin.agency.name}")
    db.session.commit()
    hidden = client.get("/admin/audit/").get_data(as_text=True)
    assert f"{admin.full_name} added agency {admin.agency.name}" in hidden
    assert "signed in" not in hidden.replace("Sign-ins and sign-outs are hidden", "")
    shown = client.get("/admin/audit/?routine=1").get_data(as_text=True)
    assert f"{admin.full_name} signed in" in shown


def test_times_are_one_line_and_machine_readable_to_the_second(app, client, as_role):
    as_role("admin")
    page = client.get("/admin/audit/?routine=1").get_data(as_text=True)
    stamps = re.findall(r'<time datetime="([^"]+)">', page)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) for stamp in stamps)
    assert 'class="govuk-table__cell portal-nowrap" data-label="When"' in page


def test_the_page_runs_the_same_queries_however_many_kinds_of_record_it_names(app, client, as_role):
    admin = as_role("admin")
    record("agency.update", admin.agency, actor=admin, summary="Edited agency")
    db.session.commit()
    count = count_queries(app, lambda: client.get("/admin/audit/"))
    make_threshold_document(admin=admin)
    action = make_action()
    record("action.edit", action, actor=admin, before={"owner_agency_id": 1}, after={"owner_agency_id": 2})
    record("project.edit", action.project, actor=admin, summary="Edited project")
    for n in range(30):
        record("agency.update", make_agency(), actor=admin, summary=f"Edited agency {n}")
    db.session.commit()
    assert count_queries(app, lambda: client.get("/admin/audit/")) == count


def test_every_event_the_portal_records_has_words_in_the_trail(app):
    """A module that records a new kind of event says what it is called (its audit_words.py)."""
    import re
    from pathlib import Path

    from app.audit.words import EVENTS

    source = "\n".join(p.read_text() for p in Path(app.root_path).rglob("*.py"))
    first_arguments = re.findall(
        r'record\(\s*("[a-z_]+\.[a-z_]+"(?:\s+if\s[^,]+?\selse\s"[a-z_.]+")?)', source
    )
    recorded = {name for argument in first_arguments for name in re.findall(r'"([a-z_.]+)"', argument)}
    assert len(recorded) > 20
    assert sorted(recorded - set(EVENTS)) == []


def test_the_filters_offer_each_kind_of_event_and_record_once(app, client, as_role):
    admin = as_role("admin")
    for n in range(3):
        record("agency.update", admin.agency, actor=admin, summary=f"Edited agency {n}")
    record("agency.create", admin.agency, actor=admin, summary="Made an agency")
    record("briefing.read", None, actor=admin, summary="Read a briefing")  # about no record
    db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    actions = re.findall(r'<option value="([a-z_.]+)"', page.split('name="object_type"')[0])
    kinds = re.findall(r'<option value="([a-z_]+)"', page.split('name="object_type"')[1])
    assert sorted(actions) == ["agency.create", "agency.update", "auth.sign_in", "briefing.read"]
    assert sorted(kinds) == ["agencies", "users"], kinds


def test_distinct_values_are_each_value_once_in_order_within_the_conditions(app):
    from app.pagination import distinct_values

    with app.test_request_context():
        for action in ["b.two", "a.one", "b.two", "c.three", "a.one"]:
            record(action, None, summary="Test")
        db.session.commit()
        assert distinct_values(AuditEvent.action) == ["a.one", "b.two", "c.three"]
        assert distinct_values(AuditEvent.action, AuditEvent.action != "b.two") == ["a.one", "c.three"]
        assert distinct_values(AuditEvent.action, AuditEvent.action == "none") == []


def test_a_long_trail_is_counted_only_so_far_and_says_there_are_more(app, client, as_role, monkeypatch):
    from app.audit import routes

    admin = as_role("admin")
    for n in range(5):
        record("agency.update", admin.agency, actor=admin, summary=f"Edited agency {n}")
    db.session.commit()
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    monkeypatch.setattr(routes, "COUNTED_AT_MOST", 3)
    page = " ".join(client.get("/admin/audit/").get_data(as_text=True).split())
    assert "Showing 1 to 2 of more than 3 events: the filters narrow them down" in page
    assert "/admin/audit/?page=2" in page
    monkeypatch.setattr(routes, "COUNTED_AT_MOST", 5)
    page = " ".join(client.get("/admin/audit/").get_data(as_text=True).split())
    assert "Showing 1 to 2 of 5 events" in page and "more than" not in page
