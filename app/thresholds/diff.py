"""'What changed' between two versions: a word-level diff of what readers see in each part (the
rendered text, not the Markdown typed to make it), and parts added or removed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from app.thresholds.models import DOMAIN_LABELS, ThresholdVersion
from app.thresholds.text import plain_text, tidy

_WORD = re.compile(r"(\S+)(\s*)")


@dataclass
class Segment:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass
class PartChange:
    label: str
    status: str  # "changed", "added", "removed" or "same"
    segments: list[Segment] = field(default_factory=list)


@dataclass
class VersionComparison:
    old: ThresholdVersion
    new: ThresholdVersion
    parts: list[PartChange]

    @property
    def changed(self) -> list[PartChange]:
        return [p for p in self.parts if p.status != "same"]

    def count(self, status: str) -> int:
        return sum(1 for p in self.parts if p.status == status)


def _words(text: str) -> tuple[list[str], list[str]]:
    """The words of a text, and the space after each (kept for display, never compared)."""
    text = tidy(text).lstrip()
    pairs = _WORD.findall(text)
    return [w for w, _ in pairs], [s for _, s in pairs]


def word_diff(old: str, new: str) -> list[Segment]:
    """Changed words as removed/added runs. Words are compared, spaces and line breaks are not:
    a line ending typed differently is no change. A lone common word between two changes (a
    "the" or "of") is folded into the change, so the result reads as phrases, not confetti."""
    old_words, old_spaces = _words(old)
    new_words, new_spaces = _words(new)
    opcodes = SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
    segments: list[Segment] = []
    removed: list[str] = []
    added: list[str] = []

    def text(words, spaces, start, end) -> str:
        return "".join(w + s for w, s in zip(words[start:end], spaces[start:end], strict=True))

    def flush() -> None:
        if removed:
            segments.append(Segment("removed", "".join(removed)))
        if added:
            segments.append(Segment("added", "".join(added)))
        removed.clear()
        added.clear()

    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < index < len(opcodes) - 1 and i2 - i1 == 1
        if op == "equal" and not between_changes:
            flush()
            segments.append(Segment("same", text(new_words, new_spaces, j1, j2)))
        else:
            removed.append(text(old_words, old_spaces, i1, i2))
            added.append(text(new_words, new_spaces, j1, j2))
    flush()
    return [s for s in segments if s.text]


def _section_texts(version: ThresholdVersion) -> dict[str, tuple[str, str]]:
    return {
        (s.code or s.title).lower(): (
            f"Section {s.code}: {s.title}" if s.code else s.title,
            f"{s.title}\n\n{plain_text(s.body_html)}",
        )
        for s in version.sections
    }


def _level_texts(version: ThresholdVersion) -> dict[str, tuple[str, str]]:
    texts = {}
    for level in version.levels:
        parts = [level.title, plain_text(level.description_html)]
        for domain, label in DOMAIN_LABELS.items():
            lines = [i.text for i in level.indicators_in(domain)]
            if lines:
                parts.append(label + ":\n" + "\n".join(f"• {line}" for line in lines))
        parts += [
            "Expected response: " + plain_text(level.response_html),
            "Who to contact: " + plain_text(level.contact_html),
        ]
        texts[f"level-{level.level}"] = (f"Level {level.level}: {level.title}", "\n\n".join(parts))
    return texts


def _pathway_texts(version: ThresholdVersion) -> dict[str, tuple[str, str]]:
    texts = {}
    for p in version.pathways:
        contact = " ".join(x for x in (p.service_name, p.contact_phone, p.contact_email) if x)
        texts[f"pathway-{p.concern.lower()}-{p.level}"] = (
            f"Pathway: {p.concern}, level {p.level}",
            f"{p.title}\n\n{plain_text(p.steps_html)}\n\nRefer to: {contact}",
        )
    return texts


def compare_versions(old: ThresholdVersion, new: ThresholdVersion) -> VersionComparison:
    parts = [
        PartChange(
            "Summary of key amendments", *_diff_pair(old.summary_of_amendments, new.summary_of_amendments)
        ),
    ]
    for extract in (_section_texts, _level_texts, _pathway_texts):
        before, after = extract(old), extract(new)
        for key in list(before) + [k for k in after if k not in before]:
            if key not in after:
                label, text = before[key]
                parts.append(PartChange(label, "removed", [Segment("removed", tidy(text))]))
            elif key not in before:
                label, text = after[key]
                parts.append(PartChange(label, "added", [Segment("added", tidy(text))]))
            else:
                parts.append(PartChange(after[key][0], *_diff_pair(before[key][1], after[key][1])))
    return VersionComparison(old, new, parts)


def _diff_pair(old: str, new: str) -> tuple[str, list[Segment]]:
    """Unchanged when the words are the same, however the spaces and line breaks between them
    were typed."""
    if _words(old or "")[0] == _words(new or "")[0]:
        return "same", [Segment("same", tidy(new))]
    return "changed", word_diff(old, new)
