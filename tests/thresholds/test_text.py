"""How text is tidied on save and read from rendered HTML."""

from app.thresholds.text import plain_text, tidy


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
