"""Text as the thresholds feature stores and compares it. Pure functions, no database.

- `tidy`: what is saved. Browsers send textarea line breaks as \\r\\n and people paste trailing
  spaces and decomposed accents; stored as typed, one save looked like a change to every paragraph.
- `plain_text`: the words a reader sees in rendered rich text (no Markdown `**` or `##`).
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def tidy(text: str | None) -> str:
    """Unicode NFC, \\n line endings, no spaces at the end of a line, no blank lines at either end."""
    text = unicodedata.normalize("NFC", text or "")
    text = _LINE_BREAK.sub("\n", text)
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip("\n")


# --- Rendered rich text as plain words ----------------------------------------------------------

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "ul", "ol", "blockquote", "div", "table", "tr"}


class _PlainText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list] = []  # for each open list: [ordered?, items so far]

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        if tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            marker = "• "
            if self.lists:
                self.lists[-1][1] += 1
                if self.lists[-1][0]:
                    marker = f"{self.lists[-1][1]}. "
            self.parts.append("\n" + marker)
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(re.sub(r"\s+", " ", data))


def plain_text(html: str | None) -> str:
    """The text of sanitised HTML as a reader sees it: paragraphs apart, list items on their own
    lines with a bullet or number, no markup."""
    if not html:
        return ""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
