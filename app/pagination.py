"""Paginating list pages: two queries (count and page) however many rows there are."""

from __future__ import annotations

from flask import current_app, request

from app.extensions import db


def paginate(stmt, *, per_page: int | None = None):
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(
        stmt,
        page=max(page, 1),
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=100,
        error_out=False,
    )


def like_pattern(text: str) -> str:
    """A case-insensitive LIKE pattern that treats % and _ in the user's text literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
