"""Safer-recruitment returns: the agency's own list and the partnership view, one return's form or
read-only page, review, print, CSV export, SCR counting, and period management."""

from app.returns import bp  # noqa: F401
from app.returns import models  # noqa: F401
