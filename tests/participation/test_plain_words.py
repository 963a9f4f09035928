"""The young people's pages are written for readers of about 9 to 11: a Flesch-Kincaid grade of
5 or less over what the page says (its main content), measured with textstat."""

import re
from html import unescape

import pytest
import textstat

PAGES = [
    "/have-your-say",
    "/have-your-say/thank-you",
    "/have-your-say/get-help",
    "/have-your-say/you-said-we-did",
]


def visible_text(html: str) -> str:
    main = re.search(r"<main\b.*?</main>", html, re.S).group(0)
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r'<[^>]*class="[^"]*govuk-visually-hidden[^"]*"[^>]*>.*?</[a-z]+>', " ", main, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", main))
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("path", PAGES)
def test_young_peoples_pages_read_at_grade_5_or_below(app, client, path):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    text = visible_text(client.get(path).get_data(as_text=True))
    assert len(text.split()) > 20, text
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= 5, f"{path} reads at grade {grade}: {text}"


def test_buttons_and_labels_say_what_happens(app, client):
    page = client.get("/have-your-say").get_data(as_text=True)
    assert ">Send<" in page.replace("\n", "").replace("  ", "") or 'value="Send"' in page
    assert "I don\u2019t feel safe, or I want someone to talk to me" in page
