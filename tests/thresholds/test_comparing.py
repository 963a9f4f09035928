"""'What changed' counts and shows the changes a reader would notice, in the words they read."""

from sqlalchemy import select

from app.extensions import db
from app.thresholds.diff import compare_versions
from app.thresholds.models import ThresholdDocument
from tests.factories import make_threshold_document, make_user
from tests.thresholds.test_editing import current_draft, draft_post_data, new_draft


def test_saving_a_draft_as_a_browser_sends_it_changes_nothing(app, client, as_role):
    """A browser posts textarea line breaks as \\r\\n: saved as typed, every paragraph looked
    changed (12 changes in the demo for one real edit)."""
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(draft, summary_of_amendments="First version agreed by the board.")
    typed = ("body", "description", "response", "contact", "steps", "amendments", "development", "family")
    crlf = {
        key: value.replace("\n", "\r\n") + "  " if key.endswith(typed) else value
        for key, value in data.items()
    }
    crlf["sections-0-body"] = "Most children's needs are met by **universal** services.  \r\n\r\n"
    assert client.post("/thresholds/doc/edit", data=crlf).status_code == 303
    draft = current_draft("doc")
    assert "\r" not in draft.sections[0].body_source and not draft.sections[0].body_source.endswith(" ")
    document = db.session.scalar(select(ThresholdDocument))
    comparison = compare_versions(document.versions[0], draft)
    assert comparison.changed == []
    page = client.get("/thresholds/doc/compare?from=1&to=2").get_data(as_text=True)
    assert "0 changed, 0 added, 0 removed." in page and "These two versions are the same." in page


def test_what_changed_shows_rendered_words_not_markdown_and_counts_each_part_once(app, client, as_role):
    as_role("admin")
    draft = new_draft(client)
    data = draft_post_data(
        draft,
        summary_of_amendments="First version agreed by the board.",
        **{
            "sections-0-body": "Most children's needs are met by **universal** services.\n\n## Early help",
            "levels-2-contact": "The **MASH** through Notts Connect.",
            "levels-2-response": "Level 3 response\r\n",
        },
    )
    assert client.post("/thresholds/doc/edit", data=data).status_code == 303
    page = client.get("/thresholds/doc/compare?from=1&to=2").get_data(as_text=True)
    comparison = page[page.index('id="comparison"') :]
    assert "**" not in comparison and "##" not in comparison
    assert "2 changed, 0 added, 0 removed." in comparison  # section A and level 3, nothing else
    assert "Section A: A continuum of need" in comparison and "Level 3: Targeted early help" in comparison
    assert "[added: </span>The MASH through Notts Connect.<" in comparison


def test_the_summary_of_amendments_counts_as_a_change(app):
    from app.thresholds.services import start_draft

    document = make_threshold_document(slug="doc")
    draft = start_draft(document, actor=make_user(role="admin"))
    draft.summary_of_amendments = "New front door."
    assert [p.label for p in compare_versions(document.versions[0], draft).changed] == [
        "Summary of key amendments"
    ]
