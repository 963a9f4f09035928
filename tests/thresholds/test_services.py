"""The threshold services, called directly: who may write, publish and acknowledge; what makes a draft
publishable; and that a refusal raises its own error and writes nothing (docs/MUTATION.md)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.dates import today
from app.errors import NotAllowed, RuleBroken, StaleEdit
from app.extensions import db
from app.thresholds import permissions, services
from app.thresholds.models import (
    AgencyAcknowledgement,
    ReadReceipt,
    ThresholdVersion,
    draft_version,
    published_version,
)
from tests.factories import make_threshold_document, make_user, reload
from tests.service_checks import audit_actions, count, refused

NOT_ADMINS = ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead"]
ROLES = [*NOT_ADMINS, "admin"]


def empty_content(summary="Changed") -> services.DraftContent:
    return services.DraftContent(
        summary_of_amendments=summary, next_review_date=None, sections=[], levels=[], pathways=[]
    )


@pytest.fixture
def admin(app):
    return make_user(role="admin")


@pytest.fixture
def document(admin):
    """A document whose version 1 is published."""
    return make_threshold_document(slug="doc", admin=admin)


def start_second_version(document, admin) -> ThresholdVersion:
    draft = services.start_draft(document, actor=admin)
    draft.summary_of_amendments = "Pathways updated."
    db.session.commit()
    return draft


# --- Who may do what -------------------------------------------------------------------------


def test_admins_write_and_publish_agency_leads_acknowledge_the_trust_and_programme_manager_oversee(app):
    users = {role: make_user(role=role) for role in ROLES}

    def holders(permission):
        return {role for role, user in users.items() if permission.allows(user)}

    assert holders(permissions.WRITE) == {"admin"}
    assert holders(permissions.PUBLISH) == {"admin"}
    assert holders(permissions.ACKNOWLEDGE) == {"agency_lead"}
    assert holders(permissions.SEE_ACKNOWLEDGEMENTS) == {"admin", "trust_member", "programme_manager"}


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_create_documents(app, role):
    user = make_user(role=role)
    with refused(NotAllowed):
        services.create_document(title="Thresholds", slug="thresholds", is_public=True, actor=user)


def test_a_new_document_starts_as_a_draft_with_the_default_sections_and_four_levels(admin):
    document = services.create_document(title="Thresholds", slug="thresholds", is_public=False, actor=admin)
    db.session.commit()
    draft = draft_version(document.id)
    assert (draft.number, [s.code for s in draft.sections]) == (1, ["A", "B", "C", "D"])
    assert [level.level for level in draft.levels] == [1, 2, 3, 4]
    assert published_version(document.id) is None


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_change_a_documents_settings(document, role):
    user = make_user(role=role)
    with refused(NotAllowed):
        services.update_document_settings(document, title="Renamed", is_public=False, actor=user)
    assert reload(document).title == "Pathway to Provision"


def test_changed_settings_are_audited_and_unchanged_ones_are_not(document, admin):
    services.update_document_settings(document, title=document.title, is_public=True, actor=admin)
    assert audit_actions().count("threshold.settings") == 0
    services.update_document_settings(document, title=document.title, is_public=False, actor=admin)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "threshold.settings"))
    assert (event.before["is_public"], event.after["is_public"]) == (True, False)


# --- Drafts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_start_drafts(document, role):
    user = make_user(role=role)
    with refused(NotAllowed):
        services.start_draft(document, actor=user)


def test_a_new_draft_copies_the_published_version(document, admin):
    draft = services.start_draft(document, actor=admin)
    current = published_version(document.id)
    assert (draft.number, draft.status, draft.next_review_date) == (2, "draft", current.next_review_date)
    assert [p.title for p in draft.pathways] == [p.title for p in current.pathways]


@pytest.mark.parametrize("published", [True, False])
def test_a_second_draft_is_refused(admin, published):
    document = make_threshold_document(slug="doc", published=published, admin=admin)
    if published:
        services.start_draft(document, actor=admin)
        db.session.commit()
    with refused(RuleBroken, match="already a draft"):
        services.start_draft(document, actor=admin)
    assert count(ThresholdVersion) == (2 if published else 1)


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_save_drafts(admin, role):
    document = make_threshold_document(slug="doc", published=False, admin=admin)
    draft, user = draft_version(document.id), make_user(role=role)
    with refused(NotAllowed):
        services.save_draft(draft, empty_content(), loaded_version=draft.lock_version, actor=user)


def test_a_published_version_cannot_be_edited(document, admin):
    current = published_version(document.id)
    with refused(RuleBroken, match="Only a draft can be edited"):
        services.save_draft(current, empty_content(), loaded_version=current.lock_version, actor=admin)
    assert reload(current).summary_of_amendments == "First version agreed by the board."


@pytest.mark.parametrize("loaded", [None, "earlier"])
def test_saving_a_draft_from_a_stale_form_is_refused(admin, loaded):
    document = make_threshold_document(slug="doc", published=False, admin=admin)
    draft = draft_version(document.id)
    seen = draft.lock_version - 1 if loaded == "earlier" else None
    with refused(StaleEdit):
        services.save_draft(draft, empty_content("Overwrite"), loaded_version=seen, actor=admin)
    assert reload(draft).summary_of_amendments == "First version agreed by the board."


# --- Publishing ------------------------------------------------------------------------------


@pytest.fixture
def draft(admin) -> ThresholdVersion:
    """A complete, publishable draft (version 1)."""
    document = make_threshold_document(slug="doc", published=False, admin=admin)
    return draft_version(document.id)


def test_a_complete_draft_has_no_problems(draft):
    assert services.publication_problems(draft) == []


def test_a_draft_needs_a_summary_of_amendments(draft):
    draft.summary_of_amendments = "  "
    assert services.publication_problems(draft) == ["Write a summary of the key amendments before publishing"]


def test_a_draft_needs_a_next_review_date_in_the_future(draft):
    draft.next_review_date = None
    assert services.publication_problems(draft) == ["Set a next review date before publishing"]
    for past in (today(), today() - timedelta(days=1)):
        draft.next_review_date = past
        assert services.publication_problems(draft) == ["The next review date must be in the future"]
    draft.next_review_date = today() + timedelta(days=1)
    assert services.publication_problems(draft) == []


def test_a_draft_needs_all_four_levels_each_with_an_indicator(draft):
    draft.levels[0].indicators = []
    assert services.publication_problems(draft) == ["Every level of need needs at least one indicator"]
    draft.levels = draft.levels[1:]
    assert services.publication_problems(draft) == ["All four levels of need must be described"]


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_publish(draft, role):
    user = make_user(role=role)
    with refused(NotAllowed):
        services.publish_version(draft, loaded_version=draft.lock_version, actor=user)
    assert reload(draft).status == "draft"


def test_a_published_version_cannot_be_published_again(document, admin):
    current = published_version(document.id)
    with refused(RuleBroken, match="already been published"):
        services.publish_version(current, loaded_version=current.lock_version, actor=admin)


@pytest.mark.parametrize("loaded", [None, "earlier"])
def test_publishing_a_draft_changed_since_it_was_opened_is_refused(draft, admin, loaded):
    seen = draft.lock_version - 1 if loaded == "earlier" else None
    with refused(StaleEdit, match="The draft was changed after you opened it"):
        services.publish_version(draft, loaded_version=seen, actor=admin)
    assert reload(draft).status == "draft"


def test_a_draft_with_problems_is_not_published(draft, admin):
    draft.summary_of_amendments = ""
    db.session.commit()
    with refused(RuleBroken, match="Write a summary of the key amendments"):
        services.publish_version(draft, loaded_version=draft.lock_version, actor=admin)
    assert reload(draft).status == "draft"


def test_publishing_supersedes_the_current_version(document, admin):
    first = published_version(document.id)
    second = start_second_version(document, admin)
    previous = services.publish_version(second, loaded_version=second.lock_version, actor=admin)
    db.session.commit()
    assert previous is first
    assert (reload(first).state, reload(second).state) == ("superseded", "current")


def test_the_first_publication_supersedes_nothing(draft, admin):
    assert services.publish_version(draft, loaded_version=draft.lock_version, actor=admin) is None
    assert (draft.status, draft.published_by_id) == ("published", admin.id)


# --- Acknowledgements and read receipts --------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["partner", "trust_member", "programme_manager", "participation_lead", "admin"]
)
def test_only_agency_leads_acknowledge(document, role):
    current, user = published_version(document.id), make_user(role=role)
    with refused(NotAllowed):
        services.acknowledge_for_agency(current, user=user)


def test_an_agency_acknowledges_a_version_once(document):
    current = published_version(document.id)
    lead = make_user(role="agency_lead")
    first = services.acknowledge_for_agency(current, user=lead)
    db.session.commit()
    again = services.acknowledge_for_agency(current, user=make_user(role="agency_lead", agency=lead.agency))
    db.session.commit()
    assert again.id == first.id and count(AgencyAcknowledgement) == 1
    assert audit_actions().count("threshold.acknowledge") == 1


def test_only_the_current_version_is_acknowledged_or_marked_read(document, admin):
    first = published_version(document.id)
    second = start_second_version(document, admin)
    lead = make_user(role="agency_lead")

    def refused_for(version):
        with refused(
            RuleBroken, match="Only the current version, or one scheduled to replace it, can be ack"
        ):
            services.acknowledge_for_agency(version, user=lead)
        with refused(
            RuleBroken, match="Only the current version, or one scheduled to replace it, can be mar"
        ):
            services.record_read(version, user=lead)

    refused_for(second)  # a draft
    services.publish_version(second, loaded_version=second.lock_version, actor=admin)
    db.session.commit()
    refused_for(first)  # superseded


def test_a_reader_marks_a_version_read_once(document):
    current, reader = published_version(document.id), make_user()
    first = services.record_read(current, user=reader)
    db.session.commit()
    assert services.record_read(current, user=reader).id == first.id
    db.session.commit()
    assert count(ReadReceipt) == 1 and audit_actions().count("threshold.read") == 1
