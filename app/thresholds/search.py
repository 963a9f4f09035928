"""Search the current versions of threshold documents the way practitioners type.

Every part a reader sees (sections, levels' descriptions, responses and contacts, indicators,
pathways with their steps and services, the key amendments, the document's title) is one row of
`threshold_search_entries`, written when a version is saved, holding its words folded and stemmed.
A query is folded and stemmed the same way; a word or phrase in the partnership's synonym list
matches any word or phrase on its line ("domestic abuse" finds "domestic violence"). A row
matches when it holds every word of the query; when no row does, rows holding some of the words
are offered instead, most words first. Three queries whatever the data size: the synonyms, the
counts, the page of hits.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, func, literal, or_, select, update

from app.extensions import db
from app.thresholds.models import (
    SYNONYMS_ID,
    Pathway,
    SearchSynonyms,
    ThresholdDocument,
    ThresholdSearchEntry,
    ThresholdVersion,
    current_versions,
)
from app.thresholds.text import plain_text, search_text, search_words

PER_PAGE = 20
QUERY_LIMIT = 100
KIND_LABELS = {
    "document": "Document",
    "amendments": "Key amendments",
    "section": "Section",
    "level": "Level of need",
    "indicator": "Indicator",
    "pathway": "Pathway",
}
# Words that say nothing on their own; dropped from a query unless it has nothing else.
STOPWORDS = frozenset("a an and are as at be by for from in is it its of on or that the this to with".split())


# --- Synonyms -------------------------------------------------------------------------------------

MAX_SYNONYM_LINES = 300
MAX_TERM_LENGTH = 80


class SynonymProblem(ValueError):
    pass


def parse_synonyms(text: str) -> list[list[str]]:
    """The groups of a synonym list as typed: one group per line, words or phrases separated by
    commas. SynonymProblem says what is wrong, in the admin's words."""
    groups: list[list[str]] = []
    seen: dict[tuple[str, ...], int] = {}
    lines = [(n, line) for n, line in enumerate((text or "").splitlines(), 1) if line.strip()]
    if len(lines) > MAX_SYNONYM_LINES:
        raise SynonymProblem(f"Keep the list to {MAX_SYNONYM_LINES} lines or fewer")
    for number, line in lines:
        terms = [term.strip() for term in line.split(",") if term.strip()]
        if len(terms) < 2:
            raise SynonymProblem(
                f"Line {number} has only one word or phrase: add another that means the same, "
                "after a comma, or remove the line"
            )
        for term in terms:
            _check_term(term, number, seen)
        groups.append(terms)
    return groups


def _check_term(term: str, number: int, seen: dict[tuple[str, ...], int]) -> None:
    if len(term) > MAX_TERM_LENGTH:
        raise SynonymProblem(f"Line {number}: “{term[:30]}…” is longer than {MAX_TERM_LENGTH} characters")
    words = tuple(search_words(term))
    if not words:
        raise SynonymProblem(f"Line {number}: “{term}” has no letters or numbers")
    if seen.get(words, number) != number:
        raise SynonymProblem(
            f"“{term}” is on lines {seen[words]} and {number}: put all the words that mean the same "
            "on one line"
        )
    seen[words] = number


def synonym_groups() -> list[list[tuple[str, ...]]]:
    """The partnership's synonym groups, each a list of stemmed phrases. One query."""
    text = db.session.scalar(select(SearchSynonyms.groups_text).where(SearchSynonyms.id == SYNONYMS_ID))
    return [list(group) for group in _stemmed_groups(text or "")]


@functools.lru_cache(maxsize=8)
def _stemmed_groups(text: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The list's text parsed and stemmed, once per process for each text: every search asks."""
    try:
        groups = parse_synonyms(text)
    except SynonymProblem:  # saved lists are checked; an old one that no longer parses is ignored
        return ()
    return tuple(tuple(tuple(search_words(term)) for term in group) for group in groups)


# --- Reading a query ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    """One thing the query asks for: any of `phrases` (stemmed), whole words or, for a plain word
    of three letters or more, any word starting with it (so results come as you type)."""

    phrases: tuple[tuple[str, ...], ...]
    exact: bool

    def clause(self, column):
        if not self.exact:
            return column.like(f"% {self.phrases[0][0]}%")
        # A phrase matches as typed, or as its words anywhere in the part ("child sexual abuse"
        # finds "physical, sexual or emotional abuse of a child").
        return or_(
            *(
                column.like(f"% {' '.join(p)} %")
                if len(p) == 1
                else or_(column.like(f"% {' '.join(p)} %"), and_(*(column.like(f"% {w} %") for w in p)))
                for p in self.phrases
            )
        )

    def pattern(self) -> re.Pattern:
        """Where it is in the displayed text, for the snippet."""
        options = (r"[\W_]+".join(re.escape(w) + r"\w*" for w in phrase) for phrase in self.phrases)
        return re.compile(r"\b(?:" + "|".join(options) + ")", re.IGNORECASE)


def read_query(q: str, groups: list[list[tuple[str, ...]]]) -> list[Concept]:
    words = search_words(q[:QUERY_LIMIT])
    phrases = {phrase: tuple(group) for group in groups for phrase in group}
    longest = max((len(p) for p in phrases), default=0)
    concepts: list[Concept] = []
    plain: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            group = phrases.get(tuple(words[i : i + n]))
            if group:
                concepts.append(Concept(group, exact=True))
                i += n
                break
        else:
            plain.append(words[i])
            i += 1
    meaningful = [w for w in plain if w not in STOPWORDS] or ([] if concepts else plain)
    for word in meaningful:
        concepts.append(Concept(((word,),), exact=len(word) < 3 or word.isdigit()))
    return list(dict.fromkeys(concepts))


# --- Searching ------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str
    document_slug: str
    document_title: str
    label: str
    text: str
    anchor: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.title())


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    all_words: bool = True  # False: no part holds every word; these hold some

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_current(q: str, *, include_private: bool, page: int = 1) -> SearchPage:
    concepts = read_query(q, synonym_groups())
    page = max(1, page)
    if not concepts:
        return SearchPage([], 0, page, PER_PAGE)
    scored = _scored_entries(concepts, include_private)
    everything, some = db.session.execute(
        select(
            func.coalesce(func.sum(case((scored.c.score == len(concepts), 1), else_=0)), 0),
            func.count(),
        ).where(scored.c.score > 0)
    ).one()
    all_words = everything > 0
    stmt = select(scored).where(scored.c.score == len(concepts) if all_words else scored.c.score > 0)
    if not all_words:
        stmt = stmt.order_by(scored.c.score.desc())
    rows = db.session.execute(
        stmt.order_by(scored.c.doc_title, scored.c.version_id, scored.c.position)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    hits = [
        SearchHit(r.kind, r.slug, r.doc_title, r.label, snippet(r.text, concepts), r.anchor) for r in rows
    ]
    return SearchPage(hits, everything if all_words else some, page, PER_PAGE, all_words)


def _scored_entries(concepts: list[Concept], include_private: bool):
    """Each entry of a current version the reader may see, with how many concepts it matches."""
    entry = ThresholdSearchEntry
    score = sum((case((concept.clause(entry.search_text), 1), else_=0) for concept in concepts), literal(0))
    current = current_versions()
    stmt = (
        select(
            entry.version_id,
            entry.position,
            entry.kind,
            entry.label,
            entry.text,
            entry.anchor,
            ThresholdDocument.slug,
            ThresholdDocument.title.label("doc_title"),
            score.label("score"),
        )
        .join(ThresholdVersion, ThresholdVersion.id == entry.version_id)
        .join(
            current,
            and_(
                current.c.document_id == ThresholdVersion.document_id,
                current.c.number == ThresholdVersion.number,
            ),
        )
        .join(ThresholdDocument, ThresholdDocument.id == ThresholdVersion.document_id)
    )
    if not include_private:
        stmt = stmt.where(ThresholdDocument.is_public.is_(True))
    return stmt.subquery()


def snippet(text: str, concepts: list[Concept], width: int = 160) -> str:
    """The part of a long text around the first match, for the result list."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    found = [m.start() for c in concepts if (m := c.pattern().search(text))]
    at = min(found, default=0)
    start = max(0, at - width // 3)
    return ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")


# --- When nothing is found: where to go instead ---------------------------------------------------


@dataclass
class PathwayIndex:
    slug: str
    title: str
    concerns: list[str]


@dataclass
class SearchHelp:
    pathways: list[PathwayIndex]
    contacts: list[tuple[str, str]]  # (service, telephone)


def search_help(*, include_private: bool) -> SearchHelp:
    """The current pathways by concern, and the services' telephone numbers. One query."""
    current = current_versions()
    stmt = (
        select(
            ThresholdDocument.slug,
            ThresholdDocument.title,
            Pathway.concern,
            Pathway.service_name,
            Pathway.contact_phone,
        )
        .join(ThresholdVersion, ThresholdVersion.id == Pathway.version_id)
        .join(
            current,
            and_(
                current.c.document_id == ThresholdVersion.document_id,
                current.c.number == ThresholdVersion.number,
            ),
        )
        .join(ThresholdDocument, ThresholdDocument.id == ThresholdVersion.document_id)
        .order_by(ThresholdDocument.title, Pathway.position)
    )
    if not include_private:
        stmt = stmt.where(ThresholdDocument.is_public.is_(True))
    documents: dict[str, PathwayIndex] = {}
    contacts: dict[tuple[str, str], None] = {}
    for slug, title, concern, service, phone in db.session.execute(stmt):
        index = documents.setdefault(slug, PathwayIndex(slug, title, []))
        if concern not in index.concerns:
            index.concerns.append(concern)
        if service and phone:
            contacts[(service, phone)] = None
    return SearchHelp(list(documents.values()), list(contacts))


# --- Writing the index ----------------------------------------------------------------------------


def index_entries(version: ThresholdVersion, document_title: str) -> list[ThresholdSearchEntry]:
    """The searchable parts of a version, in the order the page shows them."""
    rows: list[tuple[str, str, str, str, str]] = [
        ("document", document_title, "", "", search_text(document_title)),
    ]
    if version.summary_of_amendments:
        summary = version.summary_of_amendments
        label = f"Key amendments in version {version.number}"
        rows.append(("amendments", label, summary, "amendments", search_text(summary)))
    for s in version.sections:
        body = plain_text(s.body_html)
        label = f"{s.code}. {s.title}" if s.code else s.title
        rows.append(("section", label, body, s.anchor, search_text(s.title, body)))
    for level in version.levels:
        rows.extend(_level_rows(level))
    for p in version.pathways:
        steps = plain_text(p.steps_html)
        words = search_text(p.concern, p.title, steps, p.service_name, p.contact_phone, p.contact_email)
        rows.append(("pathway", f"{p.concern}, level {p.level}", f"{p.title}. {steps}", p.anchor, words))
    return [
        ThresholdSearchEntry(
            version_id=version.id,
            position=n,
            kind=kind,
            label=label[:300],
            anchor=anchor,
            text=text,
            search_text=words,
        )
        for n, (kind, label, text, anchor, words) in enumerate(rows)
    ]


def _level_rows(level) -> list[tuple[str, str, str, str, str]]:
    name = f"Level {level.level}: {level.title}"
    anchor = f"level-{level.level}"
    rows = [("level", name, plain_text(level.description_html), anchor, "")]
    for suffix, part, html in (
        ("-response", "expected response", level.response_html),
        ("-contact", "who to contact", level.contact_html),
    ):
        if text := plain_text(html):
            rows.append(("level", f"{name} – {part}", text, anchor + suffix, ""))
    # The level's name is found with its description: "early help" finds level 2 itself.
    rows = [
        (k, label, text, a, search_text(level.title if a == anchor else "", text))
        for k, label, text, a, _ in rows
    ]
    rows.extend(("indicator", name, i.text, anchor, search_text(i.text)) for i in level.indicators)
    return rows


def index_version(version: ThresholdVersion) -> None:
    """Write the version's search entries afresh (after its content changed)."""
    db.session.flush()
    db.session.execute(delete(ThresholdSearchEntry).where(ThresholdSearchEntry.version_id == version.id))
    db.session.add_all(index_entries(version, version.document.title))


def index_document_title(document: ThresholdDocument) -> None:
    """A new title is found at once, in every version."""
    versions = select(ThresholdVersion.id).where(ThresholdVersion.document_id == document.id)
    db.session.execute(
        update(ThresholdSearchEntry)
        .where(ThresholdSearchEntry.kind == "document", ThresholdSearchEntry.version_id.in_(versions))
        .values(label=document.title[:300], search_text=search_text(document.title))
        .execution_options(synchronize_session=False)
    )
