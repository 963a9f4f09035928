import re

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.thresholds.services import PathwayInput
from tests.factories import make_threshold_document, make_user


def test_anonymous_reads_public_documents_at_the_same_url(app, client):
    make_threshold_document("Pathway to Provision", "pathway-to-provision", public=True)
    response = client.get("/thresholds/pathway-to-provision")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pathway to Provision" in page and "Level 4" in page and "Neglect causing significant harm" in page
    assert "I have read this version" not in page  # acknowledging needs an account


def test_partners_only_documents_need_a_sign_in(app, client, sign_in):
    make_threshold_document("Internal Guidance", "internal-guidance", public=False)
    response = client.get("/thresholds/internal-guidance")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "Internal Guidance" not in client.get("/thresholds/").get_data(as_text=True)
    sign_in(make_user(role="partner"))
    assert client.get("/thresholds/internal-guidance").status_code == 200
    assert "Internal Guidance" in client.get("/thresholds/").get_data(as_text=True)


def test_unpublished_documents_and_drafts_are_hidden_from_everyone_but_admins(app, client, as_role):
    make_threshold_document("Draft Only", "draft-only", published=False)
    assert client.get("/thresholds/draft-only").status_code == 404
    assert client.get("/thresholds/draft-only/versions/1").status_code == 404
    as_role("trust_member")
    assert client.get("/thresholds/draft-only/versions/1").status_code == 404
    assert "Draft Only" not in client.get("/thresholds/").get_data(as_text=True)


def test_admin_previews_a_draft(app, client, as_role):
    make_threshold_document("Draft Only", "draft-only", published=False)
    as_role("admin")
    response = client.get("/thresholds/draft-only/versions/1")
    assert response.status_code == 200
    assert "This is an unpublished draft" in response.get_data(as_text=True)


def test_unknown_document_is_404(app, client):
    assert client.get("/thresholds/no-such-thing").status_code == 404


def test_search_finds_indicators_and_pathway_steps_with_and_without_htmx(app, client):
    make_threshold_document("Pathway to Provision", "pathway-to-provision")
    full = client.get("/thresholds/?q=DASH")
    assert full.status_code == 200
    page = full.get_data(as_text=True)
    assert (
        "<html" in page
        and "Domestic violence, level 3" in page
        and 'href="/thresholds/pathway-to-provision#pathway-1"' in page
    )
    fragment = client.get("/thresholds/?q=developmental+indicator", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "4 results" in body and "Level 3: Targeted early help" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_search_of_anonymous_users_leaves_out_partners_only_documents(app, client):
    make_threshold_document("Secret Pathways", "secret", public=False)
    body = client.get("/thresholds/?q=neglect", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "0 results" in body


def test_search_only_looks_at_current_versions(app, client, as_role):
    from app.thresholds.models import ThresholdDocument
    from app.thresholds.services import start_draft

    document = make_threshold_document("Pathway to Provision", "pathway-to-provision")
    admin = make_user(role="admin")
    draft = start_draft(db.session.get(ThresholdDocument, document.id), actor=admin)
    draft.pathways[0].steps_source = "Unpublished zebra wording"
    db.session.commit()
    assert "0 results" in client.get("/thresholds/?q=zebra", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )


def test_search_wildcards_are_literal(app, client):
    make_threshold_document()
    assert "0 results" in client.get("/thresholds/?q=%25", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )


def test_pathways_filter_by_concern_and_level(app, client):
    make_threshold_document("Pathway to Provision", "pathway-to-provision")
    body = client.get(
        "/thresholds/pathway-to-provision?concern=Neglect", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "Neglect causing significant harm" in body and "Domestic violence: medium risk" not in body
    assert "<html" not in body
    body = client.get("/thresholds/pathway-to-provision?level=3").get_data(as_text=True)
    assert "Domestic violence: medium risk" in body and "Neglect causing significant harm" not in body


def _count_queries(app, make_request):
    with app.app_context():
        engine = db.engine
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = make_request()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("role", ["partner", "agency_lead", "admin"])
def test_document_page_query_count_does_not_grow_with_content(app, client, as_role, role):
    from app.thresholds.services import PathwayInput

    as_role(role)
    make_threshold_document("Small", "small", pathways=[PathwayInput("Neglect", 2, "One", "Step")])
    many = [PathwayInput(f"Concern {n}", 1 + n % 4, f"Pathway {n}", "Steps") for n in range(40)]
    make_threshold_document("Large", "large", pathways=many)
    small = _count_queries(app, lambda: client.get("/thresholds/small"))
    large = _count_queries(app, lambda: client.get("/thresholds/large"))
    assert small == large


def test_partners_are_not_offered_a_comparison_with_an_unpublished_draft(app, client, as_role):
    from app.thresholds.models import ThresholdDocument
    from app.thresholds.services import start_draft

    make_threshold_document(slug="doc")
    start_draft(db.session.scalar(select(ThresholdDocument)), actor=make_user(role="admin"))
    db.session.commit()
    as_role("partner")
    page = client.get("/thresholds/doc").get_data(as_text=True)
    assert "Compare versions" not in page and "See exactly what changed" not in page
    assert "Version 2" not in page


def test_search_links_sections_without_a_letter_to_their_anchor(app, client):
    from app.thresholds.editing import form_data_from_version
    from app.thresholds.services import DraftContent, SectionInput, publish_version, save_draft

    document = make_threshold_document(slug="doc", published=False)
    version = document.versions[0]
    admin = make_user(role="admin")
    content = DraftContent(
        summary_of_amendments="First version.",
        next_review_date=form_data_from_version(version)["next_review_date"],
        sections=[
            SectionInput("", "Universal services first", "Most needs are met by **universal** services.")
        ],
        levels=[],
        pathways=[],
    )
    content.levels = _levels_of(version)
    save_draft(version, content, loaded_version=version.lock_version, actor=admin)
    publish_version(version, loaded_version=version.lock_version, actor=admin)
    db.session.commit()
    body = client.get("/thresholds/?q=universal", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'href="/thresholds/doc#section-0"' in body
    assert 'id="section-0"' in client.get("/thresholds/doc").get_data(as_text=True)


def _levels_of(version):
    from app.thresholds.services import LevelInput

    return [
        LevelInput(
            lv.level,
            lv.title,
            lv.description_source,
            lv.response_source,
            lv.contact_source,
            {d: [i.text for i in lv.indicators_in(d)] for d in ("development", "parenting", "family")},
        )
        for lv in version.levels
    ]


# --- One heading for each part, and the way between public pages and signing in ------------------


def contents_of(page):
    nav = page[
        page.index('<nav class="portal-contents"') : page.index("</nav>", page.index("portal-contents"))
    ]
    return re.findall(r'<a class="govuk-link" href="(#[^"]+)">([^<]+)</a>', nav)


def test_the_contents_list_each_part_once_and_the_levels_sit_in_their_section(app, client):
    from app.thresholds.services import SectionInput

    make_threshold_document("Pathway to Provision", "doc")
    # The factory's document has one section; a document made in the editor has A to D.
    admin = make_user(role="admin")
    document = _with_sections(
        "doc",
        admin,
        [
            SectionInput("A", "A continuum of need", "Needs change."),
            SectionInput("B", "Levels of need", "There are four levels.", "levels"),
            SectionInput("C", "Pathways", "Each pathway sets out the steps.", "pathways"),
            SectionInput("D", "Specialist guidance", "Other procedures."),
        ],
    )
    page = client.get(f"/thresholds/{document.slug}").get_data(as_text=True)
    assert contents_of(page) == [
        ("#section-a", "A. A continuum of need"),
        ("#section-b", "B. Levels of need"),
        ("#section-c", "C. Pathways"),
        ("#section-d", "D. Specialist guidance"),
        ("#versions", "Versions"),
    ]
    assert page.count(">Levels of need<") == 0 and page.count("Referral pathways</h2>") == 0
    b, c, d = page.index('id="section-b"'), page.index('id="section-c"'), page.index('id="section-d"')
    assert b < page.index('id="level-1"') < page.index('id="level-4"') < c < page.index('id="pathway-0"') < d
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_without_a_section_to_hold_them_the_levels_and_pathways_get_headings_of_their_own(app, client):
    make_threshold_document("Pathway to Provision", "doc")
    page = client.get("/thresholds/doc").get_data(as_text=True)
    assert contents_of(page) == [
        ("#section-a", "A. A continuum of need"),
        ("#levels", "Levels of need"),
        ("#pathways", "Referral pathways"),
        ("#versions", "Versions"),
    ]
    assert 'id="levels"' in page and 'id="pathways"' in page


def _with_sections(slug, admin, sections):
    from app.thresholds.models import ThresholdDocument
    from app.thresholds.services import DraftContent, publish_version, save_draft, start_draft

    document = db.session.scalar(select(ThresholdDocument).where(ThresholdDocument.slug == slug))
    draft = start_draft(document, actor=admin)
    content = DraftContent("New sections.", draft.next_review_date, sections, _levels_of(draft), [])
    content.pathways = [
        PathwayInput(p.concern, p.level, p.title, p.steps_source, p.service_name) for p in draft.pathways
    ]
    save_draft(draft, content, loaded_version=draft.lock_version, actor=admin)
    publish_version(draft, loaded_version=draft.lock_version, actor=admin)
    db.session.commit()
    return document


def test_the_sign_in_page_leads_to_the_public_thresholds_and_back(app, client, sign_in):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/thresholds/"' in page and "read the partnership's public thresholds" in page
    make_threshold_document("Pathway to Provision", "doc")
    for path in ("/thresholds/", "/thresholds/doc", "/thresholds/doc/versions/1"):
        page = client.get(path).get_data(as_text=True)
        assert f'href="/login?next={path}">Sign in</a>' in page, path
    sign_in(make_user())
    assert 'id="sign-in-prompt"' not in client.get("/thresholds/doc").get_data(as_text=True)
