"""The agency filter on list pages: a select of every active agency (500 at county scale).

Joined in Python and kept until an agency changes (app.report_cache: a change writes an audit
event), so a list page does not pay for a 500-step template loop on every request."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import select

from app.auth.models import Agency
from app.extensions import db
from app.report_cache import remember

OPTION = Markup('<option value="{}">{}</option>')
OPTION_START = Markup('<option value="{}">')
SELECTED_START = Markup('<option value="{}" selected>')


def _all_option_tags() -> Markup:
    rows = db.session.execute(
        select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
    )
    return Markup("").join(OPTION.format(agency_id, name) for agency_id, name in rows)


def agency_option_tags(selected: int | None = None) -> Markup:
    """<option> tags for every active agency, by name, with `selected` (an agency id) chosen."""
    tags = remember("agency-option-tags", None, _all_option_tags)
    if selected is None:
        return tags
    return tags.replace(OPTION_START.format(selected), SELECTED_START.format(selected), 1)
