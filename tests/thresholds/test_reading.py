import pytest
from sqlalchemy import event, select

from app.extensions import db
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
    document = make_threshold_document(slug="doc")
    version = document.versions[0]
    version.sections[0].code = ""
    db.session.commit()
    body = client.get("/thresholds/?q=universal", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'href="/thresholds/doc#section-0"' in body
    assert 'id="section-0"' in client.get("/thresholds/doc").get_data(as_text=True)
