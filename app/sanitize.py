"""The one HTML allow-list. Anything shown as rich text passes through clean_html() on save.

bleach is no longer maintained; keeping it behind this function makes a move to nh3 one file.
The output is safe only as element content, inside an element carrying `data-hx-disable`.
"""

from __future__ import annotations

import threading
from functools import lru_cache, partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _link_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "noopener noreferrer"
    return attrs


_per_thread = threading.local()


def _cleaner() -> bleach.Cleaner:
    """This thread's Cleaner. A Cleaner keeps its html5lib parser's state while it works, so one
    shared between threads (gunicorn's) fails with IndexError or AssertionError inside html5lib, or
    mixes one request's text into another's page. Building one per call costs about 20 µs; one per
    thread costs nothing after the first call."""
    cleaner = getattr(_per_thread, "cleaner", None)
    if cleaner is None:
        cleaner = _per_thread.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[partial(LinkifyFilter, callbacks=[_link_rel])],
        )
    return cleaner


def clean_html(html: str | None) -> str:
    if not html:
        return ""
    return _cleaner().clean(html)


@lru_cache(maxsize=4096)
def clean_stored_html(html: str) -> str:
    """Stored rich text, cleaned again for output. It was cleaned on save; cleaning it again keeps
    a tampered row harmless. Published text never changes, so the answer is kept per process (the
    cache is keyed by the text itself: changed text, or a changed allow-list after a restart, is
    cleaned afresh)."""
    return clean_html(html)


def render_markdown(source: str | None) -> str:
    """Turn the simple formatting admins type (Markdown) into sanitised HTML, for storing on save.
    markdown.markdown() builds a new Markdown instance per call, so it shares no state between threads."""
    if not source or not source.strip():
        return ""
    return clean_html(markdown.markdown(source, output_format="html"))
