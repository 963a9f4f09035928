"""How text is tidied on save, read from rendered HTML, and reduced to words for search."""

import pytest

from app.thresholds.text import fold, plain_text, search_text, search_words, stem, tidy


def test_tidy_makes_what_a_browser_sends_equal_to_what_was_typed():
    # A textarea posts \r\n; people paste trailing spaces and decomposed accents (e + ◌́).
    assert tidy("Refer the same day.  \r\nCall 999.\r\n\r\n\r\n\r\nSafe.\u00a0\r\n") == (
        "Refer the same day.\nCall 999.\n\nSafe."
    )
    assert tidy("Cafe\u0301") == "Caf\u00e9"
    assert tidy("Old Mac\rline") == "Old Mac\nline"
    assert tidy(None) == ""


def test_plain_text_is_what_a_reader_sees_without_markup():
    html = (
        "<h2>Specialist guidance</h2><p>Know <strong>which level</strong> &amp; "
        '<a href="https://example.org">what next</a></p><ul><li>One</li><li>Two</li></ul>'
        "<ol><li>First</li><li>Second</li></ol><p>Line<br>break</p>"
    )
    assert plain_text(html) == (
        "Specialist guidance\n\nKnow which level & what next\n\n• One\n• Two\n\n"
        "1. First\n2. Second\n\nLine\nbreak"
    )
    assert plain_text("") == ""


def test_fold_drops_case_accents_apostrophes_punctuation_and_hyphens():
    assert fold("Children's SELF-HARM (naïve) — Multi-Agency") == "childrens self harm naive multi agency"


@pytest.mark.parametrize(
    ("forms", "stemmed"),
    [
        (["abuse", "abused", "abuses", "abusing"], "abus"),
        (["harm", "harms", "harmed", "harming"], "harm"),
        (["make", "makes", "making"], "make"),
        (["stop", "stopped", "stopping"], "stop"),
        (["family", "families"], "family"),
        (["child", "children", "children's", "child's"], "child"),
        (["referral", "referrals"], "referral"),
        (["safeguard", "safeguarding", "safeguarded"], "safeguard"),
        (["miss", "missed", "missing"], "miss"),
    ],
)
def test_simple_word_forms_share_a_stem(forms, stemmed):
    assert {stem(fold(form)) for form in forms} == {stemmed}


def test_short_words_numbers_and_words_ending_in_s_keep_their_shape():
    assert [stem(w) for w in ("cse", "dv", "mash", "status", "crisis", "process", "0300", "being")] == [
        "cse",
        "dv",
        "mash",
        "status",
        "crisis",
        "process",
        "0300",
        "being",
    ]


def test_search_text_pads_words_with_spaces_for_whole_word_matching():
    assert search_text("Multi-Agency Safeguarding Hub (MASH)", "Self-harming") == (
        " multi agency safeguard hub mash self harm "
    )
    assert search_text("", None) == " "
    assert search_words("Self harm") == search_words("self-harm") == ["self", "harm"]
