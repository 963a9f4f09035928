"""Counts that are costly to make and change only when shared data does: the dashboard's monthly
trends and roll-ups aggregate every progress update and every young person's message.

Each worker process keeps what it counted, keyed by the newest audit event's id. Every change to
shared data writes an audit event in the same transaction (the rulebook), so a new event means the
numbers are counted again on the next request, on every app instance: the key comes from the shared
database, not from the process. Account-access events (signing in and out, passwords, second
factors: app/audit/models.py ACCOUNT_ACCESS) are left out: nothing kept shows what they change, and
a busy morning's sign-ins would otherwise empty every process's memory each few seconds. Rows
written without an audit event (the demo's bulk scaling) are counted within MAX_AGE. Only plain
values are kept (numbers, dates, dataclasses of them, HTML rendered from them), never database
objects, which belong to one request's session.

REPORT_CACHE = False (the test suite's default, as tests write rows directly) counts every time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

from flask import current_app, has_request_context, render_template, request
from markupsafe import Markup
from sqlalchemy import func, select

from app.audit.models import AuditEvent, changes_shared_data
from app.extensions import db

T = TypeVar("T")

MAX_AGE_SECONDS = 600
MAX_ENTRIES = 4096  # the dashboard's numbers and HTML, home panels per person and day, list totals
MAX_CHARACTERS = 32_000_000  # of kept HTML in all: the oldest go first beyond it (64 MB at most)

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[int, float, object]] = OrderedDict()  # key: (stamp, when, value)
_characters = 0  # of the kept values that are text (HTML)
# Keys being worked out now, each with its lock and how many threads want it.
_turns: dict[tuple, list] = {}
WAIT_SECONDS = 10  # then a waiting thread works the value out itself
_MISSING = object()


def once_per_request(name: str, work_out: Callable[[], T]) -> T:
    """work_out()'s value, worked out once per request however often it is asked for. Kept in the
    request's own environ, not in `g`: the app context (and its g) can outlive a request, as it
    does in the test suite, where one context holds many client requests."""
    if not has_request_context():
        return work_out()
    kept = request.environ.setdefault("portal.once_per_request", {})
    if name not in kept:
        kept[name] = work_out()
    return kept[name]


STAMP = "report_data_stamp"


def data_stamp() -> int:
    """The newest change to shared data's audit event id, asked once per request (one indexed
    lookup)."""
    return once_per_request(STAMP, lambda: db.session.scalar(select(_newest_event_id())) or 0)


def stamp_column(*, always: bool = False):
    """data_stamp() as a column, for a statement every page runs anyway (the signed-in user's):
    one round trip fewer than asking data_stamp() on its own. None when this request has no use
    for it (unless `always`): nothing is kept, or the request may write (a POST's kept values
    must see its own audit event, so its stamp is asked after the write)."""
    if not always and (
        not current_app.config.get("REPORT_CACHE", True) or request.method not in ("GET", "HEAD")
    ):
        return None
    return _newest_event_id()


@lru_cache(maxsize=1)
def _newest_event_id():
    return select(func.max(AuditEvent.id)).where(changes_shared_data()).scalar_subquery()


def use_stamp(value: int | None) -> None:
    """The stamp read by a statement that carried stamp_column(): this request's data_stamp()."""
    once_per_request(STAMP, lambda: value or 0)


def remember(name: str, key: Hashable, count: Callable[[], T], *, keep_none: bool = True) -> T:
    """count()'s value for (name, key), from this process's memory while no shared data changed.
    Only the newest value of each (name, key) is kept: an older one is replaced, never piled up.
    The value is shared between requests: callers must not change it. keep_none=False: a None is
    counted again on the next request (for "nothing yet" that rows written without an audit
    event, such as the demo's, may end).

    After a change, the first thread of the process to ask works the value out; the others asking
    for the same (name, key) meanwhile wait for it instead of each working it out too, on the same
    cores, at the same moment."""
    if not current_app.config.get("REPORT_CACHE", True):
        return count()
    full_key = (id(current_app), name, key)
    stamp = data_stamp()
    kept = _kept(full_key, stamp)
    if kept is not _MISSING:
        return kept  # type: ignore[return-value]
    with _one_at_a_time(full_key):
        kept = _kept(full_key, stamp)  # worked out by the thread this one waited for
        if kept is not _MISSING:
            return kept  # type: ignore[return-value]
        value = count()
        if value is not None or keep_none:
            _keep(full_key, stamp, value)
    return value


def _kept(full_key: tuple, stamp: int) -> object:
    with _lock:
        kept = _entries.get(full_key)
        if kept is not None and kept[0] == stamp and time.monotonic() - kept[1] < MAX_AGE_SECONDS:
            _entries.move_to_end(full_key)
            return kept[2]
    return _MISSING


def _keep(full_key: tuple, stamp: int, value: object) -> None:
    global _characters
    with _lock:
        replaced = _entries.pop(full_key, None)
        _characters += _size(value) - (_size(replaced[2]) if replaced else 0)
        _entries[full_key] = (stamp, time.monotonic(), value)
        while len(_entries) > MAX_ENTRIES or (_characters > MAX_CHARACTERS and len(_entries) > 1):
            _characters -= _size(_entries.popitem(last=False)[1][2])


@contextmanager
def _one_at_a_time(full_key: tuple) -> Iterator[None]:
    """This process's threads take turns to work out `full_key`'s value. A thread that waited
    WAIT_SECONDS goes ahead on its own (a slow database must not queue every request)."""
    with _lock:
        turn = _turns.setdefault(full_key, [threading.RLock(), 0])  # re-entered if count() asks again
        turn[1] += 1
    mine = turn[0].acquire(timeout=WAIT_SECONDS)
    try:
        yield
    finally:
        if mine:
            turn[0].release()
        with _lock:
            turn[1] -= 1
            if turn[1] == 0:
                _turns.pop(full_key, None)


def remember_html(name: str, key: Hashable, template: str, context: Callable[[], dict]) -> Markup:
    """A template's HTML kept as remember() keeps a value: `context()` (and the queries it runs)
    is called only when the HTML is rendered again. The key must hold everything the HTML shows
    that differs between readers."""
    return remember(name, key, lambda: rendered(template, context()))


def rendered(template: str, context: dict) -> Markup:
    """An autoescaped template's HTML, to place in a page as it is."""
    return Markup(render_template(template, **context))  # noqa: S704 - Jinja autoescaped it


def _size(value: object) -> int:
    if isinstance(value, tuple):  # a kept page's title and HTML, say
        return sum(_size(part) for part in value)
    return len(value) if isinstance(value, str) else 0


def forget_all() -> None:
    global _characters
    with _lock:
        _entries.clear()
        _characters = 0
