"""The partnership's list of words search treats as the same: kept by admins on a small page,
checked, audited, and safe from two people saving at once."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.errors import NotAllowed, RuleBroken, StaleEdit
from app.extensions import db
from app.thresholds.models import SearchSynonyms
from app.thresholds.services import save_synonyms
from tests.factories import make_user

URL = "/thresholds/search-synonyms"


def saved():
    db.session.expire_all()
    return db.session.scalars(select(SearchSynonyms)).all()


def audit_events():
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "threshold.synonyms")
    )


def test_admin_keeps_the_list_and_each_save_is_audited(app, client, as_role):
    as_role("admin")
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="lock_version" type="hidden" value="0"' in page.get_data(as_text=True)

    response = client.post(
        URL,
        data={
            "lock_version": "0",
            "synonyms": "DV , domestic violence,\r\n\r\nMASH, Multi-Agency Safeguarding Hub  ",
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == URL
    (synonyms,) = saved()
    assert synonyms.groups_text == "DV, domestic violence\nMASH, Multi-Agency Safeguarding Hub"
    assert synonyms.lock_version == 1

    response = client.post(URL, data={"lock_version": "1", "synonyms": "CSE, child sexual exploitation"})
    assert response.status_code == 303
    (synonyms,) = saved()
    assert (synonyms.groups_text, synonyms.lock_version) == ("CSE, child sexual exploitation", 2)
    event_ = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "threshold.synonyms")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert event_.before == {"synonyms": "DV, domestic violence\nMASH, Multi-Agency Safeguarding Hub"}
    assert event_.after == {"synonyms": "CSE, child sexual exploitation"}
    assert "Last changed by" in client.get(URL).get_data(as_text=True)


@pytest.mark.parametrize(
    "role", ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead"]
)
def test_only_admins_change_the_list(app, client, as_role, role):
    as_role(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"lock_version": "0", "synonyms": "a, b"}).status_code == 403
    assert saved() == []


def test_a_list_that_cannot_work_is_refused_with_the_reason_and_nothing_is_saved(app, client, as_role):
    as_role("admin")
    response = client.post(URL, data={"lock_version": "0", "synonyms": "DV, domestic violence\nCSE"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Line 2 has only one word or phrase" in page and 'href="#synonyms"' in page
    assert "DV, domestic violence\nCSE</textarea>" in page  # the admin's words are kept
    assert saved() == [] and audit_events() == 0


def test_two_admins_saving_at_once_cannot_overwrite_each_other(app, client, as_role):
    as_role("admin")
    assert (
        client.post(URL, data={"lock_version": "0", "synonyms": "DV, domestic violence"}).status_code == 303
    )
    # A second admin had the page open before there was a list.
    response = client.post(URL, data={"lock_version": "0", "synonyms": "CP, child protection"})
    assert response.status_code == 409
    assert "Someone else saved the list while you were editing it" in response.get_data(as_text=True)
    # And one who loaded version 1 after a third saved version 2.
    assert (
        client.post(URL, data={"lock_version": "1", "synonyms": "FGM, female genital mutilation"}).status_code
        == 303
    )
    assert client.post(URL, data={"lock_version": "1", "synonyms": "CP, child protection"}).status_code == 409
    assert saved()[0].groups_text == "FGM, female genital mutilation"


def test_the_service_checks_who_is_asking_and_what_they_send(app):
    with pytest.raises(NotAllowed):
        save_synonyms("DV, domestic violence", loaded_version=0, actor=make_user(role="trust_member"))
    admin = make_user(role="admin")
    with pytest.raises(RuleBroken, match="Line 1 has only one word"):
        save_synonyms("DV", loaded_version=0, actor=admin)
    with pytest.raises(StaleEdit):
        save_synonyms("DV, domestic violence", loaded_version=1, actor=admin)  # there is no list yet
    db.session.rollback()
    assert saved() == [] and audit_events() == 0
    save_synonyms("DV, domestic violence", loaded_version=0, actor=admin)
    db.session.commit()
    with pytest.raises(StaleEdit):
        save_synonyms("CP, child protection", loaded_version=0, actor=admin)


def test_a_save_without_the_version_it_was_loaded_at_is_refused(app, client, as_role):
    as_role("admin")
    assert (
        client.post(URL, data={"lock_version": "0", "synonyms": "DV, domestic violence"}).status_code == 303
    )
    assert client.post(URL, data={"synonyms": "CP, child protection"}).status_code == 409
    assert saved()[0].groups_text == "DV, domestic violence"


def test_an_empty_post_saves_nothing(app, client, as_role):
    as_role("admin")
    assert (
        client.post(URL, data={"lock_version": "0", "synonyms": "DV, domestic violence"}).status_code == 303
    )
    assert client.post(URL).status_code == 409
    assert saved()[0].groups_text == "DV, domestic violence"
