"""The dashboard's costly counts are kept per process until shared data changes (app/report_cache.py).

The rest of the suite runs with REPORT_CACHE off, because its tests write rows directly; these
turn it on and prove both halves: kept while nothing changes, counted again after an audited
change, and never kept when it is off."""

import re
import threading
import time

import pytest
from sqlalchemy import select

from app.actions.forms import action_form
from app.actions.services import post_update
from app.audit import record
from app.auth.models import Agency
from app.extensions import db
from app.report_cache import forget_all, remember
from tests.factories import make_action, make_project, make_user, reload
from tests.querycount import counted_queries


@pytest.fixture
def cache_on(app):
    app.config["REPORT_CACHE"] = True
    forget_all()
    yield app
    forget_all()


def _counted(app, calls: list) -> int:
    with app.test_request_context():
        return remember("test.count", "key", lambda: calls.append(1) or len(calls))


def _update(app, action, user, note: str, rag: str, percent: int, rag_reason: str = "") -> None:
    """A progress update through the service, as the page makes it: audited, so kept numbers go."""
    with app.test_request_context():
        post_update(
            reload(action),
            user=reload(user),
            note=note,
            rag=rag,
            rag_reason=rag_reason,
            percent=percent,
            status="in_progress",
            loaded_version=reload(action).lock_version,
        )
        db.session.commit()


def test_a_count_is_kept_until_an_audited_change(cache_on):
    calls: list = []
    assert _counted(cache_on, calls) == 1
    assert _counted(cache_on, calls) == 1, "kept: nothing changed"
    with cache_on.test_request_context():
        record("test.change", summary="Something shared changed")
        db.session.commit()
    assert _counted(cache_on, calls) == 2, "counted again after an audit event"
    assert _counted(cache_on, calls) == 2


def test_signing_in_and_out_leaves_kept_values_but_a_change_to_an_account_counts(cache_on):
    calls: list = []
    assert _counted(cache_on, calls) == 1
    for action in ("auth.sign_in", "auth.sign_in_failed", "auth.password_changed", "auth.sign_out"):
        with cache_on.test_request_context():
            record(action, summary="Account access")
            db.session.commit()
    assert _counted(cache_on, calls) == 1, "account access changes nothing a page keeps"
    with cache_on.test_request_context():
        record("user.role_change", summary="A partner became an agency lead")
        db.session.commit()
    assert _counted(cache_on, calls) == 2, "a change to an account is a change to shared data"


# Every account-access event the portal records ("auth.*", app/audit/models.py ACCOUNT_ACCESS),
# each checked against what pages keep: it changes only an account's own password, second factor,
# sessions, sign-in pauses or invitation, and no kept value shows any of those, so none makes a
# page count again. A new "auth.*" event must be checked the same way before it joins this list
# (one that changed a role, an agency or a name would have to be a "user.*" event instead).
ACCOUNT_ACCESS_EVENTS = {
    "auth.confirm_failed",
    "auth.confirmed",
    "auth.invitation_accepted",
    "auth.password_accepted",
    "auth.password_changed",
    "auth.password_reset",
    "auth.password_reset_requested",
    "auth.sign_in",
    "auth.sign_in_failed",
    "auth.sign_in_refused",
    "auth.sign_out",
    "auth.two_factor_enabled",
    "auth.two_factor_failed",
    "auth.two_factor_reset",
}


def test_every_account_access_event_was_checked_against_what_pages_keep():
    from pathlib import Path

    app_dir = Path(__file__).resolve().parents[1] / "app"
    source = "\n".join(path.read_text() for path in app_dir.rglob("*.py"))
    assert set(re.findall(r'record\(\s*"(auth\.[a-z_]+)"', source)) == ACCOUNT_ACCESS_EVENTS


def test_someone_signing_in_leaves_anothers_kept_page_kept(cache_on, client, as_role):
    from tests.factories import PASSWORD

    as_role("trust_member")
    assert client.get("/progress/").status_code == 200
    newcomer = make_user(role="partner")
    other = cache_on.test_client()
    assert other.post("/login", data={"email": newcomer.email, "password": PASSWORD}).status_code == 303
    assert other.get("/").status_code == 200
    with counted_queries(cache_on) as kept:
        assert client.get("/progress/").status_code == 200
    assert len(kept) == 1, "only the session, user and stamp were asked for: a sign-in empties nothing"


def test_with_the_cache_off_every_request_counts(app):
    app.config["REPORT_CACHE"] = False
    calls: list = []
    assert [_counted(app, calls) for _ in range(3)] == [1, 2, 3]


def test_the_dashboard_asks_less_the_second_time_and_shows_an_update_at_once(cache_on, client, sign_in):
    pm = make_user(role="programme_manager")
    action = make_action(rag="green")
    sign_in(make_user(role="trust_member"))
    with counted_queries(cache_on) as first:
        assert client.get("/progress/").status_code == 200
    with counted_queries(cache_on) as second:
        page = client.get("/progress/").get_data(as_text=True)
    assert len(second) < len(first), "the monthly trends and roll-ups were not asked again"
    assert "No open action is red or overdue" in page

    _update(
        cache_on, action, pm, "Police training slipped: two trainers off sick", "red", 20, "Trainers off sick"
    )
    with counted_queries(cache_on) as third:
        page = client.get("/progress/").get_data(as_text=True)
    assert len(third) == len(first), "an audited change: everything counted again"
    assert reload(action).rag == "red"
    assert "1 open action, red first" in page, "the red action is an exception now"
    assert "Police training slipped" in page


def test_a_renamed_agency_is_in_the_filter_at_once(cache_on, client, as_role):
    agency = Agency(name="Mansfield Academy", kind="school")
    db.session.add(agency)
    db.session.commit()
    as_role("trust_member")
    assert "Mansfield Academy" in client.get("/actions/").get_data(as_text=True)
    with cache_on.test_request_context():
        renamed = reload(agency)
        renamed.name = "Mansfield Academy Trust"
        record("agency.update", renamed, before={"name": "Mansfield Academy"}, summary="Renamed")
        db.session.commit()
    page = client.get(f"/actions/?agency={agency.id}").get_data(as_text=True)
    assert f'<option value="{agency.id}" selected>Mansfield Academy Trust</option>' in page


def test_an_agency_name_is_escaped_in_the_filter(client, as_role):
    agency = Agency(name='Youth <script>alert("x")</script> & Family "Hub"', kind="voluntary")
    db.session.add(agency)
    db.session.commit()
    as_role("trust_member")
    page = client.get(f"/actions/?agency={agency.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert (
        f'<option value="{agency.id}" selected>'
        "Youth &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Family &#34;Hub&#34;</option>"
    ) in page


def test_the_programme_roll_up_is_kept_and_an_update_shows_at_once(cache_on, client, sign_in):
    pm = make_user(role="programme_manager")
    action = make_action(rag="green", percent=10)
    sign_in(make_user(role="trust_member"))
    with counted_queries(cache_on) as first:
        assert client.get("/programme/").status_code == 200
    with counted_queries(cache_on) as second:
        assert client.get("/programme/").status_code == 200
    assert len(first) > 1 and len(second) == 1, "the page was kept: only the session, user and stamp"

    _update(cache_on, action, pm, "Halfway: every school has had its briefing", "green", 50)
    page = client.get("/programme/").get_data(as_text=True)
    assert "50%" in page, "the new percentage is rolled up at once"


def test_a_projects_page_keeps_the_roll_up_and_an_update_shows_at_once(cache_on, client, sign_in):
    pm = make_user(role="programme_manager")
    action = make_action(rag="green", percent=10)
    sign_in(make_user(role="trust_member"))
    path = f"/programme/projects/{action.project_id}"
    assert "10% complete" in client.get(path).get_data(as_text=True)
    with counted_queries(cache_on) as again:
        assert client.get(path).status_code == 200
    assert not [q for q in again if "sum(actions.weight" in q], "the roll-up over every action was kept"

    _update(cache_on, action, pm, "Halfway: every school has had its briefing", "green", 50)
    assert "50% complete" in client.get(path).get_data(as_text=True), "rolled up again at once"


def test_no_programme_yet_is_never_kept(cache_on, client, as_role):
    as_role("trust_member")
    assert "No improvement programme has been set up yet." in client.get("/programme/").get_data(as_text=True)
    make_project(title="Shared thresholds of need")  # as the demo loads it: no audit event
    assert "Shared thresholds of need" in client.get("/programme/").get_data(as_text=True)


def test_the_programme_page_is_kept_apart_for_who_may_add_projects_and_a_new_one_shows_at_once(
    cache_on, client, as_role
):
    from app.programme.services import ProjectDetails, save_project
    from tests.inspection.helpers import signed_in_client

    project = make_project(title="Shared thresholds of need")
    add = 'href="/programme/projects/new"'
    manager = signed_in_client(cache_on, "programme_manager")
    assert add in manager.get("/programme/").get_data(as_text=True), "the programme manager adds projects"
    as_role("trust_member")
    page = client.get("/programme/").get_data(as_text=True)
    assert "Shared thresholds of need" in page and add not in page, "a Trust member does not"
    with counted_queries(cache_on) as kept:
        assert "Shared thresholds of need" in client.get("/programme/").get_data(as_text=True)
    assert len(kept) == 1, "the page was kept: only the session, user and stamp were asked for"

    details = ProjectDetails(
        99, "Safer recruitment assurance", "Every agency's returns", "Jo Hale", None, None, None
    )
    with cache_on.test_request_context():
        save_project(None, details, programme=reload(project).programme, user=reload(make_user(role="admin")))
        db.session.commit()
    assert "Safer recruitment assurance" in client.get("/programme/").get_data(as_text=True), (
        "added: shown at once"
    )


def test_the_triage_queue_counts_a_new_message_at_once(cache_on, client, as_role):
    as_role("participation_lead")
    assert "No feedback yet." in client.get("/feedback/").get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        assert client.get("/feedback/").status_code == 200
    counts = [q for q in kept if "count(" in q.lower()]
    assert counts == [], "the queue's sizes were kept"

    _a_young_person_says(cache_on, "The youth club should open on Sundays too")
    page = client.get("/feedback/").get_data(as_text=True)
    assert "No feedback yet." not in page and ">Message " in page, "the kept sizes were counted again"


def test_the_feedback_summary_is_kept_and_a_new_message_counts_at_once(cache_on, client, as_role):
    as_role("trust_member")
    assert _summary_total(client) == 0
    with counted_queries(cache_on) as kept:
        assert _summary_total(client) == 0
    assert [q for q in kept if "feedback" in q.lower()] == [], "the summary's counts were kept"

    _a_young_person_says(cache_on, "More buses after school")
    assert _summary_total(client) == 1, "counted again after the message's audit event"


def _a_young_person_says(app, words: str) -> None:
    """A message sent through the public form, as a young person sends it (no account)."""
    from app.forms import new_token

    app.config["WTF_CSRF_ENABLED"] = False
    message = {"submission_token": new_token(), "about": "other", "what_should_change": words}
    sent = app.test_client().post("/have-your-say", data=message)
    assert sent.status_code == 303


def _summary_total(client) -> int:
    page = client.get("/feedback/summary")
    assert page.status_code == 200
    found = re.search(r"Messages received</dt>\s*<dd[^>]*>(\d+)<", page.get_data(as_text=True))
    assert found, "the summary shows how many messages were received"
    return int(found.group(1))


def test_the_schedules_clashes_are_kept_and_a_new_one_counts_at_once(cache_on):
    from app.inspection.schedule import record_unavailability
    from app.inspection.services import readiness
    from tests.inspection.helpers import FIELDWORK, make_activity, make_framework

    framework = make_framework("Partnership working")
    lead = make_user(role="agency_lead")
    make_activity("Police case audit", agency_id=lead.agency_id)
    with cache_on.test_request_context():
        assert readiness(reload(framework)).conflicts == 0
    make_activity("Second booking of Room 1", starts=(9, 30), ends=(10, 30))  # no audit event
    with cache_on.test_request_context():
        assert readiness(reload(framework)).conflicts == 0, "kept: no audited change yet"
    with cache_on.test_request_context():
        record_unavailability(user=lead, agency_id=lead.agency_id, day=FIELDWORK, reason="Court week")
        db.session.commit()
    with cache_on.test_request_context():
        assert readiness(reload(framework)).conflicts == 2, "counted again: the room, and the agency away"


def test_home_panels_are_kept_per_person_and_a_new_briefing_shows_at_once(cache_on, client, sign_in):
    from app.briefings.services import publish_briefing

    pm = make_user(role="programme_manager")
    partner = make_user(role="partner")
    make_action(owner=partner.agency, due_in_days=-3)  # overdue: the agency's panel says so
    sign_in(partner)
    with counted_queries(cache_on) as first:
        page = client.get("/").get_data(as_text=True)
    assert "1 of your agency’s actions is overdue" in page
    assert "Briefings to read" not in page
    with counted_queries(cache_on) as second:
        assert "1 of your agency’s actions is overdue" in client.get("/").get_data(as_text=True)
    assert len(second) < len(first) - 3, "the kept panels were not asked again"

    with cache_on.test_request_context():
        publish_briefing(
            user=reload(pm), title="Half-term cover rota", body="Who is on call.", roles=[], kinds=[]
        )
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Briefings to read" in page and "Half-term cover rota" in page, "an audited change shows at once"


def test_a_live_home_panel_is_asked_every_time(cache_on, client, as_role):
    """The administration panel counts pauses that end by the clock: never kept."""
    from datetime import timedelta

    from app.auth.models import SignInThrottle
    from app.db_types import utcnow

    as_role("admin")
    assert "paused after repeated failed sign-ins" not in client.get("/").get_data(as_text=True)
    db.session.add(
        SignInThrottle(key="x" * 64, failure_count=5, locked_until=utcnow() + timedelta(minutes=15))
    )
    db.session.commit()  # no audit event: a kept panel would not see it
    assert "1 account is paused after repeated failed sign-ins" in client.get("/").get_data(as_text=True)
    db.session.add(SignInThrottle(key="y" * 64, failure_count=5, locked_until=utcnow()))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "1 account is paused" in page, "a pause that has ended by the clock of this request is not counted"


def test_the_project_filter_is_kept_and_a_renamed_project_shows_at_once(cache_on, client, as_role):
    from app.programme.services import ProjectDetails, save_project

    project = make_project()
    pm = make_user(role="programme_manager")
    as_role("trust_member")
    assert f"{project.code} {project.title}<" in client.get("/actions/").get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        assert client.get("/actions/").status_code == 200
    assert not [q for q in kept if "FROM projects ORDER BY" in " ".join(q.split())], "the options were kept"

    with cache_on.test_request_context():
        renamed = reload(project)
        details = ProjectDetails(
            number=renamed.number,
            title="Multi-agency training, refreshed",
            aim=renamed.aim,
            lead_name=renamed.lead_name,
            lead_agency_id=renamed.lead_agency_id,
            start_date=renamed.start_date,
            end_date=renamed.end_date,
        )
        save_project(
            renamed,
            details,
            programme=renamed.programme,
            user=reload(pm),
            loaded_version=renamed.lock_version,
        )
        db.session.commit()
    assert "Multi-agency training, refreshed<" in client.get("/actions/").get_data(as_text=True)


def test_the_action_forms_agencies_and_projects_are_kept_and_a_new_one_is_offered_at_once(
    cache_on, client, as_role
):
    """Adding an action offers every agency (owner and contributors) and every project, kept as
    the select's choices until shared data changes; a new agency or project is offered at once,
    and each may be chosen."""
    project = make_project()
    pm = as_role("programme_manager")
    page = client.get("/actions/new").get_data(as_text=True)
    assert f"{project.code} {project.title}<" in page
    with counted_queries(cache_on) as kept:
        assert client.get("/actions/new").status_code == 200
    asked = " ".join(" ".join(q.split()) for q in kept)
    assert "FROM agencies" not in asked and "FROM projects" not in asked, "the choices were kept"
    with cache_on.test_request_context():
        first, again = action_form(reload(pm)), action_form(reload(pm))
        for name in ("owner_agency_id", "contributor_ids", "project_id"):
            kept_choice = getattr(first, name).choices[-1]
            assert getattr(again, name).choices[-1] is kept_choice, (
                f"{name}: the same choices, not made again"
            )

    newcomer = Agency(name="Ollerton Family Hub", kind="voluntary")
    db.session.add(newcomer)
    db.session.commit()
    with cache_on.test_request_context():
        record("agency.create", reload(newcomer), summary="Added")
        db.session.commit()
    second = make_project(number=project.number + 1, title="Early help for older children")
    with cache_on.test_request_context():
        record("project.create", reload(second), summary="Added")
        db.session.commit()
    page = client.get("/actions/new").get_data(as_text=True)
    assert f'<option value="{newcomer.id}">Ollerton Family Hub</option>' in page
    assert f"{reload(second).code} Early help for older children<" in page
    with cache_on.test_request_context():
        form = action_form(reload(pm))
        assert (str(newcomer.id), "Ollerton Family Hub") in [
            (c.value, c.label) for c in form.owner_agency_id.choices
        ]
        assert str(newcomer.id) in [c.value for c in form.contributor_ids.choices]
        assert str(second.id) in [c.value for c in form.project_id.choices]


def test_inspection_readiness_is_kept_and_a_ticked_document_shows_at_once(cache_on, client, as_role):
    """The overview's figures and areas are kept as HTML until shared data changes, apart for who
    may edit the framework (the page offers them the link)."""
    from datetime import date

    from app.inspection.evidence import add_evidence, save_checklist_item
    from tests.inspection.helpers import evidence_details, make_framework

    make_framework("Partnership working")
    pm = as_role("programme_manager")
    item = save_checklist_item(
        None, user=pm, title="Minutes of the Board", owner_agency_id=pm.agency_id, due_on=date(2027, 3, 1)
    )
    db.session.commit()
    assert "0 of 1</span>" in client.get("/inspection/").get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        page = client.get("/inspection/").get_data(as_text=True)
    assert len(kept) == 1, "only the session, user and stamp: the figures and areas were kept"
    assert "Partnership working" in page and "Edit the framework" not in page

    with cache_on.test_request_context():
        evidence = add_evidence(
            evidence_details(owner_agency_id=pm.agency_id, link_path="/programme/"), user=reload(pm)
        )
        item = reload(item)
        save_checklist_item(
            item,
            user=reload(pm),
            title=item.title,
            owner_agency_id=item.owner_agency_id,
            due_on=item.due_on,
            evidence_id=evidence.id,
            version=item.lock_version,
        )
        db.session.commit()
    assert "1 of 1</span>" in client.get("/inspection/").get_data(as_text=True), "an audited tick, at once"

    client.post("/logout")
    as_role("admin")
    page = client.get("/inspection/").get_data(as_text=True)
    assert "1 of 1</span>" in page and "Edit the framework" in page, "kept apart for who may edit it"


def test_a_lists_total_is_kept_for_its_own_scope_and_counted_again_after_a_change(cache_on, client, sign_in):
    from tests.factories import PASSWORD

    pm = make_user(role="programme_manager")
    lead = make_user(role="agency_lead")
    make_action(rag="red")
    make_action(owner=lead.agency, review="proposed")
    make_action(review="proposed")  # another agency's proposal: the lead never counts it
    sign_in(lead)
    assert "Showing 1 to 1 of 1 actions" in client.get("/actions/?rag=red").get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        assert "Showing 1 to 1 of 1 actions" in client.get("/actions/?rag=red").get_data(as_text=True)
    assert not [q for q in kept if q.lower().startswith("select count(*)")], "the total was kept"

    other = make_action(rag="red")  # written without an audit event: the kept total does not know yet
    assert "of 1 actions" in client.get("/actions/?rag=red").get_data(as_text=True)
    _update(cache_on, other, pm, "Still red: the trainer has left", "red", 5, "Trainer left")
    assert "Showing 1 to 2 of 2 actions" in client.get("/actions/?rag=red").get_data(as_text=True)

    assert "of 1 actions" in client.get("/actions/?review=proposed").get_data(as_text=True)
    manager = cache_on.test_client()
    assert manager.post("/login", data={"email": pm.email, "password": PASSWORD}).status_code == 303
    assert "of 2 actions" in manager.get("/actions/?review=proposed").get_data(as_text=True), "its own scope"


def test_the_returns_views_total_is_kept_and_a_started_return_counts_at_once(cache_on, client, as_role):
    from app.returns.services import start_return
    from tests.factories import make_return_period

    period = make_return_period()
    lead = make_user(role="agency_lead")
    as_role("trust_member")
    assert "Showing 1 to 1 of 1" not in client.get("/returns/?status=draft").get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        assert client.get("/returns/?status=draft").status_code == 200
    assert not [q for q in kept if q.lower().startswith("select count(*)")], "the total was kept"
    with cache_on.test_request_context():
        start_return(reload(period), reload(lead).agency, user=reload(lead))
        db.session.commit()
    assert "Showing 1 to 1 of 1" in client.get("/returns/?status=draft").get_data(as_text=True)


def test_a_published_versions_body_is_kept_for_each_filter_and_a_new_version_shows_at_once(
    cache_on, client, as_role
):
    from app.thresholds.services import publish_version, start_draft
    from tests.factories import make_threshold_document

    document = make_threshold_document(slug="pathway-kept")
    as_role("partner")
    page = client.get("/thresholds/pathway-kept").get_data(as_text=True)
    assert "Neglect causing significant harm" in page and "Domestic violence: medium risk" in page
    with counted_queries(cache_on) as kept:
        again = client.get("/thresholds/pathway-kept").get_data(as_text=True)
    # CSRF tokens (in forms and in htmx's headers) carry the second they were made: the rest of
    # the page is the same.
    assert re.sub(r"[\w.-]{40,}", "", again) == re.sub(r"[\w.-]{40,}", "", page)
    assert not [q for q in kept if "FROM pathways" in q], "the body was kept"

    neglect = client.get("/thresholds/pathway-kept?concern=Neglect").get_data(as_text=True)
    assert "Neglect causing significant harm" in neglect, "each filter has its own body"
    assert "Domestic violence: medium risk" not in neglect
    fragment = client.get("/thresholds/pathway-kept?concern=Neglect", headers={"HX-Request": "true"})
    assert "Neglect causing significant harm" in fragment.get_data(as_text=True)
    assert "<nav" not in fragment.get_data(as_text=True), "htmx gets the pathways alone"

    with cache_on.test_request_context():
        admin = make_user(role="admin")
        draft = start_draft(reload(document), actor=admin)
        draft.summary_of_amendments = "The police referral line's new number."
        publish_version(draft, loaded_version=draft.lock_version, actor=admin)
        db.session.commit()
    page = client.get("/thresholds/pathway-kept").get_data(as_text=True)
    assert "Version 2 · " in page and ">Version 2</a>" in page, "the new version, listed at once"


def test_the_timetables_clashes_are_kept_for_the_day_and_a_new_one_shows_at_once(cache_on, client, as_role):
    from app.inspection.schedule import record_unavailability
    from tests.inspection.helpers import FIELDWORK, make_activity

    lead = make_user(role="agency_lead")
    make_activity("Police case audit", agency_id=lead.agency_id)
    as_role("programme_manager")
    day = f"/inspection/schedule/?day={FIELDWORK.isoformat()}"
    assert "clash" not in client.get(day).get_data(as_text=True).split("<main")[1].lower()
    with counted_queries(cache_on) as kept:
        assert client.get(day).status_code == 200
    assert not [q for q in kept if "inspection_unavailability" in q], "the day's clashes were kept"
    assert not [q for q in kept if "GROUP BY inspection_activities.day" in q], "the days were kept"

    with cache_on.test_request_context():
        record_unavailability(user=lead, agency_id=lead.agency_id, day=FIELDWORK, reason="Court week")
        db.session.commit()
    assert "1 clash on this day" in " ".join(client.get(day).get_data(as_text=True).split())


def test_the_dashboards_kept_html_is_kept_apart_for_who_may_open_the_acknowledgements(
    cache_on, client, as_role, monkeypatch
):
    from app.auth.models import Role
    from app.thresholds.permissions import SEE_ACKNOWLEDGEMENTS
    from tests.factories import make_threshold_document

    make_threshold_document(slug="kept-apart")
    as_role("trust_member")
    link = 'href="/thresholds/kept-apart/versions/1/acknowledgements"'
    assert link in client.get("/progress/").get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        assert link in client.get("/progress/").get_data(as_text=True)
    assert len(kept) == 1, "the numbers' HTML was kept: the session, with the newest audit event, only"

    grants = {role: grant for role, grant in SEE_ACKNOWLEDGEMENTS.grants.items() if role != Role.TRUST_MEMBER}
    monkeypatch.setattr(SEE_ACKNOWLEDGEMENTS, "grants", grants)
    page = client.get("/progress/").get_data(as_text=True)
    assert link not in page and "Agencies that have confirmed their staff were briefed" in page


def test_kept_html_is_bounded_by_its_size_the_oldest_going_first(cache_on, monkeypatch):
    from app import report_cache

    monkeypatch.setattr(report_cache, "MAX_CHARACTERS", 25)
    calls: list = []

    def kept(name: str) -> str:
        with cache_on.test_request_context():
            return remember("test.html", name, lambda: calls.append(name) or name * 10)

    kept("a")
    kept("b")
    assert calls == ["a", "b"]
    kept("b")
    kept("c")  # 30 characters kept in all: "a" goes, the oldest
    assert calls == ["a", "b", "c"]
    kept("c")
    kept("a")
    assert calls == ["a", "b", "c", "a"], "the oldest was let go, the newer kept"
    assert report_cache._characters <= 25


def test_a_kept_page_of_actions_is_each_persons_own(cache_on, client, sign_in):
    from tests.factories import PASSWORD

    police = make_user(role="partner")
    school = make_user(role="partner")
    action = make_action(owner=police.agency, title="Police training on the new thresholds")
    update_link = f'href="/actions/{action.id}/update"'
    sign_in(police)
    assert update_link in client.get("/actions/").get_data(as_text=True), "the owner's agency may update it"
    with counted_queries(cache_on) as kept:
        assert update_link in client.get("/actions/").get_data(as_text=True)
    assert len(kept) == 1, "the page was kept: only the session, user and stamp were asked for"

    other = cache_on.test_client()  # signed in after the page was kept: a sign-in empties nothing
    assert other.post("/login", data={"email": school.email, "password": PASSWORD}).status_code == 303

    page = other.get("/actions/").get_data(as_text=True)
    assert "Police training on the new thresholds" in page
    assert update_link not in page, "another agency's partner never gets the owner's kept page"


def test_search_results_are_kept_and_a_new_documents_words_are_found_at_once(cache_on, client):
    from app.thresholds.services import PathwayInput
    from tests.factories import make_threshold_document

    make_threshold_document(slug="kept-search")
    search = "/thresholds/?q=neglect"
    assert "Neglect causing significant harm" in client.get(search).get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        assert client.get(search, headers={"HX-Request": "true"}).status_code == 200
    assert kept == [q for q in kept if "audit_events" in q], "the results were kept (and no documents listed)"
    assert "0 results" in client.get("/thresholds/?q=hoarding").get_data(as_text=True)

    pathway = PathwayInput(
        "Neglect", 3, "Hoarding that puts children at risk", "Visit with the housing officer."
    )
    make_threshold_document("Hoarding", slug="hoarding", pathways=[pathway])  # published: audited
    assert "Hoarding that puts children at risk" in client.get("/thresholds/?q=hoarding").get_data(
        as_text=True
    )


def test_a_get_reads_the_stamp_with_the_signed_in_user_and_a_post_after_its_write(cache_on):
    from app.report_cache import stamp_column

    with cache_on.test_request_context("/", method="GET"):
        assert stamp_column() is not None, "a page asks for the stamp with its user"
    with cache_on.test_request_context("/", method="POST"):
        assert stamp_column() is None, "a POST must see its own audit event: asked after it writes"
    cache_on.config["REPORT_CACHE"] = False
    with cache_on.test_request_context("/", method="GET"):
        assert stamp_column() is None, "nothing is kept: nothing to ask for"


def test_the_stamp_read_with_the_user_keys_what_the_page_keeps(cache_on, client, as_role):
    as_role("partner")
    client.get("/")
    with counted_queries(cache_on) as kept:
        client.get("/")
    assert len(kept) == 1 and "max(audit_events.id)" in kept[0], "one statement: the user and the stamp"
    with cache_on.test_request_context():
        record("test.change", summary="Something shared changed")
        db.session.commit()
    with counted_queries(cache_on) as counted:
        client.get("/")
    assert len(counted) > 1, "a newer stamp, read with the user: the panels are counted again"


def test_a_kept_page_of_the_returns_view_is_each_persons_own_and_a_submission_shows_at_once(
    cache_on, client, as_role
):
    from app.returns.models import ReturnStatus
    from app.returns.services import submit_return
    from tests.factories import make_agency, make_return_period
    from tests.inspection.helpers import signed_in_client
    from tests.returns.support import make_return

    period = make_return_period()
    agency = make_agency("Sherwood Vale Academy", kind="school")
    draft = make_return(agency, period)
    lead = make_user(role="agency_lead", agency=agency)
    link = f'href="/returns/{draft.id}"'
    view = f"/returns/?period={period.id}"

    admin = signed_in_client(cache_on, "admin")
    assert link in admin.get(view).get_data(as_text=True), "an administrator opens any return"
    as_role("trust_member")  # signed in after the admin's page was kept: a sign-in empties nothing
    page = client.get(view).get_data(as_text=True)
    assert "Sherwood Vale Academy" in page and link not in page, "a draft is the agency's own"
    with counted_queries(cache_on) as kept:
        assert link not in client.get(view).get_data(as_text=True)
    assert not [q for q in kept if "FROM returns" in q], "the page was kept"

    with cache_on.test_request_context():
        submit_return(reload(draft), user=reload(lead), loaded_version=reload(draft).lock_version)
        db.session.commit()
    assert reload(draft).status == ReturnStatus.SUBMITTED
    assert link in client.get(view).get_data(as_text=True), "submitted: the reviewer may open it at once"


def test_a_days_timetable_is_kept_apart_for_who_may_manage_the_schedule(cache_on, client, as_role):
    from tests.inspection.helpers import FIELDWORK, make_activity, signed_in_client

    activity = make_activity("Police case audit")
    manager = signed_in_client(cache_on, "programme_manager")
    day = f"/inspection/schedule/?day={FIELDWORK.isoformat()}"
    edit = f'href="/inspection/schedule/{activity.id}/edit"'
    assert edit in manager.get(day).get_data(as_text=True), "the manager's titles link to their edit pages"
    as_role("partner")  # signed in after the manager's timetable was kept: a sign-in empties nothing
    page = client.get(day).get_data(as_text=True)
    assert "Police case audit" in page and edit not in page, "a reader's do not"
    with counted_queries(cache_on) as kept:
        assert "Police case audit" in client.get(day).get_data(as_text=True)
    assert not [q for q in kept if "FROM inspection_activities" in q], "the timetable was kept"


def test_the_young_peoples_form_keeps_its_open_consultations_until_one_is_started(cache_on):
    from datetime import timedelta

    from app.dates import today
    from app.participation.services import ConsultationDetails, save_consultation

    client = cache_on.test_client()
    assert "Is the bus home safe at night?" not in client.get("/have-your-say").get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        client.get("/have-your-say")
    assert not [q for q in kept if "FROM consultations" in q], "the choices were kept"

    with cache_on.test_request_context():
        save_consultation(
            None,
            ConsultationDetails(
                title="Getting home safely",
                question="Is the bus home safe at night?",
                description="",
                audience="Young people aged 11 to 18",
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=30),
            ),
            user=make_user(role="participation_lead"),
        )
        db.session.commit()
    page = client.get("/have-your-say").get_data(as_text=True)
    assert "Is the bus home safe at night?" in page, "a new consultation is offered at once"


def _worked_out_in_threads(app, count, threads: int = 6) -> list:
    """remember() asked from `threads` threads at once, each in a request of its own."""
    from concurrent.futures import ThreadPoolExecutor

    start = threading.Barrier(threads)

    def ask():
        with app.test_request_context():
            start.wait()
            try:
                return remember("test.slow", "key", count)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda _: ask(), range(threads)))


def test_threads_asking_at_once_wait_for_one_to_work_it_out(cache_on):
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return f"worked out {len(calls)} time(s)"

    answers = _worked_out_in_threads(cache_on, slow)
    assert calls == [1], "one thread worked it out, the others waited for it"
    assert answers == ["worked out 1 time(s)"] * 6


def test_a_failure_lets_the_next_thread_work_it_out(cache_on):
    calls = []

    def fails_first():
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.1)
            raise RuntimeError("the database went away")
        return "worked out"

    from concurrent.futures import ThreadPoolExecutor

    start = threading.Barrier(3)

    def ask():
        with cache_on.test_request_context():
            start.wait()
            try:
                return remember("test.failing", "key", fails_first)
            except RuntimeError:
                return "failed"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(3) as pool:
        answers = sorted(pool.map(lambda _: ask(), range(3)))
    assert answers == ["failed", "worked out", "worked out"]
    assert len(calls) == 2, "after the failure, the next thread worked it out once for both"


def test_asking_again_inside_the_work_does_not_wait_for_itself(cache_on, monkeypatch):
    import app.report_cache as report_cache

    monkeypatch.setattr(report_cache, "WAIT_SECONDS", 600)
    answers = []

    def ask():
        with cache_on.test_request_context():
            inner = lambda: remember("test.nested", "key", lambda: "inner")  # noqa: E731
            answers.append(remember("test.nested", "key", inner))
            db.session.remove()

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the thread waited for its own turn"
    assert answers == ["inner"]


def test_a_thread_that_waited_too_long_works_it_out_itself(cache_on, monkeypatch):
    import app.report_cache as report_cache

    monkeypatch.setattr(report_cache, "WAIT_SECONDS", 0.05)
    calls = []

    def very_slow():
        calls.append(1)
        time.sleep(0.5)
        return "worked out"

    answers = _worked_out_in_threads(cache_on, very_slow, threads=2)
    assert answers == ["worked out", "worked out"]
    assert len(calls) == 2, "the second thread stopped waiting and worked it out too"


def test_the_audit_trails_words_are_kept_and_a_renamed_record_or_a_new_kind_shows_at_once(
    cache_on, client, as_role
):
    agency = Agency(name="Mansfield Academy", kind="school")
    db.session.add(agency)
    db.session.flush()
    record("agency.create", agency, after={"name": agency.name}, summary="Added agency Mansfield Academy")
    db.session.commit()
    as_role("admin")
    assert ">Mansfield Academy</a>" in client.get("/admin/audit/").get_data(as_text=True)
    with counted_queries(cache_on) as again:
        assert client.get("/admin/audit/").status_code == 200
    assert not [q for q in again if "AS label" in q], "the names of the records were kept"
    assert not [q for q in again if "WITH RECURSIVE" in q], "the kinds of event were kept"

    with cache_on.test_request_context():
        renamed = reload(agency)
        renamed.name = "Mansfield Academy Trust"
        record("agency.update", renamed, before={"name": "Mansfield Academy"}, summary="Renamed")
        db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert ">Mansfield Academy Trust</a>" in page and ">Mansfield Academy</a>" not in page

    # A sign-in changes no shared data, yet may be the first event of its kind: the filter has it.
    with cache_on.test_request_context():
        record("auth.sign_in_failed", object_type="users", object_id="someone@example.test", summary="Failed")
        db.session.commit()
    page = client.get("/admin/audit/?routine=1").get_data(as_text=True)
    assert 'value="auth.sign_in_failed"' in page


def test_a_page_of_the_audit_trail_is_kept_until_an_event_commits_whatever_its_id(cache_on, client, as_role):
    """Kept by the last event on the hash chain, not the highest id: an id is taken when an event is
    first written, its place on the chain as it commits, so a lower id may commit later (on
    PostgreSQL, a transaction that wrote its event early and committed after another's)."""
    with cache_on.test_request_context():
        first = record(
            "agency.create", object_type="agencies", object_id="1", summary="Added agency Worksop Priory"
        )
        first.id = 1000
        db.session.commit()
    as_role("admin")
    assert "Worksop Priory" in client.get("/admin/audit/").get_data(as_text=True)
    with counted_queries(cache_on) as again:
        assert client.get("/admin/audit/").status_code == 200
    assert len(again) == 2, f"the session and the last event on the chain only: {again}"

    with cache_on.test_request_context():
        late = record(
            "agency.create", object_type="agencies", object_id="2", summary="Added agency Retford Oaks"
        )
        late.id = 900  # below ids already shown, as a transaction that took its id first
        db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Retford Oaks" in page, "an event committed since shows at once, whatever its id"

    # A sign-in changes no shared data, yet it is an event: shown at once to whoever asks for them.
    with cache_on.test_request_context():
        record("auth.sign_in", object_type="users", object_id="3", summary="Signed in from Bassetlaw")
        db.session.commit()
    assert "Bassetlaw" not in client.get("/admin/audit/").get_data(as_text=True), "hidden by default"
    assert "Bassetlaw" in client.get("/admin/audit/?routine=1").get_data(as_text=True)


def test_each_page_of_the_audit_trail_is_kept_apart(cache_on, client, as_role):
    with cache_on.test_request_context():
        for number in range(1, 31):
            record("test.change", summary=f"Added school {number:02}")
        db.session.commit()
    as_role("admin")
    first = client.get("/admin/audit/").get_data(as_text=True)
    second = client.get("/admin/audit/?page=2").get_data(as_text=True)
    assert "Added school 30" in first and "Added school 30" not in second
    assert "Added school 01" in second and "Added school 01" not in first


def test_a_page_of_the_triage_queue_is_kept_and_a_disclosure_or_a_review_shows_at_once(
    cache_on, client, as_role
):
    from app.participation.models import Feedback
    from app.participation.services import mark_reviewed

    new = 'govuk-tag--blue">New<'
    _a_young_person_says(cache_on, "The youth club should open on Sundays too")
    lead = as_role("participation_lead")
    assert new in client.get("/feedback/").get_data(as_text=True)
    with counted_queries(cache_on) as kept:
        assert client.get("/feedback/").status_code == 200
    assert len(kept) == 1, f"the session only: the page of the queue was kept: {kept}"

    _a_young_person_says(cache_on, "My stepdad hits me when he has been drinking")
    page = client.get("/feedback/").get_data(as_text=True)
    assert page.index("Urgent: needs action") < page.index(new), "a disclosure shows at once, first"

    with cache_on.test_request_context():
        ordinary = db.session.scalars(select(Feedback).where(Feedback.flagged.is_(False))).one()
        mark_reviewed(ordinary, user=reload(lead))
        db.session.commit()
    page = client.get("/feedback/").get_data(as_text=True)
    assert new not in page and ">Reviewed</strong>" in page, "a review shows at once"

    cache_on.config["PAGE_SIZE"] = 1
    first = client.get("/feedback/").get_data(as_text=True)
    second = client.get("/feedback/?page=2").get_data(as_text=True)
    assert "Urgent: needs action" in first and "Urgent: needs action" not in second, "each page kept apart"
    assert first.count(">Message ") == second.count(">Message ") == 1, "and each page size"


def test_a_kept_page_of_the_audit_trail_still_says_a_date_was_ignored(cache_on, client, as_role):
    """A nonsense date is dropped from the filters, so the key must say it was there: the page
    without it is kept too, and does not carry the message."""
    as_role("admin")
    assert "The date filter was ignored" not in client.get("/admin/audit/").get_data(as_text=True)
    page = client.get("/admin/audit/?from=2026-13-45").get_data(as_text=True)
    assert "The date filter was ignored" in page
