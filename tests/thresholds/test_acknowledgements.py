import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.thresholds.models import AgencyAcknowledgement, ReadReceipt
from tests.factories import make_agency, make_threshold_document, make_user


def acknowledgements():
    db.session.expire_all()
    return db.session.scalars(select(AgencyAcknowledgement)).all()


def test_agency_lead_acknowledges_for_their_own_agency_once(app, client, as_role):
    police = make_agency("Nottinghamshire Police")
    other = make_agency("NHS Bassetlaw (PCT)")
    make_threshold_document(slug="doc")
    lead = as_role("agency_lead", agency=police)

    page = client.get("/thresholds/doc").get_data(as_text=True)
    assert "Not yet acknowledged" in page and "Confirm for Nottinghamshire Police" in page

    # An agency id smuggled into the form is ignored: the lead speaks only for their agency.
    response = client.post("/thresholds/doc/versions/1/acknowledge", data={"agency_id": other.id})
    assert response.status_code == 303
    client.post("/thresholds/doc/versions/1/acknowledge")  # a double click
    (ack,) = acknowledgements()
    assert (ack.agency_id, ack.acknowledged_by_id) == (police.id, lead.id)
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "threshold.acknowledge")
        )
        == 1
    )
    assert "Acknowledged" in client.get("/thresholds/doc").get_data(as_text=True)


@pytest.mark.parametrize(("role", "verb"), [("agency_lead", "acknowledge"), ("partner", "read")])
def test_after_confirming_the_page_opens_at_the_message(app, client, as_role, role, verb):
    """The redirect has no #fragment: the browser would jump there and take focus away from the
    success banner at the top of the page, which is how a screen reader user learns it worked."""
    make_threshold_document(slug="doc")
    as_role(role)
    response = client.post(f"/thresholds/doc/versions/1/{verb}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/thresholds/doc/versions/1"
    assert "Thank you." in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "role", ["partner", "trust_member", "programme_manager", "participation_lead", "admin"]
)
def test_only_agency_leads_acknowledge_for_an_agency(app, client, as_role, role):
    make_threshold_document(slug="doc")
    as_role(role)
    assert client.post("/thresholds/doc/versions/1/acknowledge").status_code == 403
    assert acknowledgements() == []


def test_anyone_signed_in_records_that_they_have_read_it(app, client, as_role):
    make_threshold_document(slug="doc")
    user = as_role("partner")
    assert client.post("/thresholds/doc/versions/1/read").status_code == 303
    client.post("/thresholds/doc/versions/1/read")
    receipts = db.session.scalars(select(ReadReceipt)).all()
    assert [r.user_id for r in receipts] == [user.id]
    assert "You recorded that you read this version" in client.get("/thresholds/doc").get_data(as_text=True)


def test_anonymous_cannot_acknowledge(app, client):
    make_threshold_document(slug="doc")
    assert client.post("/thresholds/doc/versions/1/read").status_code == 302
    assert db.session.scalar(select(func.count(ReadReceipt.id))) == 0


def supersede_version_one(slug="doc"):
    """Publish version 2 of the document, in effect today: version 1 is superseded."""
    from app.thresholds.models import ThresholdDocument
    from app.thresholds.services import publish_version, start_draft

    admin = make_user(role="admin")
    document = db.session.scalar(select(ThresholdDocument).where(ThresholdDocument.slug == slug))
    draft = start_draft(document, actor=admin)
    draft.summary_of_amendments = "Referrals go to the MASH."
    publish_version(draft, loaded_version=draft.lock_version, actor=admin)
    db.session.commit()
    return draft


@pytest.mark.parametrize(
    ("verb", "message"),
    [
        ("acknowledge", "Only the current version, or one scheduled to replace it, can be acknowledged."),
        ("read", "Only the current version, or one scheduled to replace it, can be marked as read."),
    ],
)
def test_superseded_versions_cannot_be_acknowledged_or_marked_read(app, client, as_role, verb, message):
    make_threshold_document(slug="doc")
    supersede_version_one()
    as_role("agency_lead")
    response = client.post(f"/thresholds/doc/versions/1/{verb}", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert acknowledgements() == []
    assert db.session.scalar(select(func.count(ReadReceipt.id))) == 0


def test_agency_lead_home_page_shows_the_outstanding_acknowledgement_until_done(app, client, as_role):
    make_threshold_document("Pathway to Provision", slug="doc")
    as_role("agency_lead")
    home = client.get("/").get_data(as_text=True)
    assert "Confirm your agency has been briefed on Pathway to Provision (version 1)" in home
    client.post("/thresholds/doc/versions/1/acknowledge")
    home = client.get("/").get_data(as_text=True)
    assert "Confirm your agency has been briefed" not in home
    assert "Your agency has acknowledged every current threshold document" in home


@pytest.mark.parametrize("role", ["admin", "trust_member", "programme_manager"])
def test_admins_and_trust_members_see_which_agencies_have_acknowledged(app, client, as_role, role):
    police, health = make_agency("Nottinghamshire Police"), make_agency("NHS Bassetlaw (PCT)")
    make_threshold_document(slug="doc")
    lead = make_user(role="agency_lead", agency=police, full_name="DI Sarah Bennett")
    client_lead = app.test_client()
    client_lead.post("/login", data={"email": lead.email, "password": "a long test passphrase"})
    client_lead.post("/thresholds/doc/versions/1/acknowledge")

    as_role(role, agency=health)
    page = client.get("/thresholds/doc/versions/1/acknowledgements").get_data(as_text=True)
    assert "DI Sarah Bennett" in page
    table = page[page.index("<tbody") :]
    police_row = table[table.index("Nottinghamshire Police") :][:300]
    health_row = table[table.index("NHS Bassetlaw (PCT)") :][:300]
    assert "Acknowledged" in police_row and "Not yet" in health_row
    assert "have not acknowledged" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["partner", "agency_lead", "participation_lead"])
def test_others_cannot_see_the_acknowledgement_table(app, client, as_role, role):
    make_threshold_document(slug="doc")
    as_role(role)
    assert client.get("/thresholds/doc/versions/1/acknowledgements").status_code == 403


def test_the_service_itself_refuses_acknowledgement_by_anyone_but_an_agency_lead(app):
    from app.errors import NotAllowed
    from app.thresholds.models import ThresholdVersion
    from app.thresholds.services import acknowledge_for_agency

    make_threshold_document(slug="doc")
    version = db.session.scalar(select(ThresholdVersion))
    with pytest.raises(NotAllowed):
        acknowledge_for_agency(version, user=make_user(role="partner"))
    assert acknowledgements() == []


# --- Everyone is asked to read a new version -------------------------------------------------------


def banner_of(client):
    page = client.get("/").get_data(as_text=True)
    if "New thresholds to read" not in page:
        return None
    return page[page.index('class="govuk-notification-banner"') : page.index("Welcome,")]


@pytest.mark.parametrize(
    "role", ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead", "admin"]
)
def test_every_member_of_staff_is_asked_to_read_a_new_version_until_they_have(app, client, as_role, role):
    make_threshold_document("Pathway to Provision", slug="doc")
    user = as_role(role)
    db.session.add(ReadReceipt(version_id=1, user_id=user.id))  # they read version 1 long ago
    db.session.commit()
    assert banner_of(client) is None

    supersede_version_one()
    banner = banner_of(client)
    assert "Read version 2 of Pathway to Provision (in effect since" in banner
    assert 'href="/thresholds/doc/versions/2#acknowledgement"' in banner

    assert client.post("/thresholds/doc/versions/2/read").status_code == 303
    assert banner_of(client) is None


def test_a_version_scheduled_for_later_can_be_read_and_acknowledged_ahead(app, client, as_role):
    from datetime import timedelta

    from app.dates import today
    from app.thresholds.models import ThresholdDocument
    from app.thresholds.services import publish_version, start_draft

    make_threshold_document("Pathway to Provision", slug="doc")
    admin = make_user(role="admin")
    draft = start_draft(db.session.scalar(select(ThresholdDocument)), actor=admin)
    draft.summary_of_amendments = "Referrals go to the MASH."
    effective = today() + timedelta(days=10)
    publish_version(draft, effective_from=effective, loaded_version=draft.lock_version, actor=admin)
    db.session.commit()

    as_role("agency_lead")
    home = client.get("/").get_data(as_text=True)
    when = f"takes effect on {effective:%-d %B %Y}"
    assert f"Read version 2 of Pathway to Provision ({when})" in home
    assert f"Confirm your agency has been briefed on Pathway to Provision (version 2), which {when}" in home
    assert "(version 1)" not in home  # the version about to be replaced is not asked for

    page = client.get("/thresholds/doc/versions/2").get_data(as_text=True)
    assert "Confirm for" in page and "I have read this version" in page
    assert client.post("/thresholds/doc/versions/2/acknowledge").status_code == 303
    assert client.post("/thresholds/doc/versions/2/read").status_code == 303
    assert [a.version_id for a in acknowledgements()] == [draft.id]
    home = client.get("/").get_data(as_text=True)
    assert "New thresholds to read" not in home and "Confirm your agency" not in home


def test_the_home_page_asks_in_a_fixed_number_of_queries(app, client, as_role):
    from tests.thresholds.test_search import count_queries

    as_role("agency_lead")
    make_threshold_document("One", slug="one")
    few = count_queries(app, lambda: client.get("/"))
    for n in range(5):
        make_threshold_document(f"Document {n}", slug=f"doc-{n}")
    assert count_queries(app, lambda: client.get("/")) == few


def test_the_services_refuse_to_record_a_superseded_version(app):
    from app.errors import RuleBroken
    from app.thresholds.models import ThresholdVersion
    from app.thresholds.services import acknowledge_for_agency, record_read

    make_threshold_document(slug="doc")
    supersede_version_one()
    version_one = db.session.scalar(select(ThresholdVersion).where(ThresholdVersion.number == 1))
    with pytest.raises(RuleBroken, match="Only the current version, or one scheduled"):
        acknowledge_for_agency(version_one, user=make_user(role="agency_lead"))
    with pytest.raises(RuleBroken, match="Only the current version, or one scheduled"):
        record_read(version_one, user=make_user(role="partner"))
    db.session.rollback()
    assert acknowledgements() == []
    assert db.session.scalar(select(func.count(ReadReceipt.id))) == 0
