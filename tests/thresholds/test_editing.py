from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.forms import new_token
from app.thresholds.editing import form_data_from_version
from app.thresholds.models import ThresholdDocument, ThresholdVersion, draft_version
from tests.factories import make_threshold_document


def draft_post_data(version, **changes):
    """The editor form as a browser would post it, built from the version's current content."""
    data = form_data_from_version(version)
    flat = {
        "lock_version": data["lock_version"],
        "summary_of_amendments": data["summary_of_amendments"],
        "next_review_date": data["next_review_date"].strftime("%d %m %Y").split()
        if data["next_review_date"]
        else "",
    }
    for i, section in enumerate(data["sections"]):
        for key, value in section.items():
            flat[f"sections-{i}-{key}"] = value
    for i, level in enumerate(data["levels"]):
        for key, value in level.items():
            flat[f"levels-{i}-{key}"] = value
    for i, pathway in enumerate(data["pathways"]):
        for key, value in pathway.items():
            flat[f"pathways-{i}-{key}"] = value
    flat.update(changes)
    return flat


def current_draft(slug):
    db.session.expire_all()
    document = db.session.scalar(select(ThresholdDocument).where(ThresholdDocument.slug == slug))
    return draft_version(document.id)


def new_draft(client, slug="doc"):
    make_threshold_document(slug=slug)
    assert client.post(f"/thresholds/{slug}/versions").status_code == 303
    return current_draft(slug)


@pytest.mark.parametrize(
    "role", ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead"]
)
def test_only_admins_create_edit_or_publish(app, client, as_role, role):
    make_threshold_document(slug="doc", published=False)
    as_role(role)
    assert client.get("/thresholds/new").status_code == 403
    assert (
        client.post(
            "/thresholds/new", data={"submission_token": new_token(), "title": "X", "slug": "x"}
        ).status_code
        == 403
    )
    assert client.get("/thresholds/doc/edit").status_code == 403
    assert client.post("/thresholds/doc/edit", data={"title": "Hijacked"}).status_code == 403
    assert client.post("/thresholds/doc/publish").status_code == 403
    assert client.post("/thresholds/doc/versions").status_code == 403
    assert db.session.scalar(select(func.count(ThresholdDocument.id))) == 1
    assert current_draft("doc").status == "draft"


def test_anonymous_cannot_edit(app, client):
    make_threshold_document(slug="doc", published=False)
    assert client.post("/thresholds/doc/edit", data={"title": "Hijacked"}).status_code == 302


def test_admin_creates_a_document_as_a_draft_with_the_standard_skeleton(app, client, as_role):
    as_role("admin")
    response = client.post(
        "/thresholds/new",
        data={
            "submission_token": new_token(),
            "title": "Pathway to Provision",
            "slug": "Pathway-To-Provision",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/thresholds/pathway-to-provision/edit"
    draft = current_draft("pathway-to-provision")
    assert [s.code for s in draft.sections] == ["A", "B", "C", "D"]
    assert [lv.level for lv in draft.levels] == [1, 2, 3, 4]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "threshold.create")) is not None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": "", "slug": "ok"}, "Enter a title"),
        ({"title": "T" * 201, "slug": "ok"}, "200 characters or fewer"),
        ({"title": "Fine", "slug": "taken"}, "Another threshold document already uses this web address"),
        ({"title": "Fine", "slug": "not ok!"}, "Use only lower-case letters, numbers and single hyphens"),
        ({"title": "Fine", "slug": ""}, "Enter a web address"),
    ],
)
def test_bad_new_document_input_is_refused(app, client, as_role, data, message):
    make_threshold_document(slug="taken")
    as_role("admin")
    response = client.post("/thresholds/new", data={**data, "submission_token": new_token()})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ThresholdDocument.id))) == 1


def test_saving_a_draft_changes_only_the_draft_and_is_audited(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(
        draft, **{"pathways-0-steps": "Refer within the hour.", "summary_of_amendments": "Faster referral."}
    )
    response = client.post("/thresholds/doc/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    draft = current_draft("doc")
    assert draft.pathways[0].steps_source == "Refer within the hour."
    assert draft.lock_version == 2
    published = db.session.scalar(select(ThresholdVersion).where(ThresholdVersion.status == "published"))
    assert published.pathways[0].steps_source == "Refer the same day."
    event_ = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "threshold.draft_saved")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert event_.before["summary_of_amendments"] == ""
    assert event_.after["summary_of_amendments"] == "Faster referral."


def test_indicators_are_one_per_line(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(
        draft, **{"levels-2-family": "- Young carer\n\n* Family at risk of homelessness\n"}
    )
    client.post("/thresholds/doc/edit", data=data)
    level3 = current_draft("doc").levels[2]
    assert [i.text for i in level3.indicators_in("family")] == [
        "Young carer",
        "Family at risk of homelessness",
    ]


PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    '<p hx-get="/admin/users" hx-trigger="load">htmx</p>',
    '<p data-hx-post="/logout" data-hx-trigger="load">htmx</p>',
    '<iframe src="https://evil.example"></iframe>',
    "[markdown link](javascript:alert(1))",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_neutralised_in_storage_and_on_the_page(app, client, as_role, payload):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(
        draft, **{"sections-0-body": f"Before {payload} after", "pathways-0-steps": payload}
    )
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    stored = current_draft("doc")
    page = client.get(f"/thresholds/doc/versions/{stored.number}").get_data(as_text=True)
    for html in (stored.sections[0].body_html, stored.pathways[0].steps_html, page):
        lowered = html.lower()
        assert "<script>alert" not in lowered
        assert "onerror=" not in lowered
        assert 'href="javascript:' not in lowered and 'href="data:' not in lowered
        assert "<iframe" not in lowered
        assert 'hx-get="/admin' not in lowered and 'data-hx-post="/logout' not in lowered
    assert '<div class="portal-rich-text" data-hx-disable>' in page


def test_over_long_text_is_refused_and_nothing_saved(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(
        draft, **{"pathways-0-steps": "x" * 20_001, "pathways-0-contact_phone": "call me maybe"}
    )
    response = client.post("/thresholds/doc/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Steps to take must be 20,000 characters or fewer" in page
    assert "Enter a telephone number using numbers" in page
    assert 'href="#pathways-0-steps"' in page
    assert current_draft("doc").lock_version == 1


def test_second_admin_saving_a_stale_draft_gets_409_with_their_text_kept(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    first = draft_post_data(draft, **{"pathways-0-title": "First admin's title"})
    second = draft_post_data(draft, **{"pathways-0-title": "Second admin's title"})
    assert client.post("/thresholds/doc/edit", data=first).status_code == 303
    response = client.post("/thresholds/doc/edit", data=second)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this draft while you were editing" in page
    assert "Second admin&#39;s title" in page
    assert current_draft("doc").pathways[0].title == "First admin's title"


def test_add_and_remove_entries_without_javascript(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(draft, add_pathway="Add a pathway")
    response = client.post("/thresholds/doc/edit", data=data)
    assert response.status_code == 200
    assert 'name="pathways-2-concern"' in response.get_data(as_text=True)
    assert len(current_draft("doc").pathways) == 2  # nothing saved yet

    data = draft_post_data(draft, **{"pathways-1-remove": "y"})
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    assert [p.concern for p in current_draft("doc").pathways] == ["Neglect"]


class _SubmitButtons(HTMLParser):
    """The names of the submit buttons inside the form posting to `action`, in page order."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.names = action, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif self.inside and tag in ("button", "input") and attrs.get("type") == "submit":
            self.names.append(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def test_enter_in_a_field_saves_the_draft(app, client, as_role):
    """Browsers submit with the form's first submit button when Enter is pressed in a text field:
    that must be "Save draft", not "Add a section"."""
    as_role("admin")
    draft = new_draft(client)
    buttons = _SubmitButtons("/thresholds/doc/edit")
    buttons.feed(client.get("/thresholds/doc/edit").get_data(as_text=True))
    assert buttons.names[0] == "save", buttons.names
    assert {"add_section", "add_pathway"} <= set(buttons.names)

    data = draft_post_data(draft, title="Renamed by pressing Enter", save="y")
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    assert current_draft("doc").lock_version == 2


def test_only_one_draft_at_a_time(app, client, as_role):
    as_role("admin")
    new_draft(client)
    response = client.post("/thresholds/doc/versions", follow_redirects=True)
    assert "There is already a draft of this document" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ThresholdVersion.id))) == 2


def test_edit_page_without_a_draft_offers_to_start_one(app, client, as_role):
    as_role("admin")
    make_threshold_document(slug="doc")
    page = client.get("/thresholds/doc/edit").get_data(as_text=True)
    assert "Start a new version" in page


def test_saving_a_draft_never_changes_what_partners_read(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)  # a public document
    # Posting the old editor's fields (or unticking a box) on a draft changes nothing live.
    data = draft_post_data(draft, title="Renamed by a draft")
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    document = db.session.scalar(select(ThresholdDocument))
    assert (document.title, document.is_public) == ("Pathway to Provision", True)


def test_document_settings_apply_at_once_and_are_audited(app, client, as_role):
    as_role("admin")
    make_threshold_document(slug="doc", public=False)
    response = client.post(
        "/thresholds/doc/settings",
        data={"settings-title": "Pathway to Provision 2027", "settings-is_public": "y"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    document = db.session.scalar(select(ThresholdDocument))
    assert (document.title, document.is_public) == ("Pathway to Provision 2027", True)
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "threshold.settings"))
    assert event_.before["is_public"] is False and event_.after["is_public"] is True
    assert app.test_client().get("/thresholds/doc").status_code == 200  # now public


def test_document_settings_need_a_title(app, client, as_role):
    as_role("admin")
    make_threshold_document(slug="doc")
    response = client.post("/thresholds/doc/settings", data={"settings-title": ""})
    assert response.status_code == 422
    assert "Enter a title" in response.get_data(as_text=True)
    assert db.session.scalar(select(ThresholdDocument)).title == "Pathway to Provision"


@pytest.mark.parametrize("role", ["partner", "trust_member"])
def test_only_admins_change_document_settings(app, client, as_role, role):
    make_threshold_document(slug="doc")
    as_role(role)
    assert client.post("/thresholds/doc/settings", data={"settings-title": "Hijacked"}).status_code == 403
