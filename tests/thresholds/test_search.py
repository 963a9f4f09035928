"""Search finds what practitioners type: any field a reader sees, whatever the case, punctuation,
hyphens or word endings, and the partnership's synonyms; only in versions in effect; in a fixed
number of queries; and when nothing matches, it says where to go instead."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.dates import today
from app.extensions import db
from app.thresholds.models import ThresholdDocument
from app.thresholds.search import SynonymProblem, parse_synonyms, read_query, search_current
from app.thresholds.services import PathwayInput, publish_version, save_draft, save_synonyms, start_draft
from tests.factories import make_threshold_document, make_user

PATHWAYS = [
    PathwayInput(
        "Domestic violence",
        3,
        "Domestic violence: standard or medium risk",
        "1. Complete a DASH risk assessment with the adult victim.\n2. Consider a CAF for the children.",
        "Nottinghamshire Domestic Violence Forum outreach",
        "0808 800 0340",
        "outreach@ndvf.example",
    ),
    PathwayInput(
        "Child missing from home",
        3,
        "A child who runs away or goes missing from home",
        "Report the child missing to the police on 101, and consider the risk of sexual exploitation.",
        "Nottinghamshire Police",
        "101",
    ),
]


def hits(client, q, **headers):
    response = client.get("/thresholds/", query_string={"q": q}, headers={"HX-Request": "true", **headers})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def labels(q, include_private=True):
    return [hit.label for hit in search_current(q, include_private=include_private).hits]


def new_version(document, actor, change, *, effective_from=None):
    """Publish the document's next version with `change(draft)` applied, through the services."""
    from app.thresholds.editing import content_from_form, form_data_from_version
    from app.thresholds.forms import DraftForm

    draft = start_draft(document, actor=actor)
    db.session.flush()
    data = form_data_from_version(draft)
    change(data)
    form = DraftForm(formdata=None, data=data)
    save_draft(draft, content_from_form(form), loaded_version=draft.lock_version, actor=actor)
    publish_version(draft, effective_from=effective_from, loaded_version=draft.lock_version, actor=actor)
    db.session.commit()
    return draft


def with_amendment(data):
    data["summary_of_amendments"] = "Referrals now go to the MASH."
    data["levels"][3]["contact"] = (
        "The Multi-Agency Safeguarding Hub (MASH) through Notts Connect: 0300 500 80 80."
    )


# --- What practitioners type ----------------------------------------------------------------------


def test_the_issue_queries_find_the_demo_partnerships_thresholds(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    document = db.session.scalar(select(ThresholdDocument))
    admin = make_user(role="admin")
    # Version 2 (the MASH as the front door) is a draft: readers do not see it, nor does search.
    assert "0 results for" in hits(client, "MASH")
    draft = db.session.scalar(select(ThresholdDocument)).draft
    publish_version(draft, loaded_version=draft.lock_version, actor=admin)
    db.session.commit()
    assert document.current_version.number == 2

    assert {
        "Level 3: Targeted early help – who to contact",
        "Level 4: Specialist / statutory – expected response",
    } <= set(labels("MASH"))
    assert "Domestic violence, level 3" in labels("domestic abuse")  # the text says violence
    assert "Domestic violence, level 4" in labels("DV")
    self_harm = labels("self harm")  # the text says "self-harm" and "Self-harming"
    assert (
        "Level 3: Targeted early help" in self_harm
        and "D. Specialist guidance and neighbouring-authority contacts" in self_harm
    )
    assert "Level 4: Specialist / statutory" in labels(
        "sexual abuse"
    )  # "physical, sexual or emotional abuse"
    cse = labels("CSE")  # "sexual exploitation", in an indicator and the missing-from-home pathway
    assert "Level 4: Specialist / statutory" in cse and "Child missing from home, level 3" in cse


@pytest.mark.parametrize("q", ["SELF-HARM", "self harm", "Self harming", "self–harm!", "  self   HARMED "])
def test_case_punctuation_hyphens_and_word_endings_do_not_matter(app, q):
    make_threshold_document(
        "Pathway to Provision",
        "doc",
        pathways=[PathwayInput("Self-harm", 3, "A young person who self-harms", "Talk to the school nurse.")],
    )
    assert labels(q) == ["Self-harm, level 3"]


def test_every_part_a_reader_sees_is_searched(app):
    document = make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    new_version(document, make_user(role="admin"), with_amendment)
    expectations = {
        "Pathway to Provision": "Pathway to Provision",  # the title
        "Referrals now go": "Key amendments in version 2",
        "universal services": "A. A continuum of need",  # a section's text
        "Level 2 description": "Level 2: Early help",
        "Level 4 response": "Level 4: Specialist – expected response",
        "Safeguarding Hub": "Level 4: Specialist – who to contact",
        "Level 1 developmental indicator": "Level 1: Universal",
        "DASH risk assessment": "Domestic violence, level 3",  # pathway steps
        "runs away": "Child missing from home, level 3",  # pathway title
        "Violence Forum outreach": "Domestic violence, level 3",  # the service
        "0808 800 0340": "Domestic violence, level 3",
        "outreach@ndvf.example": "Domestic violence, level 3",
    }
    for q, label in expectations.items():
        assert label in labels(q), q


def test_synonyms_the_partnership_keeps_are_applied(app):
    make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    assert search_current("DV", include_private=True).total == 0
    save_synonyms(
        "DV, domestic violence, domestic abuse\nCSE, child sexual exploitation, sexual exploitation",
        loaded_version=0,
        actor=make_user(role="admin"),
    )
    db.session.commit()
    assert (
        labels("DV")
        == labels("domestic abuse")
        == labels("Domestic Violence")
        == ["Domestic violence, level 3"]
    )
    assert labels("CSE") == ["Child missing from home, level 3"]
    # A phrase on the list also matches its words apart: "a child ... sexual exploitation".
    assert labels("child sexual exploitation") == ["Child missing from home, level 3"]


def test_a_word_typed_so_far_finds_the_words_it_starts(app):
    make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    assert labels("outre") == ["Domestic violence, level 3"]
    assert labels("Dom") == ["Domestic violence, level 3"]


def test_when_no_part_holds_every_word_parts_with_some_are_offered_most_first(app, client):
    make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    page = search_current("domestic abuse risk", include_private=True)
    assert not page.all_words and page.total == 2
    assert [h.label for h in page.hits] == ["Domestic violence, level 3", "Child missing from home, level 3"]
    assert "Nothing holds all of those words" in hits(client, "domestic abuse risk")
    everything = search_current("domestic violence", include_private=True)
    assert everything.all_words and [h.label for h in everything.hits] == ["Domestic violence, level 3"]


def test_words_that_say_nothing_alone_are_left_out_unless_nothing_else_is_typed(app):
    groups = []
    assert [c.phrases for c in read_query("the risk of harm", groups)] == [(("risk",),), (("harm",),)]
    assert [c.phrases for c in read_query("the", groups)] == [(("the",),)]
    assert read_query("!!!", groups) == []


def test_no_results_offer_the_pathways_and_numbers_to_call_not_documents_below(app, client):
    make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    make_threshold_document(
        "Partners Only",
        "secret",
        public=False,
        pathways=[PathwayInput("Secret", 2, "T", "S", "Hidden service", "0000")],
    )
    body = hits(client, "zebra crossing")
    assert "0 results for" in body and "documents below" not in body
    assert 'href="/thresholds/doc?concern=Domestic+violence#pathways"' in body
    assert 'href="/thresholds/doc?concern=Child+missing+from+home#pathways"' in body
    assert "Nottinghamshire Police: <a" in body and 'href="tel:08088000340"' in body
    assert "Hidden service" not in body and "Secret" not in body  # anonymous: public documents only
    assert "If a child is in immediate danger, call 999." in body


# --- Only what is in effect -------------------------------------------------------------------------


def test_a_scheduled_version_is_searched_from_the_day_it_takes_effect(app, monkeypatch):
    document = make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    new_version(document, make_user(role="admin"), with_amendment, effective_from=today() + timedelta(days=7))
    assert labels("MASH") == []
    later = today() + timedelta(days=7)
    monkeypatch.setattr("app.dates.today", lambda: later)
    monkeypatch.setattr("app.thresholds.models.today", lambda: later)
    assert "Level 4: Specialist – who to contact" in labels("MASH")


def test_a_new_title_is_found_at_once(app, client, as_role):
    as_role("admin")
    make_threshold_document("Pathway to Provision", "doc")
    client.post(
        "/thresholds/doc/settings",
        data={"settings-title": "Thresholds of Need 2027", "settings-is_public": "y"},
    )
    assert labels("thresholds of need 2027") == ["Thresholds of Need 2027"]
    assert labels("Pathway to Provision") == []


# --- Bounded -----------------------------------------------------------------------------------------


def count_queries(app, make_request):
    with app.app_context():
        engine = db.engine
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = make_request()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements)


def test_clearing_the_search_box_lists_the_documents_again(app, client):
    make_threshold_document("Pathway to provision", "pathway-to-provision")
    listed = '<h2 class="govuk-heading-m">Documents</h2>'
    assert listed not in hits(client, "neglect"), "a search shows its results in the documents' place"
    cleared = hits(client, "")  # htmx asks again as the box is cleared
    assert listed in cleared and 'href="/thresholds/pathway-to-provision"' in cleared
    assert "No threshold documents have been published yet." not in cleared


def test_search_takes_the_same_few_queries_however_much_there_is(app, client):
    make_threshold_document("Small", "small", pathways=[PathwayInput("Neglect", 2, "One", "Step")])
    search = lambda q: count_queries(app, lambda: client.get("/thresholds/", query_string={"q": q}))  # noqa: E731
    # The synonyms, the counts and the page of hits (the results take the list of documents'
    # place, so the documents are not asked for).
    assert search("neglect") == 3
    many = [PathwayInput(f"Neglect {n}", 1 + n % 4, f"Pathway {n}", "Steps") for n in range(40)]
    make_threshold_document("Large", "large", pathways=many)
    assert search("neglect") == 3
    # Nothing found: one more, for the pathways and numbers to offer instead.
    assert search("zebra") == 4
    # No search: the documents and their versions, listed.
    assert count_queries(app, lambda: client.get("/thresholds/")) == 2


# --- The synonym list itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("CSE", "Line 1 has only one word or phrase"),
        ("DV, domestic violence\n\nMASH,", "Line 3 has only one word or phrase"),
        ("DV, domestic violence\nDomestic-Violence, DA", "“Domestic-Violence” is on lines 1 and 2"),
        ("CSE, !!!", "Line 1: “!!!” has no letters or numbers"),
        ("CSE, " + "x" * 81, "is longer than 80 characters"),
        ("a, b\n" * 301, "Keep the list to 300 lines or fewer"),
    ],
)
def test_a_synonym_list_that_cannot_work_says_why(text, problem):
    with pytest.raises(SynonymProblem, match=problem):
        parse_synonyms(text)


def test_a_synonym_list_is_groups_of_words_as_typed():
    assert parse_synonyms("  CSE , child sexual exploitation,\n\nself-harm, self harm, self-injury\n") == [
        ["CSE", "child sexual exploitation"],
        ["self-harm", "self harm", "self-injury"],
    ]


def test_the_index_can_be_rebuilt_from_the_documents(app):
    from app.thresholds.models import ThresholdSearchEntry

    make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    before = db.session.scalars(
        select(ThresholdSearchEntry.search_text).order_by(ThresholdSearchEntry.id)
    ).all()
    db.session.execute(ThresholdSearchEntry.__table__.update().values(search_text=" stale "))
    db.session.commit()
    assert labels("outreach") == []
    result = app.test_cli_runner().invoke(args=["thresholds", "reindex"])
    assert result.exit_code == 0 and "Rebuilt the search index of 1 versions." in result.output
    db.session.expire_all()
    assert (
        db.session.scalars(select(ThresholdSearchEntry.search_text).order_by(ThresholdSearchEntry.id)).all()
        == before
    )
    assert labels("outreach") == ["Domestic violence, level 3"]


def test_a_version_published_as_copied_is_searched_too(app):
    document = make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    admin = make_user(role="admin")
    draft = start_draft(document, actor=admin)
    draft.summary_of_amendments = "No change but the date."
    publish_version(draft, loaded_version=draft.lock_version, actor=admin)
    db.session.commit()
    assert labels("outreach") == ["Domestic violence, level 3"]
    assert search_current("outreach", include_private=True).hits[0].document_slug == "doc"


def test_a_stored_list_that_no_longer_reads_is_ignored_not_an_error(app):
    from app.thresholds.models import SearchSynonyms

    make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    db.session.add(SearchSynonyms(id=1, groups_text="DV"))
    db.session.commit()
    assert labels("outreach") == ["Domestic violence, level 3"]


def test_short_words_and_numbers_are_whole_words(app):
    make_threshold_document("Pathway to Provision", "doc", pathways=PATHWAYS)
    assert labels("101") == ["Child missing from home, level 3"]
    assert labels("10") == []  # not the start of 101
    assert labels("ca") == []  # not the start of CAF, or of "care"
    assert labels("CAF") == ["Domestic violence, level 3"]
