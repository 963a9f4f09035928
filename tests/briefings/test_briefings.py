"""Briefings: published by the project team with sanitised words, shown to their audience (by
role and kind of agency) on the home page until read, with read counts by agency for the
programme manager."""

import pytest
from sqlalchemy import func, select

from app.auth.models import AgencyKind
from app.briefings.models import Briefing, BriefingRead
from app.briefings.services import mark_read, publish_briefing, reads_by_agency, unread_briefings
from app.errors import NotAllowed, RuleBroken
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import make_agency, make_user
from tests.inspection.helpers import signed_in_client


def _publish(pm, **changes):
    values = dict(
        title="The inspection is coming", body="Inspectors give **10 days'** notice.", roles=[], kinds=[]
    )
    values.update(changes)
    briefing = publish_briefing(user=pm, **values)
    db.session.commit()
    return briefing


def test_a_briefing_is_sanitised_and_its_audience_told(app):
    pm = make_user(role="programme_manager")
    police = make_user(role="partner", agency=make_agency(kind=AgencyKind.POLICE))
    nurse = make_user(role="partner", agency=make_agency(kind=AgencyKind.HEALTH))
    trust = make_user(role="trust_member", agency=make_agency(kind=AgencyKind.HEALTH))
    briefing = _publish(
        pm, body="<script>alert(1)</script>Read **this**", roles=["partner"], kinds=[str(AgencyKind.HEALTH)]
    )
    assert "<script" not in briefing.body_html and "<strong>this</strong>" in briefing.body_html
    told = set(db.session.scalars(select(Notification.recipient_id)))
    assert told == {nurse.id}
    assert [b.id for b in unread_briefings(nurse)] == [briefing.id]
    assert unread_briefings(police) == [] and unread_briefings(trust) == []


def test_briefing_rules(app):
    pm = make_user(role="programme_manager")
    with pytest.raises(RuleBroken, match="Enter the briefing"):
        _publish(pm, body="<script></script>")
    with pytest.raises(RuleBroken, match="Choose roles"):
        _publish(pm, roles=["superuser"])
    with pytest.raises(RuleBroken, match="kinds of agency"):
        _publish(pm, kinds=["army"])
    with pytest.raises(NotAllowed):
        _publish(make_user(role="agency_lead"))


def test_shown_on_the_home_page_until_read_and_counted_by_agency(app):
    pm = make_user(role="programme_manager")
    briefing = _publish(pm, title="Case tracking: what staff need to know")
    reader = signed_in_client(app, "partner")
    assert "Case tracking: what staff need to know" in reader.get("/").get_data(as_text=True)
    assert reader.post(f"/briefings/{briefing.id}/read").status_code == 303
    assert reader.post(f"/briefings/{briefing.id}/read").status_code == 303  # twice is once
    assert "Case tracking" not in reader.get("/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BriefingRead)) == 1
    assert reads_by_agency(briefing) == [(reader.user.agency.name, 1)]
    manager = signed_in_client(app, "programme_manager")
    page = manager.get(f"/briefings/{briefing.id}").get_data(as_text=True)
    assert "Read by agency" in page and reader.user.agency.name in page
    assert "Read by agency" not in reader.get(f"/briefings/{briefing.id}").get_data(as_text=True)


def test_a_briefing_for_others_is_not_found(app):
    pm = make_user(role="programme_manager")
    briefing = _publish(pm, roles=["trust_member"])
    partner = signed_in_client(app, "partner")
    assert partner.get(f"/briefings/{briefing.id}").status_code == 404
    assert briefing.title not in partner.get("/briefings/").get_data(as_text=True)
    with pytest.raises(NotAllowed):
        mark_read(briefing, user=None)


def test_publishing_through_the_page_once(app):
    manager = signed_in_client(app, "programme_manager")
    data = {
        "title": "Fieldwork starts on Monday",
        "body": "Be ready.",
        "roles": ["partner"],
        "submission_token": "b" * 24,
    }
    assert manager.post("/briefings/new", data=data).status_code == 303
    assert manager.post("/briefings/new", data=data).status_code == 303
    assert db.session.scalar(select(func.count(Briefing.id))) == 1
    empty = manager.post("/briefings/new", data={**data, "title": "", "submission_token": "c" * 24})
    assert empty.status_code == 422 and "Enter a title" in empty.get_data(as_text=True)
    assert signed_in_client(app, "agency_lead").get("/briefings/new").status_code == 403
