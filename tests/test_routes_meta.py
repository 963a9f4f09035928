"""Guards over the whole URL map: every route declares who may use it, URLs are kebab-case,
and every state change is a CSRF-protected POST."""

import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.thresholds.models import ThresholdVersion
from tests.factories import make_user, one_of_everything, reload

# Routes anyone may use, signed in or not. Adding to this list is a decision: review it.
PUBLIC_ENDPOINTS = {
    "static",
    "auth.sign_in",
    "auth.set_password_from_invitation",
    "auth.forgot_password",
    "auth.reset_password",
    # The second step of signing in: the user has given their password but has no session yet.
    "auth.two_factor_sign_in",
    "home.index",
    "home.health",
    # Threshold documents marked public are readable without an account; the views themselves
    # send anonymous users to sign in for partners-only documents (tests/thresholds).
    "thresholds.list_documents",
    "thresholds.show_document",
    "thresholds.show_version",
    "thresholds.compare",
    # Have your say: young people have no account.
    "participation.give_feedback",
    "participation.thanks",
    "participation.get_help",
    "participation.you_said_we_did",
}

EXPECTED_ROUTES = {
    ("/", "GET", "home.index"),
    ("/healthz", "GET", "home.health"),
    ("/people", "GET", "home.list_people"),
    ("/login", "GET,POST", "auth.sign_in"),
    ("/logout", "POST", "auth.sign_out"),
    ("/set-password/<token>", "GET,POST", "auth.set_password_from_invitation"),
    ("/forgot-password", "GET,POST", "auth.forgot_password"),
    ("/reset-password/<token>", "GET,POST", "auth.reset_password"),
    ("/login/code", "GET,POST", "auth.two_factor_sign_in"),
    ("/account/two-factor", "GET,POST", "auth.two_factor"),
    ("/account/confirm", "GET,POST", "auth.confirm_sign_in"),
    ("/account/password", "GET,POST", "auth.change_password"),
    ("/admin/", "GET", "admin.index"),
    ("/admin/agencies", "GET", "admin.list_agencies"),
    ("/admin/agencies/new", "GET,POST", "admin.create_agency_page"),
    ("/admin/agencies/<int:agency_id>/edit", "GET,POST", "admin.edit_agency"),
    ("/admin/agencies/<int:agency_id>/row", "GET", "admin.show_agency_row"),
    ("/admin/agencies/<int:agency_id>/archive", "POST", "admin.archive_agency"),
    ("/admin/agencies/<int:agency_id>/restore", "POST", "admin.restore_agency"),
    ("/admin/users", "GET", "admin.list_users"),
    ("/admin/users/new", "GET,POST", "admin.invite_user_page"),
    ("/admin/users/<int:user_id>/edit", "GET,POST", "admin.edit_user"),
    ("/admin/users/<int:user_id>/row", "GET", "admin.show_user_row"),
    ("/admin/users/<int:user_id>/invitation", "POST", "admin.resend_invitation_page"),
    ("/admin/users/<int:user_id>/deactivate", "POST", "admin.deactivate_user"),
    ("/admin/users/<int:user_id>/reactivate", "POST", "admin.reactivate_user"),
    ("/admin/audit/", "GET", "audit.list_events"),
    ("/thresholds/", "GET", "thresholds.list_documents"),
    ("/thresholds/new", "GET,POST", "thresholds.create_document_page"),
    ("/thresholds/<slug>", "GET", "thresholds.show_document"),
    ("/thresholds/<slug>/versions/<int:number>", "GET", "thresholds.show_version"),
    ("/thresholds/<slug>/compare", "GET", "thresholds.compare"),
    ("/thresholds/<slug>/versions/<int:number>/acknowledge", "POST", "thresholds.acknowledge"),
    ("/thresholds/<slug>/versions/<int:number>/read", "POST", "thresholds.mark_read"),
    ("/thresholds/<slug>/versions/<int:number>/acknowledgements", "GET", "thresholds.list_acknowledgements"),
    ("/thresholds/<slug>/versions", "POST", "thresholds.start_new_draft"),
    ("/thresholds/<slug>/edit", "GET,POST", "thresholds.edit_draft"),
    ("/thresholds/<slug>/publish", "GET,POST", "thresholds.publish"),
    ("/thresholds/search-synonyms", "GET,POST", "thresholds.edit_synonyms"),
    ("/thresholds/<slug>/settings", "POST", "thresholds.update_settings"),
    ("/programme/", "GET", "programme.show_programme"),
    ("/programme/projects/<int:project_id>", "GET", "programme.show_project"),
    ("/programme/projects/new", "GET,POST", "programme.create_project_page"),
    ("/programme/projects/<int:project_id>/edit", "GET,POST", "programme.edit_project_page"),
    ("/actions/", "GET", "actions.list_actions"),
    ("/actions/export", "GET", "actions.export_actions"),
    ("/actions/new", "GET,POST", "actions.create_action_page"),
    ("/actions/<int:action_id>", "GET", "actions.show_action"),
    ("/actions/<int:action_id>/update", "GET,POST", "actions.post_update_page"),
    ("/actions/<int:action_id>/row", "GET", "actions.show_action_row"),
    ("/actions/<int:action_id>/edit", "GET,POST", "actions.edit_action_page"),
    ("/actions/<int:action_id>/accept", "POST", "actions.accept_action_page"),
    ("/actions/<int:action_id>/return", "POST", "actions.return_action_page"),
    ("/actions/<int:action_id>/close", "POST", "actions.close_action_page"),
    ("/actions/<int:action_id>/revise", "GET,POST", "actions.revise_proposal_page"),
    ("/actions/<int:action_id>/resubmit", "POST", "actions.resubmit_proposal_page"),
    ("/actions/<int:action_id>/withdraw", "POST", "actions.withdraw_proposal_page"),
    ("/actions/<int:action_id>/challenges", "POST", "actions.raise_challenge_page"),
    (
        "/actions/<int:action_id>/challenges/<int:challenge_id>/response",
        "POST",
        "actions.respond_to_challenge_page",
    ),
    ("/actions/<int:action_id>/challenges/<int:challenge_id>/close", "POST", "actions.close_challenge_page"),
    ("/have-your-say", "GET,POST", "participation.give_feedback"),
    ("/have-your-say/thank-you", "GET", "participation.thanks"),
    ("/have-your-say/get-help", "GET", "participation.get_help"),
    ("/have-your-say/you-said-we-did", "GET", "participation.you_said_we_did"),
    ("/feedback/", "GET", "participation.triage"),
    ("/feedback/<int:feedback_id>", "GET", "participation.show_feedback"),
    ("/feedback/<int:feedback_id>/action", "POST", "participation.act_on_feedback"),
    ("/feedback/<int:feedback_id>/reviewed", "POST", "participation.mark_feedback_reviewed"),
    ("/feedback/<int:feedback_id>/themes", "POST", "participation.tag_feedback"),
    ("/feedback/summary", "GET", "participation.show_summary"),
    ("/feedback/consultations", "GET", "participation.list_consultations"),
    ("/feedback/consultations/new", "GET,POST", "participation.create_consultation"),
    ("/feedback/consultations/<int:consultation_id>/edit", "GET,POST", "participation.edit_consultation"),
    ("/feedback/responses", "GET", "participation.list_responses"),
    ("/feedback/responses/new", "GET,POST", "participation.create_response"),
    ("/feedback/responses/<int:response_id>/edit", "GET,POST", "participation.edit_response"),
    ("/feedback/responses/<int:response_id>/publish", "POST", "participation.publish_response_page"),
    ("/notifications/", "GET", "notifications.list_notifications"),
    ("/notifications/count", "GET", "notifications.show_count"),
    ("/notifications/<int:notification_id>/read", "POST", "notifications.read_notification"),
    ("/notifications/read-all", "POST", "notifications.read_all"),
    ("/notifications/email", "GET,POST", "notifications.email_choices"),
    ("/progress/", "GET", "progress.show_dashboard"),
    ("/progress/agencies/<int:agency_id>", "GET", "progress.show_agency"),
    ("/progress/export/<table>", "GET", "progress.export_table"),
    ("/progress/report", "POST", "progress.download_report"),
    ("/returns/", "GET", "returns.list_returns"),
    ("/returns/export", "GET", "returns.export_returns"),
    ("/returns/start", "POST", "returns.start_return_page"),
    ("/returns/scr-template", "GET", "returns.download_scr_template"),
    ("/returns/<int:return_id>", "GET,POST", "returns.show_return"),
    ("/returns/<int:return_id>/submit", "POST", "returns.submit_return_page"),
    ("/returns/<int:return_id>/accept", "POST", "returns.accept_return_page"),
    ("/returns/<int:return_id>/return", "POST", "returns.return_for_amendment_page"),
    ("/returns/<int:return_id>/print", "GET", "returns.print_return"),
    ("/returns/<int:return_id>/scr-import", "GET,POST", "returns.import_from_scr"),
    ("/returns/<int:return_id>/scr-import/apply", "POST", "returns.apply_scr_counts_page"),
    ("/returns/periods/", "GET", "returns.list_periods"),
    ("/returns/periods/new", "GET,POST", "returns.create_period_page"),
    ("/returns/periods/<int:period_id>/edit", "GET,POST", "returns.edit_period_page"),
    ("/static/<path:filename>", "GET", "static"),
    ("/briefings/", "GET", "briefings.list_briefings"),
    ("/briefings/<int:briefing_id>", "GET", "briefings.show_briefing"),
    ("/briefings/<int:briefing_id>/read", "POST", "briefings.read_briefing"),
    ("/briefings/new", "GET,POST", "briefings.publish_briefing_page"),
    ("/inspection/", "GET", "inspection.show_overview"),
    ("/inspection/areas/<int:area_id>/edit", "GET,POST", "inspection.edit_area"),
    ("/inspection/areas/new", "GET,POST", "inspection.create_area"),
    ("/inspection/evidence/", "GET", "inspection.list_evidence"),
    ("/inspection/evidence/<int:evidence_id>/download", "GET", "inspection.download_evidence"),
    ("/inspection/evidence/checklist/<int:item_id>/edit", "GET,POST", "inspection.edit_checklist_item"),
    ("/inspection/evidence/checklist/new", "GET,POST", "inspection.create_checklist_item"),
    ("/inspection/evidence/new", "GET,POST", "inspection.add_evidence_page"),
    ("/inspection/evidence/pack", "POST", "inspection.download_pack"),
    ("/inspection/framework", "GET,POST", "inspection.edit_framework"),
    ("/inspection/schedule/", "GET", "inspection.show_schedule"),
    ("/inspection/schedule/<int:activity_id>/edit", "GET,POST", "inspection.edit_activity"),
    ("/inspection/schedule/check", "POST", "inspection.check_activity"),
    ("/inspection/schedule/import", "GET,POST", "inspection.import_activities"),
    ("/inspection/schedule/mine", "GET", "inspection.show_my_schedule"),
    ("/inspection/schedule/mine/calendar", "GET", "inspection.download_calendar"),
    ("/inspection/schedule/new", "GET,POST", "inspection.create_activity"),
    ("/inspection/schedule/unavailable", "GET,POST", "inspection.record_unavailable_day"),
    ("/inspection/self-assessment/", "GET", "inspection.list_areas"),
    ("/inspection/self-assessment/<int:area_id>", "GET", "inspection.show_area"),
    ("/inspection/self-assessment/<int:area_id>/actions", "POST", "inspection.link_area_action"),
    ("/inspection/self-assessment/<int:area_id>/agency-view", "POST", "inspection.save_input"),
    ("/inspection/self-assessment/<int:area_id>/consolidate", "POST", "inspection.consolidate_area"),
}


def _rules(app):
    return [r for r in app.url_map.iter_rules()]


def _methods(rule) -> str:
    return ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))


def test_every_endpoint_is_public_by_decision_or_guarded(app):
    unguarded = []
    for endpoint, view in app.view_functions.items():
        access = getattr(view, "access", None)
        if endpoint in PUBLIC_ENDPOINTS:
            assert endpoint == "static" or access == "public", f"{endpoint} should be marked @public"
        elif access is None or access == "public":
            unguarded.append(endpoint)
    assert unguarded == [], f"Routes with no permission decorator: {unguarded}"


def test_route_list_is_what_we_expect(app):
    """A snapshot: a new or changed route must be added here on purpose."""
    actual = {(r.rule, _methods(r), r.endpoint) for r in _rules(app)}
    assert actual == EXPECTED_ROUTES


def test_urls_are_kebab_case(app):
    for rule in _rules(app):
        static_part = re.sub(r"<[^>]+>", "", rule.rule)
        assert re.fullmatch(r"[a-z0-9/\-]*", static_part), f"{rule.rule} is not kebab-case"


def _fill(rule, ids):
    path = re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)
    return path.replace("<token>", "x" * 43).replace("<slug>", ids["slug"])


POST_RULES = sorted(r[0] for r in EXPECTED_ROUTES if "POST" in r[1])


@pytest.mark.parametrize("path", POST_RULES)
def test_every_post_without_csrf_token_is_refused_and_writes_nothing(csrf_app, client, sign_in, path):
    admin = make_user(role="admin")
    other = make_user(role="partner")
    sign_in_with_token(client, admin)
    rule = next(r for r in _rules(csrf_app) if r.rule == path)
    ids = one_of_everything(owner=other.agency, admin=admin)
    url = _fill(rule, ids)
    before = _row_counts()
    response = client.post(
        url,
        data={
            "full_name": "Changed",
            "name": "Changed",
            "email": "x@example.test",
            "text": "x",
            "reason": "x",
        },
    )
    if getattr(csrf_app.view_functions[rule.endpoint], "keeps_words", None):
        # Young people's form: their words come back with "press Send again", never a 400 page.
        assert response.status_code == 200 and "Press Send again" in response.get_data(as_text=True)
    else:
        assert response.status_code == 400
        assert "expired or was incomplete" in response.get_data(as_text=True)
    assert _row_counts() == before


def sign_in_with_token(client, user):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": "a long test passphrase", "csrf_token": token}
    )
    assert response.status_code == 303


def _row_counts():
    """Every table's row count, and the columns a refused POST would most likely have changed."""
    db.session.expire_all()
    counts = {
        t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables
    }
    names = tuple(db.session.scalars(select(User.full_name).order_by(User.id)))
    statuses = tuple(db.session.scalars(select(ThresholdVersion.status).order_by(ThresholdVersion.id)))
    return counts, names, statuses


def test_htmx_post_with_token_in_header_is_accepted(csrf_app, client):
    admin = make_user(role="admin")
    sign_in_with_token(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    token = re.search(r'data-hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    target = make_user(role="partner", full_name="Before Name")
    response = client.post(
        f"/admin/users/{target.id}/edit",
        data={
            f"user-{target.id}-{k}": v
            for k, v in {"full_name": "After Name", "agency_id": target.agency_id, "role": "partner"}.items()
        },
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert reload(target).full_name == "After Name"


def test_htmx_post_without_header_is_refused(csrf_app, client):
    admin = make_user(role="admin")
    sign_in_with_token(client, admin)
    target = make_user(role="partner", full_name="Before Name")
    response = client.post(
        f"/admin/users/{target.id}/edit",
        data={
            f"user-{target.id}-{k}": v
            for k, v in {"full_name": "After Name", "agency_id": target.agency_id, "role": "partner"}.items()
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#htmx-error-banner"
    assert reload(target).full_name == "Before Name"
