from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.db_types import utcnow
from app.extensions import db
from app.thresholds.models import AgencyAcknowledgement, ThresholdDocument, ThresholdVersion
from tests.factories import make_threshold_document, make_user
from tests.thresholds.test_editing import current_draft, draft_post_data, new_draft


def versions(slug="doc"):
    db.session.expire_all()
    document = db.session.scalar(select(ThresholdDocument).where(ThresholdDocument.slug == slug))
    return {v.number: v for v in document.versions}


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

    response = client.post("/thresholds/doc/publish", data={"lock_version": draft.lock_version})
    assert response.status_code == 303
    after = versions()
    assert (after[1].status, after[2].status) == ("superseded", "published")
    assert after[1].superseded_at is not None and after[2].published_by_id == admin.id
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
    assert (event_.before["current_version"], event_.after["current_version"]) == (1, 2)

    page = client.get("/thresholds/doc").get_data(as_text=True)
    assert "Version 2" in page and "MASH via Notts Connect" in page
    old = client.get("/thresholds/doc/versions/1").get_data(as_text=True)
    assert "which has been replaced" in old


def test_publishing_is_refused_with_reasons_and_changes_nothing(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)  # a fresh draft has no summary of amendments
    response = client.post("/thresholds/doc/publish", data={"lock_version": draft.lock_version})
    assert response.status_code == 422
    assert "Write a summary of the key amendments before publishing" in response.get_data(as_text=True)
    assert (versions()[1].status, versions()[2].status) == ("published", "draft")


def test_next_review_date_must_be_in_the_future(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    draft.next_review_date = (utcnow() - timedelta(days=1)).date()
    db.session.commit()
    response = client.post("/thresholds/doc/publish", data={"lock_version": draft.lock_version})
    assert response.status_code == 422
    assert "must be in the future" in response.get_data(as_text=True)


def test_publishing_a_draft_changed_since_it_was_viewed_is_refused(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    stale = draft.lock_version - 1
    response = client.post("/thresholds/doc/publish", data={"lock_version": stale}, follow_redirects=True)
    assert "The draft was changed after you opened it" in response.get_data(as_text=True)
    assert versions()[2].status == "draft"


def test_publishing_twice_publishes_once(app, client, as_role):
    as_role("admin")
    draft = prepare_publishable_draft(client)
    lock = draft.lock_version
    assert client.post("/thresholds/doc/publish", data={"lock_version": lock}).status_code == 303
    assert client.post("/thresholds/doc/publish", data={"lock_version": lock}).status_code == 404
    published = db.session.scalars(
        select(ThresholdVersion).where(ThresholdVersion.status == "published")
    ).all()
    assert [v.number for v in published] == [2]


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
    response = client.post("/thresholds/doc/publish", data={"lock_version": seen}, follow_redirects=True)
    assert "The draft was changed after you opened it" in response.get_data(as_text=True)
    assert versions()[2].status == "draft"
