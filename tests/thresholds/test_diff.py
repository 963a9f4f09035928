from app.thresholds.diff import Segment, word_diff


def test_word_diff_marks_phrases_not_letters():
    assert word_diff("Refer to social care within one day.", "Refer to the MASH within one day.") == [
        Segment("same", "Refer to "),
        Segment("removed", "social care "),
        Segment("added", "the MASH "),
        Segment("same", "within one day."),
    ]


def test_word_diff_of_identical_text_is_one_same_segment():
    assert word_diff("No change here.", "No change here.") == [Segment("same", "No change here.")]


def test_word_diff_handles_empty_sides():
    assert word_diff("", "New text") == [Segment("added", "New text")]
    assert word_diff("Old text", "") == [Segment("removed", "Old text")]


def test_line_endings_and_trailing_spaces_are_not_changes():
    assert word_diff("Keep children safe.\r\nCall 999.  ", "Keep children safe.\nCall 999.") == [
        Segment("same", "Keep children safe.\nCall 999.")
    ]


def test_a_changed_word_is_shown_once_not_its_neighbours():
    segments = word_diff("Talk to your lead.\r\n\r\nKeep them safe.", "Talk to your DSL.\n\nKeep them safe.")
    assert [s for s in segments if s.kind != "same"] == [
        Segment("removed", "lead.\n\n"),
        Segment("added", "DSL.\n\n"),
    ]
