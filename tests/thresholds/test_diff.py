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
