"""The returns on the Children's Trust review: the dashboard's section, an agency's record, the
board report's numbers; reminders of returns due or overdue; the list pages paginate."""

import html
import re

from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification
from app.returns.notices import reminders
from app.returns.reporting import agency_returns, returns_summary
from tests.factories import make_agency, make_return_period, make_user
from tests.querycount import count_queries
from tests.returns.support import COMPLETE, make_return


def test_the_summary_counts_the_current_period_by_status_and_kind(app):
    period = make_return_period()
    make_return(make_agency("Police", kind="police"), period, status="accepted")
    make_return(
        make_agency("School", kind="school"),
        period,
        status="submitted",
        answers={**COMPLETE, "fully_checked": 5},
    )
    make_return(make_agency("Health", kind="health"), period)  # a draft's numbers are not counted
    make_agency("Council", kind="district_council")
    summary = returns_summary()
    assert summary.period.id == period.id and summary.agencies == 4 and summary.sent == 2
    assert dict((s, n) for s, _, n in summary.by_status) == {
        "not_started": 1,
        "draft": 1,
        "submitted": 1,
        "accepted": 1,
    }
    assert summary.compliance == 65  # (80 + 50) / 2
    by_kind = {row.kind: (row.sent, row.agencies, row.compliance) for row in summary.by_kind}
    assert by_kind["school"] == (1, 1, 50) and by_kind["health"] == (0, 1, None)


def test_the_summary_follows_the_dashboards_filter(app):
    from app.actions.reporting import owners_matching

    period = make_return_period()
    make_return(make_agency("School", kind="school"), period, status="submitted")
    make_return(make_agency("Police", kind="police"), period, status="submitted")
    summary = returns_summary(owners_matching(None, "school"))
    assert summary.agencies == 1 and [row.kind for row in summary.by_kind] == ["school"]


def test_an_agencys_returns_by_period(app):
    school = make_agency(kind="school")
    old = make_return_period("2009/10 Q2", due_in=-60, closed=True)
    make_return_period("Police only", kinds="police")
    current = make_return_period("2009/10 Q3")
    make_return(school, old, status="accepted")
    rows = agency_returns(school.id)
    assert [(row.period.name, row.status) for row in rows] == [
        ("2009/10 Q3", "not_started"),
        ("2009/10 Q2", "accepted"),
    ]
    assert current.id


def test_the_dashboard_and_agency_record_show_the_returns(app, client, as_role):
    period = make_return_period()
    police = make_agency("Nottinghamshire Police", kind="police")
    make_return(police, period, status="accepted")
    as_role("trust_member")
    page = html.unescape(client.get("/progress/").get_data(as_text=True))
    assert "2009/10 Q3, due" in page and "1 of 2 agencies have sent their return" in page
    assert f"/returns/?period={period.id}&amp;status=accepted" in client.get("/progress/").get_data(
        as_text=True
    )
    record = client.get(f"/progress/agencies/{police.id}").get_data(as_text=True)
    assert "2009/10 Q3" in record and "80%" in record


def test_the_agency_record_counts_queries_independently_of_periods(app, client, as_role):
    police = make_agency(kind="police")
    as_role("trust_member")
    make_return(police, make_return_period("Q1"))
    first = count_queries(app, lambda: client.get(f"/progress/agencies/{police.id}"))
    for n in range(4):
        make_return(police, make_return_period(f"Q{n + 2}"), status="accepted")
    assert count_queries(app, lambda: client.get(f"/progress/agencies/{police.id}")) == first


def test_reminders_go_to_agency_leads_once_per_return_and_stage(app):
    period = make_return_period(due_in=5)
    police, school = make_agency(kind="police"), make_agency(kind="school")
    lead = make_user(role="agency_lead", agency=police)
    make_user(role="agency_lead", agency=school)
    make_user(role="partner", agency=police)
    make_return(school, period, status="submitted")
    assert reminders() == 1
    assert reminders() == 0
    db.session.commit()
    notice = db.session.scalar(select(Notification))
    assert notice.recipient_id == lead.id and "due on" in notice.title


def test_the_partnership_view_paginates_with_its_filters(app, client, as_role):
    app.config["PAGE_SIZE"] = 1
    period = make_return_period()
    for n in range(3):
        make_agency(f"School {n}", kind="school")
    as_role("programme_manager")
    body = client.get(f"/returns/?period={period.id}&kind=school&page=2").get_data(as_text=True)
    links = {html.unescape(h) for h in re.findall(r'href="([^"]*[?&](?:amp;)?page=\d+[^"]*)"', body)}
    assert links and all("kind=school" in link and f"period={period.id}" in link for link in links)
    assert "School 1" in body and "School 0" not in body


def test_the_partnership_views_queries_do_not_grow_with_agencies(app, client, as_role):
    period = make_return_period()
    as_role("trust_member")
    make_return(make_agency(), period, status="submitted")
    first = count_queries(app, lambda: client.get("/returns/"))
    for _ in range(6):
        make_return(make_agency(), period, status="accepted")
    assert count_queries(app, lambda: client.get("/returns/")) == first
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_an_overdue_return_is_reminded_again_as_overdue_with_a_link_to_it(app):
    period = make_return_period(due_in=-2)
    police = make_agency(kind="police")
    lead = make_user(role="agency_lead", agency=police)
    ret = make_return(police, period)
    assert reminders() == 1
    db.session.commit()
    notice = db.session.scalar(select(Notification).where(Notification.recipient_id == lead.id))
    assert "overdue" in notice.title and notice.link == f"/returns/{ret.id}"
    assert reminders() == 0


def test_compliance_by_period_is_the_average_of_the_returns_sent_in_each_period_oldest_first(app):
    from sqlalchemy import select as select_

    from app.auth.models import Agency
    from app.returns.reporting import compliance_by_period

    earlier = make_return_period("2009/10 Q2", due_in=-80, closed=True)
    later = make_return_period("2009/10 Q3")
    police, school = make_agency("Police", kind="police"), make_agency("School", kind="school")
    make_return(police, earlier, status="accepted")  # 80%
    make_return(school, earlier, status="accepted", answers={**COMPLETE, "fully_checked": 5})  # 50%
    make_return(police, later, status="submitted")  # 80%
    make_return(school, later)  # a draft: not counted
    rows = compliance_by_period()
    assert [(r.name, r.sent, r.compliance) for r in rows] == [("2009/10 Q2", 2, 65), ("2009/10 Q3", 1, 80)]
    # The dashboard's filter: schools only; a period with none of their returns still shows.
    schools = select_(Agency.id).where(Agency.kind == "school")
    assert [(r.name, r.sent, r.compliance) for r in compliance_by_period(schools)] == [
        ("2009/10 Q2", 1, 50),
        ("2009/10 Q3", 0, None),
    ]
