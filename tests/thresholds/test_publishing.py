from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.dates import today
from app.db_types import utcnow
from app.extensions import db
from app.thresholds.models import AgencyAcknowledgement, ThresholdDocument, ThresholdVersion
from tests.factories import make_threshold_document, make_user
from tests.thresholds.test_editing import current_draft, draft_post_data, new_draft


def versions(slug="doc"):
    db.session.expire_all()
    document = db.session.scalar(select(ThresholdDocument).where(ThresholdDocument.slug == slug))
    return {v.number: v for v in document.versions}


def publish_data(lock_version, day=None):
    """The check-your-answers form as a browser posts it: the date in three boxes."""
    day = day or today()
    return {"lock_version": lock_version, "effective_from": [str(day.day), str(day.month), str(day.year)]}


def prepare_publishable_draft(client):
    draft = new_draft(client)
    data = draft_post_data(
        draft,
        summary_of_amendments="Notts Connect becomes the single front door.",
        **{"pathways-0-service_name": "MASH via Notts Connect"},
    )
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    return current_draft("doc")


def test_publishing_supersedes_the_old_version_restarts_acknowledgements_and_is_audited(app, client, as_role):
    admin = as_role("admin")
    lead = make_user(role="agency_lead")
    draft = prepare_publishable_draft(client)
    v1 = versions()[1]
    db.session.add(
        AgencyAcknowledgement(version_id=v1.id, agency_id=lead.agency_id, acknowledged_by_id=lead.id)
    )
    db.session.commit()

    response = client.post("/thresholds/doc/publish", data=publish_data(draft.lock_version))
    assert response.status_code == 303
    after = versions()
    assert (after[1].state, after[2].state) == ("superseded", "current")
    assert after[2].effective_from == today() and after[2].published_by_id == admin.id
    # The agency acknowledged version 1, not version 2: it must acknowledge again.
    assert (
        db.session.scalars(
            select(AgencyAcknowledgement).where(AgencyAcknowledgement.version_id == after[2].id)
        ).all()
        == []
    )
    event_ = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "threshold.publish")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert (event_.before["current_version"], event_.after["published_version"]) == (1, 2)
    assert event_.after["effective_from"] == today().isoformat()

    page = client.get("/thresholds/doc").get_data(as_text=True)
    assert "Version 2" in page and "MASH via Notts Connect" in page
    old = client.get("/thresholds/doc/versions/1").get_data(as_text=True)
    assert "which has been replaced" in old


def test_publishing_is_refused_with_reasons_and_changes_nothing(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)  # a fresh draft has no summary of amendments
    response = client.post("/thresholds/doc/publish", data=publish_data(draft.lock_version))
    assert response.status_code == 422
    assert "Write a summary of the key amendments before publishing" in response.get_data(as_text=True)
    assert (versions()[1].status, versions()[2].status) == ("published", "draft")


def test_next_review_date_must_be_in_the_future(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    draft.next_review_date = (utcnow() - timedelta(days=1)).date()
    db.session.commit()
    response = client.post("/thresholds/doc/publish", data=publish_data(draft.lock_version))
    assert response.status_code == 422
    assert "must be in the future" in response.get_data(as_text=True)


def test_publishing_a_draft_changed_since_it_was_viewed_is_refused(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    stale = draft.lock_version - 1
    response = client.post("/thresholds/doc/publish", data=publish_data(stale))
    assert response.status_code == 409
    assert "The draft was changed after you opened this page" in response.get_data(as_text=True)
    assert versions()[2].status == "draft"


def test_publishing_twice_publishes_once(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    lock = draft.lock_version
    assert client.post("/thresholds/doc/publish", data=publish_data(lock)).status_code == 303
    assert client.post("/thresholds/doc/publish", data=publish_data(lock)).status_code == 404
    db.session.expire_all()
    published = db.session.scalars(
        select(ThresholdVersion)
        .where(ThresholdVersion.status == "published")
        .order_by(ThresholdVersion.number)  # PostgreSQL gives updated rows back in any order
    ).all()
    assert [(v.number, v.state) for v in published] == [(1, "superseded"), (2, "current")]


def test_compare_shows_word_changes_and_added_parts(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(
        draft,
        **{
            "pathways-0-steps": "Refer the same day through the MASH.",
            "pathways-2-concern": "Private fostering",
            "pathways-2-level": "2",
            "pathways-2-title": "Private fostering arrangements",
            "pathways-2-steps": "Notify children's social care.",
            "sections-0-remove": "y",
        },
    )
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    page = client.get("/thresholds/doc/compare?from=1&to=2").get_data(as_text=True)
    assert "Pathway: Neglect, level 4" in page
    assert "through the MASH." in page and "<ins>" in page
    assert "Pathway: Private fostering, level 2" in page and "Added" in page
    assert "Section A: A continuum of need" in page and "Removed" in page


def test_drafts_are_not_comparable_by_partners(app, client, as_role):
    make_threshold_document(slug="doc")
    admin = make_user(role="admin")
    from app.thresholds.services import start_draft

    start_draft(db.session.scalar(select(ThresholdDocument)), actor=admin)
    db.session.commit()
    as_role("partner")
    response = client.get("/thresholds/doc/compare?from=1&to=2")
    assert response.status_code == 302  # only one version they may read: nothing to compare
    assert client.get("/thresholds/doc/versions/2").status_code == 404


def test_the_services_refuse_non_admins(app):
    import pytest

    from app.errors import NotAllowed
    from app.thresholds.services import create_document, publish_version

    partner = make_user(role="partner")
    with pytest.raises(NotAllowed):
        create_document(title="X", slug="x", is_public=True, actor=partner)
    make_threshold_document(slug="doc", published=False)
    draft = db.session.scalar(select(ThresholdVersion))
    with pytest.raises(NotAllowed):
        publish_version(draft, loaded_version=draft.lock_version, actor=make_user(role="trust_member"))
    assert versions()[1].status == "draft"


def test_publishing_after_someone_else_saved_the_draft_is_refused(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    seen = draft.lock_version
    # Another admin saves the draft after this one opened the publish button.
    data = draft_post_data(draft, summary_of_amendments="Changed by someone else.")
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    response = client.post("/thresholds/doc/publish", data=publish_data(seen))
    assert response.status_code == 409
    assert "The draft was changed after you opened this page" in response.get_data(as_text=True)
    assert versions()[2].status == "draft"


# --- Check your answers, and the date it takes effect ---------------------------------------------


def days(n):
    return today() + timedelta(days=n)


def travel_to(monkeypatch, day):
    """The partnership's today, for code that asks app.dates (directly or as imported)."""
    monkeypatch.setattr("app.dates.today", lambda: day)
    monkeypatch.setattr("app.thresholds.models.today", lambda: day)
    monkeypatch.setattr("app.thresholds.services.today", lambda: day)


def test_publishing_starts_with_checking_what_changed_and_when(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    editor = client.get("/thresholds/doc/edit").get_data(as_text=True)
    assert 'href="/thresholds/doc/publish"' in editor and "Publish version" not in editor
    page = client.get("/thresholds/doc/publish").get_data(as_text=True)
    assert "Check and publish version 2" in page
    assert "Since version 1 (current):" in page and "2 changed, 0 added, 0 removed." in page
    assert "<li>Summary of key amendments</li>" in page and "<li>Pathway: Neglect, level 4</li>" in page
    assert "Notts Connect becomes the single front door." in page
    assert f'name="effective_from" type="text" value="{today().day:02d}"' in page  # today, to start with
    assert f'name="lock_version" type="hidden" value="{draft.lock_version}"' in page
    assert ">\n  Publish version 2\n<" in page or "Publish version 2</button>" in page
    assert versions()[2].status == "draft"  # looking publishes nothing


def test_a_draft_that_is_not_ready_shows_what_to_do_instead_of_the_button(app, client, as_role):
    as_role("admin")
    new_draft(client)
    page = client.get("/thresholds/doc/publish").get_data(as_text=True)
    assert "Before you can publish this draft:" in page
    assert "Write a summary of the key amendments before publishing" in page
    assert 'name="effective_from"' not in page


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member", "programme_manager"])
def test_only_admins_see_the_check_page(app, client, as_role, role):
    make_threshold_document(slug="doc", published=False)
    as_role(role)
    assert client.get("/thresholds/doc/publish").status_code == 403


def test_a_version_published_for_a_later_date_is_scheduled_until_then(app, client, as_role, monkeypatch):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    response = client.post("/thresholds/doc/publish", data=publish_data(draft.lock_version, days(14)))
    assert response.status_code == 303 and response.headers["Location"] == "/thresholds/doc/versions/2"
    banner = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"is published and takes effect on {days(14):%-d %B %Y}" in banner
    assert (
        "Version 2 · Scheduled" in banner and f"This version takes effect on {days(14):%-d %B %Y}" in banner
    )
    assert [(v.number, v.state) for v in versions().values()] == [(1, "current"), (2, "scheduled")]

    reader = app.test_client()
    page = reader.get("/thresholds/doc").get_data(as_text=True)
    assert "Version 1 · Current" in page and "MASH via Notts Connect" not in page
    assert '<td class="govuk-table__cell">Scheduled</td>' in page
    assert reader.get("/thresholds/doc/versions/2").status_code == 200  # readers may read ahead
    listing = reader.get("/thresholds/").get_data(as_text=True)
    assert f"Version 2 takes effect on {days(14):%-d %B %Y}." in listing

    travel_to(monkeypatch, days(14))
    page = reader.get("/thresholds/doc").get_data(as_text=True)
    assert "Version 2 · Current" in page and "MASH via Notts Connect" in page
    assert [(v.number, v.state) for v in versions().values()] == [(1, "superseded"), (2, "current")]


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        (["", "", ""], "Enter the date it takes effect"),
        (["31", "2", "2030"], "Enter a real date for it to take effect"),
        (["", "6", "2030"], "Enter a real date for it to take effect"),
        (["x", "y", "z"], "Enter a real date for it to take effect"),
    ],
)
def test_a_missing_or_impossible_date_is_named_and_nothing_is_published(
    app, client, as_role, entered, message
):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    response = client.post(
        "/thresholds/doc/publish", data={"lock_version": draft.lock_version, "effective_from": entered}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and 'href="#effective_from-day"' in page
    assert "<title>Error: Check and publish" in page
    assert versions()[2].status == "draft"


def test_a_date_in_the_past_is_refused(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    response = client.post("/thresholds/doc/publish", data=publish_data(draft.lock_version, days(-1)))
    assert response.status_code == 422
    assert "The date it takes effect must be today or in the future" in response.get_data(as_text=True)
    assert versions()[2].status == "draft"


def test_the_service_refuses_dates_that_would_muddle_which_version_is_current(app):
    from app.errors import RuleBroken
    from app.thresholds.services import publish_version, start_draft

    admin = make_user(role="admin")
    document = make_threshold_document(slug="doc")
    review = document.versions[0].next_review_date

    def next_draft():
        draft = start_draft(db.session.get(ThresholdDocument, document.id), actor=admin)
        draft.summary_of_amendments = "Changes."
        draft.next_review_date = review
        db.session.flush()
        return draft

    v2 = next_draft()
    with pytest.raises(RuleBroken, match="must be today or in the future"):
        publish_version(v2, effective_from=days(-1), loaded_version=v2.lock_version, actor=admin)
    db.session.rollback()
    v2 = next_draft()
    with pytest.raises(RuleBroken, match="must be before the next review date"):
        publish_version(v2, effective_from=review, loaded_version=v2.lock_version, actor=admin)
    db.session.rollback()
    v2 = next_draft()
    publish_version(v2, effective_from=days(30), loaded_version=v2.lock_version, actor=admin)
    db.session.commit()
    # Version 3 cannot take effect before version 2, which was published first.
    v3 = next_draft()
    with pytest.raises(RuleBroken, match=f"on or after {days(30):%-d %B %Y}, when version 2 takes effect"):
        publish_version(v3, effective_from=days(10), loaded_version=v3.lock_version, actor=admin)
    db.session.rollback()
    assert [(v.number, v.state) for v in versions().values()] == [(1, "current"), (2, "scheduled")]


def test_a_new_draft_starts_from_the_scheduled_version(app):
    from app.thresholds.services import publish_version, start_draft

    admin = make_user(role="admin")
    document = make_threshold_document(slug="doc")
    v2 = start_draft(document, actor=admin)
    v2.summary_of_amendments = "Referrals go to the MASH."
    v2.pathways[0].service_name = "The MASH"
    publish_version(v2, effective_from=days(5), loaded_version=v2.lock_version, actor=admin)
    db.session.commit()
    v3 = start_draft(db.session.get(ThresholdDocument, document.id), actor=admin)
    assert v3.pathways[0].service_name == "The MASH"


def test_a_first_version_scheduled_for_later_is_shown_to_readers_as_scheduled(app, client):
    from app.thresholds.services import publish_version

    document = make_threshold_document("Early Help Offer", slug="offer", published=False)
    version = document.versions[0]
    publish_version(
        version, effective_from=days(7), loaded_version=version.lock_version, actor=make_user(role="admin")
    )
    db.session.commit()
    page = client.get("/thresholds/offer").get_data(as_text=True)
    assert "Version 1 · Scheduled" in page and f"This version takes effect on {days(7):%-d %B %Y}." in page
    listing = client.get("/thresholds/").get_data(as_text=True)
    assert f"Version 1 takes effect on {days(7):%-d %B %Y}." in listing and "Not yet published" not in listing
    assert "0 results" in client.get("/thresholds/?q=universal", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )


def test_a_publish_without_the_version_it_was_checked_at_is_refused(app, client, as_role):
    as_role("admin")
    prepare_publishable_draft(client)
    data = publish_data(None)
    del data["lock_version"]
    assert client.post("/thresholds/doc/publish", data=data).status_code == 409
    assert versions()[2].status == "draft"
