"""The returns' pages: who sees what (by id, list, export and htmx fragment), bad numbers, stale
edits, double submissions, every transition audited, and the reason shown to the agency."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.forms import new_token
from app.returns.models import Return, ReturnTransition
from tests.factories import make_agency, make_return_period, make_user, reload
from tests.returns.support import COMPLETE, form_data, make_return

HX = {"HX-Request": "true"}


def _paths(ret) -> list[str]:
    return [f"/returns/{ret.id}", f"/returns/{ret.id}/print", f"/returns/{ret.id}/scr-import"]


@pytest.mark.parametrize("role", ["partner", "agency_lead"])
def test_another_agencys_return_is_not_found_by_id_list_export_or_fragment(app, client, as_role, role):
    period = make_return_period()
    theirs = make_return(make_agency("Sherwood Vale Academy", kind="school"), period, status="submitted")
    as_role(role, agency=make_agency("Nottinghamshire Police"))
    for path in _paths(theirs):
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers=HX).status_code == 404, path
    assert client.post(f"/returns/{theirs.id}", data=form_data(theirs), headers=HX).status_code == 404
    assert "Sherwood Vale" not in client.get("/returns/").get_data(as_text=True)
    assert "Sherwood Vale" not in client.get("/returns/", headers=HX).get_data(as_text=True)
    assert "Sherwood Vale" not in client.get(f"/returns/export?period={period.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["partner", "agency_lead"])
def test_an_agency_sees_its_own_return(app, client, as_role, role):
    ret = make_return(make_agency("Nottinghamshire Police"))
    as_role(role, agency=ret.agency)
    for path in _paths(ret):
        assert client.get(path).status_code == 200, path
    assert "2009/10 Q3" in client.get("/returns/").get_data(as_text=True)
    export = client.get(f"/returns/export?period={ret.period_id}").get_data(as_text=True)
    assert "Nottinghamshire Police" in export and "Draft" in export


@pytest.mark.parametrize("role", ["trust_member", "programme_manager"])
def test_reviewers_see_a_return_once_it_is_submitted(app, client, as_role, role):
    period = make_return_period()
    draft = make_return(make_agency("Notts Connect"), period, answers={**COMPLETE, "appointments": 17})
    sent = make_return(make_agency("Open Door Families Trust"), period, status="submitted")
    as_role(role)
    assert client.get(f"/returns/{draft.id}").status_code == 404
    assert client.get(f"/returns/{draft.id}", headers=HX).status_code == 404
    assert client.get(f"/returns/{sent.id}").status_code == 200
    page = client.get("/returns/").get_data(as_text=True)
    assert "Notts Connect" in page and "Draft" in page and "Open Door Families Trust" in page
    assert f"/returns/{draft.id}" not in page and f"/returns/{sent.id}" in page
    export = client.get(f"/returns/export?period={period.id}").get_data(as_text=True)
    draft_row = next(line for line in export.splitlines() if line.startswith("Notts Connect"))
    assert "17" not in draft_row  # a draft's numbers are the agency's own


def test_admins_see_every_return_and_others_none(app, client, as_role):
    draft = make_return()
    as_role("admin")
    assert client.get(f"/returns/{draft.id}").status_code == 200
    other = app.test_client()
    lead = make_user(role="participation_lead")
    other.post("/login", data={"email": lead.email, "password": "a long test passphrase"})
    assert other.get(f"/returns/{draft.id}").status_code == 403
    assert other.get("/returns/").status_code == 403


def test_the_partnership_view_filters_and_answers_htmx_with_the_results(app, client, as_role):
    period = make_return_period()
    make_return(make_agency("Sherwood Vale Academy", kind="school"), period, status="submitted")
    make_agency("Nottinghamshire Police", kind="police")
    as_role("trust_member")
    page = client.get(f"/returns/?period={period.id}&status=not_started", headers=HX)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "HX-Request" in page.headers["Vary"] and "<html" not in body
    assert "Nottinghamshire Police" in body and "Sherwood Vale" not in body
    body = client.get(f"/returns/?period={period.id}&kind=school").get_data(as_text=True)
    assert "Sherwood Vale" in body and "Nottinghamshire Police</" not in body


def test_overdue_returns_are_highlighted(app, client, as_role):
    period = make_return_period(due_in=-3)
    make_agency("Mansfield District Council")
    as_role("programme_manager")
    body = client.get("/returns/?status=overdue").get_data(as_text=True)
    assert "Mansfield District Council" in body and "portal-row--overdue" in body and "Overdue" in body
    assert period.id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("appointments", "-1", "Enter 0 or more"),
        ("appointments", "twelve", "Enter a whole number"),
        ("fully_checked", "11", "cannot be more than the 10"),
    ],
)
def test_bad_numbers_are_refused_with_422_and_nothing_written(app, client, as_role, field, value, message):
    ret = make_return()
    as_role("partner", agency=ret.agency)
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    response = client.post(f"/returns/{ret.id}", data=form_data(ret, **{field: value}))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and "govuk-error-summary" in body and f'value="{value}"' in body
    assert reload(ret).answers == COMPLETE and reload(ret).lock_version == 1
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before
    fragment = client.post(f"/returns/{ret.id}", data=form_data(ret, **{field: value}), headers=HX)
    assert fragment.status_code == 422 and message in fragment.get_data(as_text=True)


def test_autosave_saves_and_hands_back_the_new_version(app, client, as_role):
    ret = make_return()
    as_role("partner", agency=ret.agency)
    response = client.post(f"/returns/{ret.id}", data=form_data(ret, appointments="12"), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Saved at" in body and "<html" not in body
    assert 'id="lock_version" name="lock_version" value="2" data-hx-swap-oob="true"' in body
    assert reload(ret).answers["appointments"] == 12 and reload(ret).compliance == 67
    again = client.post(f"/returns/{ret.id}", data=form_data(reload(ret), appointments="13"), headers=HX)
    assert again.status_code == 200 and reload(ret).answers["appointments"] == 13


def test_a_stale_edit_is_a_409_with_the_input_kept(app, client, as_role):
    ret = make_return()
    as_role("agency_lead", agency=ret.agency)
    stale = form_data(ret, appointments="31")
    assert client.post(f"/returns/{ret.id}", data=form_data(ret, appointments="12")).status_code == 303
    response = client.post(f"/returns/{ret.id}", data=stale)
    assert response.status_code == 409
    assert 'value="31"' in response.get_data(as_text=True)
    assert reload(ret).answers["appointments"] == 12


def test_agency_and_status_sent_in_the_form_are_ignored(app, client, as_role):
    ret = make_return()
    other = make_agency()
    as_role("agency_lead", agency=ret.agency)
    response = client.post(
        f"/returns/{ret.id}", data=form_data(ret, agency_id=other.id, status="accepted", period_id=999)
    )
    assert response.status_code == 303
    ret = reload(ret)
    assert (ret.agency_id, ret.status, ret.period_id) != (other.id, "accepted", 999)
    assert ret.status == "draft"


def _submit(client, ret, token=None):
    return client.post(
        f"/returns/{ret.id}/submit",
        data={"submit-lock_version": str(ret.lock_version), "submit-submission_token": token or new_token()},
    )


def test_a_double_submission_is_one_transition(app, client, as_role):
    ret = make_return()
    as_role("agency_lead", agency=ret.agency)
    token = new_token()
    assert _submit(client, ret, token).status_code == 303
    assert _submit(client, ret, token).status_code == 303  # the same form again: "already submitted"
    assert _submit(client, ret).status_code in (409, 422)  # a second form, loaded before: refused
    assert db.session.scalar(select(func.count(ReturnTransition.id))) == 1
    assert reload(ret).status == "submitted"


def test_partners_prepare_but_do_not_submit(app, client, as_role):
    ret = make_return()
    as_role("partner", agency=ret.agency)
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "Save draft" in page and "Submit the return" not in page
    assert _submit(client, ret).status_code == 403
    assert reload(ret).status == "draft"


def test_each_reader_is_shown_only_the_forms_they_may_use_now(app, client, as_role):
    draft = make_return()
    as_role("agency_lead", agency=draft.agency)
    page = client.get(f"/returns/{draft.id}").get_data(as_text=True)
    assert "Submit the return" in page and "Accept the return" not in page

    submitted = make_return(period=draft.period, status="submitted")
    client.post("/logout")
    as_role("agency_lead", agency=submitted.agency)
    page = client.get(f"/returns/{submitted.id}").get_data(as_text=True)
    assert "Submit the" not in page and "Accept the return" not in page, "its own agency does not review it"
    client.post("/logout")
    as_role("programme_manager")
    page = client.get(f"/returns/{submitted.id}").get_data(as_text=True)
    assert "Accept the return" in page and "Return it for amendment" in page and "Submit the" not in page

    accepted = make_return(period=draft.period, status="accepted")
    page = client.get(f"/returns/{accepted.id}").get_data(as_text=True)
    assert "Accept the return" not in page and "Return it for amendment" not in page, "reviewed already"


def test_a_submitted_return_is_read_only_to_everyone(app, client, as_role):
    ret = make_return(status="submitted")
    lead = as_role("agency_lead", agency=ret.agency)
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "Save draft" not in page and 'name="appointments"' not in page
    response = client.post(f"/returns/{ret.id}", data=form_data(ret, appointments="1"))
    assert response.status_code == 422 and reload(ret).answers == COMPLETE
    assert "has been submitted and cannot be changed" in response.get_data(as_text=True)
    assert lead.id


def _review(client, ret, action, **data):
    prefix = "accept" if action == "accept" else "amend"
    return client.post(
        f"/returns/{ret.id}/{action}",
        data={
            f"{prefix}-lock_version": str(reload(ret).lock_version),
            f"{prefix}-submission_token": new_token(),
            **{f"{prefix}-{k}": v for k, v in data.items()},
        },
    )


def test_the_whole_loop_is_audited_and_the_reason_shown_to_the_agency(app, client, sign_in):
    ret = make_return()
    lead = make_user(role="agency_lead", agency=ret.agency)
    reviewer = make_user(role="trust_member")
    sign_in(lead)
    assert _submit(client, ret).status_code == 303
    reviewing = app.test_client()
    reviewing.post("/login", data={"email": reviewer.email, "password": "a long test passphrase"})
    assert _review(reviewing, ret, "return", reason="").status_code == 422
    assert reload(ret).status == "submitted"
    reason = "Two references were verified after the start date: say which posts."
    assert (
        _review(reviewing, ret, "return", reason=reason, moderated_rating="partly_compliant").status_code
        == 303
    )
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "Returned for amendment" in page and reason in page and "Save draft" in page
    assert _submit(client, reload(ret)).status_code == 303
    assert _review(reviewing, ret, "accept", moderated_rating="compliant").status_code == 303
    ret = reload(ret)
    assert (ret.status, ret.moderated_rating) == ("accepted", "compliant")
    moves = db.session.execute(
        select(ReturnTransition.to_status, ReturnTransition.actor_id).order_by(ReturnTransition.id)
    ).all()
    assert moves == [
        ("submitted", lead.id),
        ("returned", reviewer.id),
        ("submitted", lead.id),
        ("accepted", reviewer.id),
    ]
    audited = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "returns").order_by(AuditEvent.id)
    ).all()
    assert audited == ["return.submit", "return.return", "return.resubmit", "return.accept"]


def test_starting_a_return_from_the_list(app, client, as_role):
    period = make_return_period()
    lead = as_role("agency_lead", agency=make_agency(kind="police"))
    page = client.get("/returns/").get_data(as_text=True)
    assert "Start the 2009/10 Q3 return" in page
    response = client.post("/returns/start", data={"period_id": period.id})
    assert response.status_code == 303
    ret = db.session.scalar(select(Return))
    assert (ret.agency_id, ret.started_by_id) == (lead.agency_id, lead.id)
    assert (
        client.post("/returns/start", data={"period_id": period.id})
        .headers["Location"]
        .endswith(f"/returns/{ret.id}")
    )
    assert db.session.scalar(select(func.count(Return.id))) == 1


def test_managing_periods(app, client, as_role):
    as_role("programme_manager")
    data = {
        "name": "2010/11 Q1",
        "covers_from": ["1", "4", "2010"],
        "covers_to": ["30", "6", "2010"],
        "opens_on": ["1", "7", "2010"],
        "due_on": ["31", "7", "2010"],
        "agency_kinds": ["school"],
        "submission_token": new_token(),
    }
    assert client.post("/returns/periods/new", data=data).status_code == 303
    assert "2010/11 Q1" in client.get("/returns/periods/").get_data(as_text=True)
    bad = client.post(
        "/returns/periods/new", data={**data, "due_on": ["31", "13", "2010"], "submission_token": new_token()}
    )
    assert bad.status_code == 422


def test_home_shows_the_outstanding_return_and_the_days_left(app, client, as_role):
    make_return_period(due_in=9)
    as_role("agency_lead", agency=make_agency(kind="police"))
    page = client.get("/").get_data(as_text=True).replace("&#39;", "'").replace("’", "'")
    assert "2009/10 Q3 safer-recruitment return (not started): 9 days left" in page


def test_home_shows_reviewers_what_waits_for_review(app, client, as_role):
    make_return(status="submitted")
    as_role("trust_member")
    assert "1 safer-recruitment return is waiting for review" in client.get("/").get_data(as_text=True)


def test_the_printable_return_shows_the_answers(app, client, as_role):
    school = make_agency("Sherwood Vale Academy", kind="school")
    ret = make_return(
        school, status="accepted", answers={**COMPLETE, "scr_audited_on": "2009-11-30", "scr_complete": "yes"}
    )
    as_role("trust_member")
    for path in (f"/returns/{ret.id}/print", f"/returns/{ret.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Jane Whitaker, Head of HR" in page and "80% of appointments" in page
        assert "30 November 2009" in page


def test_the_csv_defuses_formulas_and_has_one_row_per_agency(app, client, as_role):
    period = make_return_period()
    make_return(make_agency("=HYPERLINK(evil)"), period, status="submitted")
    make_agency("Nottinghamshire Police")
    as_role("programme_manager")
    response = client.get(f"/returns/export?period={period.id}")
    lines = response.get_data(as_text=True).splitlines()
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert any(line.startswith("'=HYPERLINK(evil)") for line in lines)
    assert len(lines) == 1 + 3  # the header, and every active agency (the reviewer's own too)


def test_a_periods_status_comes_from_its_dates_or_being_closed(app):
    assert make_return_period("Open").status == "open"
    assert make_return_period("Closed", closed=True).status == "closed"
    upcoming = make_return_period("Upcoming")
    upcoming.opens_on = upcoming.due_on
    assert upcoming.status == "upcoming"
