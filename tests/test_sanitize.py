"""The one allow-list. Later features render rich text only through clean_html()."""

import pytest

from app.sanitize import clean_html

PAYLOADS = [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "onerror"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
    ('<p hx-get="/admin/users" hx-trigger="load">x</p>', "hx-get"),
    ('<p data-hx-post="/logout">x</p>', "data-hx-post"),
    ('<iframe src="https://example.org"></iframe>', "<iframe"),
    ('<object data="x.swf"></object>', "<object"),
    ('<p style="position:fixed">x</p>', "style="),
    ("<svg><script>alert(1)</script></svg>", "<svg"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', 'alert(1)"'),
]


@pytest.mark.parametrize("payload, forbidden", PAYLOADS)
def test_dangerous_markup_is_removed(payload, forbidden):
    assert forbidden.lower() not in clean_html(payload).lower()


def test_allowed_markup_survives_and_links_are_safe():
    html = clean_html(
        '<h2>Level 3</h2><p><strong>Call</strong> <a href="https://example.org/mash">MASH</a></p>'
    )
    assert "<h2>Level 3</h2>" in html
    assert "<strong>Call</strong>" in html
    assert 'rel="noopener noreferrer"' in html


def test_bare_urls_become_safe_links():
    assert 'href="https://example.org"' in clean_html("<p>See https://example.org</p>")


def test_empty_input():
    assert clean_html(None) == "" and clean_html("") == ""
