"""Another agency's records, route by route: every URL that names an action, a challenge or a
safer-recruitment return, opened or sent by staff of another agency, as a page and as htmx, is
refused (403/404) and writes nothing. Built from the url map, so a new route is covered."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, table

from app.auth.models import Agency
from app.extensions import db
from tests.factories import make_agency, one_of_everything
from tests.forms_found import sign_in_as

AGENCY_OWNED = {"action_id", "challenge_id", "return_id"}
# Pages of the partnership's accepted plan that every partner may read.
READABLE_BY_ALL = {"actions.show_action", "actions.show_action_row"}


def everything_counted() -> dict[str, int]:
    counts = {}
    for name in db.metadata.tables:
        counts[name] = db.session.scalar(select(func.count()).select_from(table(name)))
    return counts


def owned_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.arguments & AGENCY_OWNED:
            yield rule


@pytest.mark.parametrize("role", ["partner", "agency_lead"])
def test_another_agencys_records_are_refused_by_every_route_and_nothing_is_written(app, client, role):
    ids = one_of_everything()
    other = make_agency("Another Agency")
    sign_in_as(client, role, {**ids, "agency_id": other.id})
    db.session.expire_all()
    before = everything_counted()
    wrong = []
    for rule in owned_rules(app):
        path = rule.build(ids, append_unknown=False)[1]
        for headers in ({}, {"HX-Request": "true"}):
            if "POST" in rule.methods:
                status = client.post(
                    path, data={"note": "x", "reason": "x", "text": "x"}, headers=headers
                ).status_code
                if status not in (403, 404):
                    wrong.append(f"POST {path} {headers}: {status}")
            if "GET" in rule.methods and rule.endpoint not in READABLE_BY_ALL:
                status = client.get(path, headers=headers).status_code
                if status not in (403, 404):
                    wrong.append(f"GET {path} {headers}: {status}")
    db.session.expire_all()
    after = everything_counted()
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    # Signing in writes a session; refusals are logged as security events, not rows.
    changed.pop("user_sessions", None)
    assert wrong == []
    assert changed == {}
    assert db.session.get(Agency, ids["agency_id"]) is not None
