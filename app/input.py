"""Bad input answered in one place, before any view or query sees it.

- Text the database cannot store is refused with 400: PostgreSQL text cannot hold a NUL character
  (psycopg raises DataError, which would be a 500), and a lone surrogate cannot be encoded at all.
  Nobody types these; they come from crafted requests or broken clients, so one refusal for the
  whole request is clearer than stripping them field by field (stripping turns "a\\x00b" into a
  different, accepted value, the kind of normalisation that lets one check see what another
  misses).
- `<int:...>` URL parts larger than the database's INTEGER columns are 404s, like any unknown id,
  instead of an overflow inside the query.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

from app.pagination import MAX_ID

UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


class DatabaseIntegerConverter(IntegerConverter):
    """The app's `int` converter: only numbers a 32-bit INTEGER column can hold match the rule."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        if signed and min is None:
            min = -MAX_ID - 1
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _request_texts():
    yield request.path
    for name, value in request.args.items(multi=True):
        yield name
        yield value
    for name, value in request.form.items(multi=True):
        yield name
        yield value
    # The one header the portal stores (user_sessions.user_agent). gunicorn already refuses
    # control characters in headers; this keeps the app safe behind any other server too.
    yield request.headers.get("User-Agent", "")


def refuse_unstorable_text() -> None:
    if any(UNSTORABLE_TEXT.search(text) for text in _request_texts()):
        abort(
            400,
            description="The request contains a character the portal cannot store "
            "(a null character). Remove it and try again.",
        )


def register_input_checks(app: Flask) -> None:
    """Call before any blueprint is registered: rules pick up their converters when added."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(refuse_unstorable_text)
