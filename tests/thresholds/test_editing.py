import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.forms import new_token
from app.thresholds.editing import form_data_from_version
from app.thresholds.models import ThresholdDocument, ThresholdVersion, draft_version
from tests.factories import make_threshold_document, make_user


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


# --- Errors: in page order, each naming its field, each link reaching it ----------------------------


def summary_links(page):
    summary = page[page.index('class="govuk-error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    return re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary)


def test_the_error_summary_lists_errors_in_the_order_of_the_fields(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(
        draft,
        **{
            "pathways-1-title": "",
            "sections-0-title": "",
            "next_review_date": ["31", "2", "2030"],
            "pathways-0-contact_phone": "call me",
        },
    )
    response = client.post("/thresholds/doc/edit", data=data)
    assert response.status_code == 422
    assert summary_links(response.get_data(as_text=True)) == [
        ("#next_review_date-day", "Enter a real next review date"),
        ("#sections-0-title", "Enter the section&#39;s title"),
        ("#pathways-0-contact_phone", "Enter a telephone number using numbers, spaces and + ( ) - only"),
        ("#pathways-1-title", "Enter the pathway&#39;s title"),
    ]


def test_after_removing_an_entry_the_summary_links_to_the_fields_on_the_page(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(draft, **{"pathways-0-remove": "y", "pathways-1-title": ""})
    page = client.post("/thresholds/doc/edit", data=data).get_data(as_text=True)
    assert summary_links(page) == [("#pathways-1-title", "Enter the pathway&#39;s title")]
    assert 'id="pathways-1-title"' in page


@pytest.mark.parametrize("entered", [["", "6", "2030"], ["30", "", "2030"], ["30", "13", "2030"]])
def test_a_part_filled_or_impossible_review_date_is_not_dropped(app, client, as_role, entered):
    as_role("admin")
    draft = new_draft(client)
    response = client.post("/thresholds/doc/edit", data=draft_post_data(draft, next_review_date=entered))
    assert response.status_code == 422
    assert "Enter a real next review date" in response.get_data(as_text=True)
    assert current_draft("doc").lock_version == 1


def test_an_empty_review_date_is_allowed_in_a_draft(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    response = client.post("/thresholds/doc/edit", data=draft_post_data(draft, next_review_date=["", "", ""]))
    assert response.status_code == 303
    assert current_draft("doc").next_review_date is None


def test_text_is_saved_tidy(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(
        draft,
        summary_of_amendments="Caf\u0065\u0301 changes.  \r\n\r\n\r\n\r\nMore.\r\n",
        **{"pathways-0-steps": "1. Refer.  \r\n2. Record.\r\n"},
    )
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    saved = current_draft("doc")
    assert saved.summary_of_amendments == "Caf\u00e9 changes.\n\nMore."
    assert saved.pathways[0].steps_source == "1. Refer.\n2. Record."


def test_each_part_of_the_document_follows_one_section_at_most(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    assert [s.shows for s in draft.sections] == [""]
    data = draft_post_data(draft, **{"sections-0-shows": "levels"})
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    assert [s.shows for s in current_draft("doc").sections] == ["levels"]

    data = draft_post_data(
        current_draft("doc"),
        **{
            "sections-1-code": "B",
            "sections-1-title": "Levels",
            "sections-1-body": "",
            "sections-1-shows": "levels",
        },
    )
    response = client.post("/thresholds/doc/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert summary_links(page) == [("#sections-1-shows", "Only one section can show the four levels of need")]
    assert len(current_draft("doc").sections) == 1


def test_textareas_say_their_height_once(app, client, as_role):
    as_role("admin")
    new_draft(client)
    page = client.get("/thresholds/doc/edit").get_data(as_text=True)
    textareas = re.findall(r"<textarea[^>]*>", page)
    assert textareas and all(tag.count(" rows=") == 1 for tag in textareas)
    assert page.count('id="lock_version"') == 1


@pytest.mark.parametrize("slug", ["new", "search-synonyms"])
def test_addresses_the_portal_uses_cannot_be_documents(app, client, as_role, slug):
    as_role("admin")
    data = {"submission_token": new_token(), "title": "T", "slug": slug}
    response = client.post("/thresholds/new", data=data)
    assert response.status_code == 422
    assert "This web address is used by the portal: choose another" in response.get_data(as_text=True)


def test_an_unknown_place_for_the_levels_is_stored_as_none(app):
    from app.thresholds.services import DraftContent, SectionInput, save_draft

    document = make_threshold_document(slug="doc", published=False)
    version = document.versions[0]
    content = DraftContent("", None, [SectionInput("A", "Title", "Body", "everything")], [], [])
    save_draft(version, content, loaded_version=version.lock_version, actor=make_user(role="admin"))
    assert [s.shows for s in version.sections] == [""]


def test_errors_about_the_whole_list_of_levels_link_to_its_first_field(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    response = client.post("/thresholds/doc/edit", data=draft_post_data(draft, **{"levels-3-level": "5"}))
    assert response.status_code == 422
    assert summary_links(response.get_data(as_text=True)) == [
        ("#levels-0-title", "The four levels of need are fixed")
    ]


def test_an_out_of_date_form_is_named_in_the_summary_without_a_link(app, client, as_role):
    as_role("admin")
    response = client.post("/thresholds/new", data={"title": "Early Help Offer", "slug": "early-help"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r"<li>\s*This form is out of date. Reload the page and try again.\s*</li>", page)
