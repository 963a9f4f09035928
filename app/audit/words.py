"""The audit trail in plain words: "Margaret Ellis published version 2 of Pathway to Provision",
with a link to the record where it has a page, rather than `threshold.publish` and
"threshold_versions 2".

Each feature says what its events, records and fields are called, in its own `audit_words.py`
(loaded by create_app, like panels): `events({...})`, `record_kind(...)`, `fields({...})`. The
trail reads them here. Everything a page of events needs beyond the events themselves (the
records' names, the agencies and projects their changes name) is found in ONE query, whatever
the records are, so the page's query count never depends on what is on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, String, cast, literal, null, select, union_all

from app.extensions import db

# --- What the features register -------------------------------------------------------------------


@dataclass(frozen=True)
class EventWords:
    """`label`: the event in the "What" filter. `sentence`: the line in the trail, from {who} (the
    person), {did} (the event's summary, which starts with a verb, in lower case), {summary} and
    {object} (the record's id as stored, e.g. the email of a failed sign-in). `routine`: so common
    it would hide the real changes (signing in and out): shown only when asked for."""

    label: str
    sentence: str = "{who} {did}"
    routine: bool = False


@dataclass(frozen=True)
class RecordKind:
    """A kind of record in the trail (an `object_type`, which is its table's name).

    `names(ids)` is a select of (id, label, key, number) for those ids: a name and what its page's
    address needs. `text` and `link` turn one such row into words and an address (None: no page).
    """

    singular: str
    plural: str
    names: Callable[[list[int]], Select] | None = None
    text: Callable[[Any], str] = lambda row: row.label
    link: Callable[[Any], str | None] = lambda row: None


@dataclass(frozen=True)
class FieldWords:
    """A field of a record's before and after: its label, the words for its values, or the kind
    of record its value is the id of (an agency's id shows as the agency's name)."""

    label: str
    values: Mapping[Any, str] = field(default_factory=dict)
    refers_to: str | None = None


EVENTS: dict[str, EventWords] = {}
RECORD_KINDS: dict[str, RecordKind] = {}
FIELDS: dict[str, dict[str, FieldWords]] = {}  # object_type → field → its words


def events(words: Mapping[str, EventWords]) -> None:
    EVENTS.update(words)


def record_kind(object_type: str, kind: RecordKind) -> None:
    RECORD_KINDS[object_type] = kind


def fields(object_type: str, words: Mapping[str, FieldWords]) -> None:
    """What the fields of this kind of record's before and after are called."""
    FIELDS.setdefault(object_type, {}).update(words)


def _field(object_type: str, key: str) -> FieldWords | None:
    return FIELDS.get(object_type, {}).get(key)


def routine_events() -> list[str]:
    return sorted(code for code, words in EVENTS.items() if words.routine)


def event_label(code: str) -> str:
    words = EVENTS.get(code)
    return words.label if words else code.replace("_", " ").replace(".", ": ").capitalize()


def record_kind_label(object_type: str) -> str:
    kind = RECORD_KINDS.get(object_type)
    return kind.plural if kind else object_type.replace("_", " ").capitalize()


# --- Reading a page of events ---------------------------------------------------------------------


@dataclass
class Change:
    label: str
    before: str | None
    after: str | None


@dataclass
class EventLine:
    event: Any
    who: str
    sentence: str
    record_text: str | None
    record_url: str | None
    changes: list[Change]


def _as_id(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _wanted_ids(events_: Iterable) -> dict[str, set[int]]:
    """For each kind of record: the ids this page names, as its records or in its changes."""
    wanted: dict[str, set[int]] = {}
    for event in events_:
        if event.object_type in RECORD_KINDS and (number := _as_id(event.object_id)):
            wanted.setdefault(event.object_type, set()).add(number)
        for key, *values in event.changed_fields():
            words = _field(event.object_type, key)
            refers_to = words.refers_to if words else None
            for value in values:
                if refers_to in RECORD_KINDS and (number := _as_id(value)):
                    wanted.setdefault(refers_to, set()).add(number)
    return wanted


def _find_records(wanted: dict[str, set[int]]) -> dict[tuple[str, int], Any]:
    """Every record this page names, in one query (a UNION of each kind's names)."""
    selects = []
    for object_type, ids in sorted(wanted.items()):
        names = RECORD_KINDS[object_type].names
        if names is None or not ids:
            continue
        inner = names(sorted(ids)).subquery()
        columns = list(inner.c)
        selects.append(
            select(
                literal(object_type, String).label("object_type"),
                cast(columns[0], Integer).label("id"),
                cast(columns[1], String).label("label"),
                cast(columns[2], String).label("key"),
                cast(columns[3], Integer).label("number"),
            )
        )
    if not selects:
        return {}
    rows = db.session.execute(union_all(*selects)).all()
    return {(row.object_type, row.id): row for row in rows}


def no_key() -> Any:
    """For a record kind's names(): a column it has no use for."""
    return cast(null(), String)


def no_number() -> Any:
    return cast(null(), Integer)


def _value_words(words: FieldWords | None, value, records) -> str | None:
    if value is None:
        return None
    if words is None:
        return str(value)
    if words.refers_to and (number := _as_id(value)):
        row = records.get((words.refers_to, number))
        return RECORD_KINDS[words.refers_to].text(row) if row else str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).strftime("%-d %B %Y")
        except ValueError:
            pass
    return words.values.get(value, str(value))


def _who(event) -> str:
    if event.actor is not None:
        return event.actor.full_name
    return "Someone" if event.actor_label == "anonymous" else event.actor_label


def _sentence(event, who: str) -> str:
    words = EVENTS.get(event.action)
    summary = event.summary or (words.label if words else event.action)
    did = summary[:1].lower() + summary[1:]
    template = words.sentence if words else "{who}: {summary}"
    sentence = template.format(who=who, did=did, summary=summary, object=event.object_id or "")
    return sentence[:1].upper() + sentence[1:]


def words_for(events_: list) -> list[tuple]:
    """Each event of a page as a line of the trail (an EventLine, less the event): who, the
    sentence, the record's name and link, the changes. One query, for the names of the records.
    Plain values, so a page may keep them: events never change, and their records' names change
    only by audited changes."""
    records = _find_records(_wanted_ids(events_))
    lines = []
    for event in events_:
        who = _who(event)
        record_text = record_url = None
        kind = RECORD_KINDS.get(event.object_type)
        number = _as_id(event.object_id)
        row = records.get((event.object_type, number)) if kind and number else None
        if row is not None:
            record_text, record_url = kind.text(row), kind.link(row)
        elif kind is not None:
            record_text = f"{kind.singular} {event.object_id} (no longer there)" if number else None
        changes = []
        for key, before, after in event.changed_fields():
            words = _field(event.object_type, key)
            changes.append(
                Change(
                    words.label if words else key.replace("_", " ").capitalize(),
                    _value_words(words, before, records),
                    _value_words(words, after, records),
                )
            )
        lines.append((who, _sentence(event, who), record_text, record_url, changes))
    return lines
