"""Text as the thresholds feature stores, compares and searches it. Pure functions, no database:
the search-index migration uses them too.

- `tidy`: what is saved. Browsers send textarea line breaks as \\r\\n and people paste trailing
  spaces and decomposed accents; stored as typed, one save looked like a change to every paragraph.
- `plain_text`: the words a reader sees in rendered rich text (no Markdown `**` or `##`).
- `search_words` / `search_text`: the words search compares: lower case, accents, punctuation and
  hyphens gone, simple word forms reduced to one stem ("self-harming" → "self harm").
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


# --- Words for search ---------------------------------------------------------------------------

_NOT_A_WORD = re.compile(r"[^a-z0-9]+")
_IRREGULAR = {"children": "child", "women": "woman", "men": "man", "people": "person"}
_KEEP_FINAL_S = ("ss", "us", "is")
_DOUBLE_CONSONANT = re.compile(r"([b-df-hj-km-np-rt-y])\1$")  # not ll, ss or zz: call, miss, buzz
_VOWEL = re.compile(r"[aeiouy]")
_SHORT_SYLLABLE = re.compile(r"[^aeiou][aeiou][^aeiouwxy]")


def fold(text: str | None) -> str:
    """Lower case, accents off, apostrophes gone (children's → childrens), other punctuation and
    hyphens a space."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['\u2019\u2018`]", "", text)
    return _NOT_A_WORD.sub(" ", text).strip()


def stem(word: str) -> str:
    """One stem for the simple forms of a word: plurals, -ing, -ed and a final e (abuse, abused,
    abuses, abusing → abus; make, makes, making → make). Deliberately light: the same rule runs
    on the text and the query, so it only has to be consistent, and a light rule rarely joins
    words that differ in meaning."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    word = _IRREGULAR.get(_singular(word), _singular(word))
    word = _without_ending(word)
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_FINAL_S):
        return word[:-1]
    return word


def _without_ending(word: str) -> str:
    for suffix in ("ing", "ied", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWEL.search(base):
            word = base + ("y" if suffix == "ied" else "")
            if _DOUBLE_CONSONANT.search(word):
                return word[:-1]  # stopping → stop
            if _SHORT_SYLLABLE.fullmatch(word):
                return word + "e"  # making → make, caring → care
            return word
    return word


def search_words(text: str | None) -> list[str]:
    return [stem(word) for word in fold(text).split()]


def search_text(*parts: str | None) -> str:
    """What the search index stores: stems separated by single spaces, with a space at either end
    so that `LIKE '% word %'` finds whole words and `LIKE '% wor%'` the start of one."""
    words = [word for part in parts for word in search_words(part)]
    return f" {' '.join(words)} " if words else " "
