"""Query budgets: each key page runs a fixed number of SQL statements, whatever the data's size.

Measured on the demo partnership, then again after `flask demo scale` has added hundreds of
agencies and thousands of staff, actions and updates: the count must not move, and must stay
within the page's budget. An N+1 query fails here, not only in `make bench`.
"""

import pytest

from tests.querycount import count_queries

SLUG = "pathway-to-provision"

# (path, role, htmx fragment?) → the SQL statements the page runs (session and user: 1 of them;
# on home pages, 1 more for the banner asking staff to read a new version of the thresholds, and
# 1 for the safer-recruitment returns panel: an agency's outstanding return, or those to review;
# 2 more: your own inspection schedule, and briefings you have not read).
BUDGETS = {
    ("/", "partner", False): 8,
    ("/", "agency_lead", False): 9,
    # Trust members, the programme manager and admins: one more for the challenges to follow up.
    ("/", "trust_member", False): 9,
    # The programme manager also sees which agencies have acknowledged the thresholds (2 more).
    ("/", "programme_manager", False): 10,
    ("/", "participation_lead", False): 5,
    ("/", "admin", False): 12,
    # The document with its versions and who published each (one; the current version found
    # among them), the agency's acknowledgement with the reader's receipt (one); the body's
    # sections, levels, indicators and pathways (5: kept per process with REPORT_CACHE on, see
    # KEPT_BUDGETS).
    (f"/thresholds/{SLUG}", "partner", False): 8,
    ("/thresholds/?q=neglect", "partner", False): 4,
    ("/thresholds/?q=neglect", "partner", True): 4,
    ("/actions/?rag=red", "trust_member", False): 6,
    ("/actions/?rag=red", "trust_member", True): 4,
    ("/actions/?agency=1&overdue=1", "agency_lead", False): 6,
    ("/programme/", "trust_member", False): 4,
    # Adding an action: every active agency, three times (the owner's choices and options, the
    # contributors' choices: one kept list with REPORT_CACHE on), and every project.
    ("/actions/new", "programme_manager", False): 5,
    ("/people", "partner", False): 4,
    ("/admin/users", "admin", False): 4,
    # The newest event (what the kinds below are kept under with REPORT_CACHE on), the kinds of
    # event and of record (the filters), the page's events, their count, and every record the page
    # names with every agency and project its changes name, in one.
    ("/admin/audit/", "admin", False): 7,
    # The triage queue: the total, how many are waiting and how many are new, then the page's rows
    # from whichever parts it overlaps, in one statement.
    ("/feedback/", "participation_lead", False): 5,
    ("/feedback/summary", "trust_member", False): 8,
    # Every module's numbers, each from its own queries (programme 9: the exceptions are counted,
    # the worst ten found, then loaded with their latest updates; thresholds 4, young people 7,
    # returns 3: the current period by status and kind, and compliance in each period). With
    # REPORT_CACHE on (not in tests), one more asks for the newest audit event, and what it keeps
    # (the aggregates, the exceptions' ids) is not asked again.
    ("/progress/", "trust_member", False): 26,
    ("/progress/?kind=school", "trust_member", True): 25,
    # The partnership view: the periods, then a page of agencies (count, page) and their returns.
    ("/returns/", "trust_member", False): 5,
    ("/returns/?status=submitted", "trust_member", True): 5,
    ("/returns/", "agency_lead", False): 4,
    ("/returns/periods/", "programme_manager", False): 3,
    ("/inspection/", "programme_manager", False): 5,
    ("/inspection/self-assessment/", "trust_member", False): 4,
    ("/inspection/evidence/", "agency_lead", False): 5,
    ("/inspection/schedule/", "programme_manager", False): 5,
    ("/inspection/schedule/?by=room", "partner", False): 5,
    ("/briefings/", "programme_manager", False): 4,
    ("/briefings/", "partner", False): 3,
}
ACCOUNTS = {
    "partner": "police@demo.test",
    "agency_lead": "police.lead@demo.test",
    "trust_member": "trust@demo.test",
    "programme_manager": "pm@demo.test",
    "participation_lead": "participation@demo.test",
    "admin": "admin@demo.test",
}


def _measure(app, role, budgets=None) -> dict:
    from app.admin.demo import DEMO_PASSWORD

    client = app.test_client()
    response = client.post("/login", data={"email": ACCOUNTS[role], "password": DEMO_PASSWORD})
    assert response.status_code == 303
    counts = {}
    for (path, budget_role, fragment), _budget in (budgets or BUDGETS).items():
        if budget_role != role:
            continue
        headers = {"HX-Request": "true"} if fragment else {}
        client.get(path, headers=headers)  # once, so first-time work is not counted
        page = (path, role, fragment)
        counts[page] = count_queries(app, lambda p=path, h=headers: client.get(p, headers=h))
    return counts


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_key_pages_run_a_fixed_number_of_queries_at_any_scale(app, role):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    demo = _measure(app, role)
    result = runner.invoke(
        args=["demo", "scale", "--agencies", "120", "--users", "600", "--actions", "800", "--updates", "4000"]
        + ["--returns", "300", "--feedback", "3000", "--audit-events", "3000"]
    )
    assert result.exit_code == 0, result.output
    scaled = _measure(app, role)
    assert scaled == demo, "a page's query count grew with the data"
    over = {page: n for page, n in scaled.items() if n > BUDGETS[page]}
    assert over == {}, f"over budget: {over}"


# With REPORT_CACHE on, as served (app/report_cache.py): what is kept until the next audit event
# is not asked again, and each page asks once for the newest audit event's id instead, in the
# statement that loads the session and user (1 in all; a POST asks for it after its write). A
# home page then runs only its live panels (young people's messages: 1, the administration
# panel: 1). Kept: the thresholds document's body (5 fewer) and search results (shown in place of
# the list of documents, which is not asked for), a page of the actions list and of the returns
# view for each person (the returns view then asks only for its periods), the timetable's days
# and each day's timetable, the programme page, a page of the triage queue as HTML, readiness's figures
# and areas as HTML, the young people's summary, the dashboard's numbers as HTML, and a page of
# the audit trail as HTML.
KEPT_BUDGETS = {
    ("/", "partner", False): 1,
    ("/", "agency_lead", False): 1,
    ("/", "trust_member", False): 1,
    ("/", "programme_manager", False): 1,
    ("/", "participation_lead", False): 2,
    ("/", "admin", False): 3,
    (f"/thresholds/{SLUG}", "partner", False): 3,
    ("/thresholds/?q=neglect", "partner", False): 1,
    ("/thresholds/?q=neglect", "partner", True): 1,
    ("/actions/?rag=red", "trust_member", False): 1,
    ("/actions/?rag=red", "trust_member", True): 1,
    ("/returns/", "trust_member", False): 2,
    ("/returns/?status=submitted", "trust_member", True): 2,
    ("/programme/", "trust_member", False): 1,
    ("/actions/new", "programme_manager", False): 1,
    ("/feedback/", "participation_lead", False): 1,
    ("/feedback/summary", "trust_member", False): 1,
    ("/progress/", "trust_member", False): 1,
    ("/progress/?kind=school", "trust_member", True): 1,
    ("/inspection/", "programme_manager", False): 1,
    ("/inspection/schedule/", "programme_manager", False): 1,
    # The last event on the chain; the kinds and the page of events (rows, count, words) are kept.
    ("/admin/audit/", "admin", False): 2,
}


def test_kept_numbers_and_html_spare_their_queries(app):
    from app.report_cache import forget_all

    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    app.config["REPORT_CACHE"] = True
    forget_all()
    try:
        counts = {}
        for role in ACCOUNTS:
            counts.update(_measure(app, role, KEPT_BUDGETS))
    finally:
        app.config["REPORT_CACHE"] = False
        forget_all()
    over = {page: n for page, n in counts.items() if n > KEPT_BUDGETS[page]}
    assert over == {}, f"over budget: {over}"
    assert counts == KEPT_BUDGETS, "a kept page asks less than its budget: lower the budget"


def test_a_progress_update_posted_runs_eight_statements(app, client, as_role):
    """The session and user; the action (not its contributing agencies, which an update does not
    need); the form's one-time token recorded (one INSERT that does nothing for a token already
    there); the action, the update and the audit event written; the chain's head moved and given
    its new hash. Not read again for the redirect, and the audit event inserted whole."""
    from app.actions.models import ProgressUpdate
    from app.extensions import db
    from tests.factories import make_action, reload
    from tests.querycount import counted_queries

    user = as_role("programme_manager")
    action = make_action()
    form = {
        "lock_version": str(action.lock_version),
        "note": "Checked against the plan",
        "rag": action.rag,
        "percent_complete": "50",
        "status": "in_progress",
        "submission_token": "t" * 24,
    }
    with counted_queries(app) as statements:
        response = client.post(f"/actions/{action.id}/update", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith(f"/actions/{action.id}")
    assert len(statements) == 8, "\n".join(statements)
    assert db.session.query(ProgressUpdate).filter_by(action_id=action.id).count() == 1
    assert reload(action).percent_complete == 50 and user.id
