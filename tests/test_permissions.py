"""Who may do what, read from the permissions themselves.

- The role × route matrix: every GET page answers each role (and anonymous visitors) as its guard
  says, and the guards are the features' named permissions.
- docs/PERMISSIONS.md is the table `flask permissions table` prints from the code.
- No view, service or template decides by a role's name: role names live in the permission modules.
"""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.permissions import REGISTRY, expected_status, permission_table, scoped_to_agency
from tests.factories import make_agency, make_project, make_user, one_of_everything

ROOT = Path(__file__).resolve().parent.parent
ROLES = [None, *(str(role) for role in Role)]


def _get_rules(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule


def _path(rule, ids: dict) -> str:
    return rule.build(ids, append_unknown=False)[1]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_get_route_answers_each_role_as_its_permission_says(app, client, role):
    """Built from the url map and each view's guard, so a new route is covered automatically."""
    ids = one_of_everything()
    if role is not None:
        user = make_user(role=role)
        client.post("/login", data={"email": user.email, "password": "a long test passphrase"})
    unexpected = []
    for rule in _get_rules(app):
        view = app.view_functions[rule.endpoint]
        expected = expected_status(view, role)
        status = client.get(_path(rule, ids)).status_code
        # Record-level checks may narrow a page the role could reach (a draft, another agency's
        # update form); public pages may send an anonymous reader on (an invitation link).
        allowed = {expected} | ({403, 404} if expected == 200 else set())
        if getattr(view, "access", None) == "public":
            allowed |= {302, 303, 404}
        if status not in allowed:
            unexpected.append(f"{rule.rule}: {status}, expected {expected}")
    assert unexpected == []


@pytest.mark.parametrize("role", [str(r) for r in Role])
def test_pages_behind_a_permission_answer_200_to_holders_and_403_to_others(app, client, as_role, role):
    """The same table, page by page, for the pages that need no record."""
    make_project(1, "Ensure children and young people are safe")
    as_role(role)
    for rule in _get_rules(app):
        if rule.arguments:
            continue
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        if permission is None:
            continue
        expected = 200 if permission.held_by_role(role) else 403
        assert client.get(rule.rule).status_code == expected, rule.rule


def test_the_permission_table_in_docs_is_printed_from_the_code(app):
    result = app.test_cli_runner().invoke(args=["permissions", "table"])
    assert result.exit_code == 0
    assert (ROOT / "docs" / "PERMISSIONS.md").read_text() == result.output, (
        "docs/PERMISSIONS.md is out of date: run `flask permissions table > docs/PERMISSIONS.md`"
    )
    assert permission_table().count("\n") == len(REGISTRY) + 2


def _sources(pattern: str):
    return [p for p in (ROOT / "app").rglob(pattern) if "vendor" not in p.parts]


ROLE_TUPLE = r"[\(\[{]\s*Role\.[A-Z_]+\s*[,)\]}]"
ROLE_COMPARISON = r"\.role\s*(==|!=|\bin\b|\bnot in\b)\s*(Role\.|[\"'(\[{])"


def test_no_view_service_or_template_decides_by_a_role_name():
    """Role names appear in the permission modules (and in the data that names roles: the role
    model, demo accounts, the first admin); anywhere else a check by role is a rule in hiding."""
    offenders = []
    for path in _sources("*.py"):
        if path.name in ("permissions.py", "demo.py") or path.parts[-2:] in (("auth", "models.py"),):
            continue
        guarded = path.name in ("routes.py", "services.py", "panels.py")
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if (
                re.search(ROLE_TUPLE, line)
                or re.search(ROLE_COMPARISON, line)
                or (guarded and re.search(r"\bRole\.[A-Z]", line))
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for path in _sources("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"current_user\.role\b(?!_)|\.role\s*(==|!=|\bin\b)\s*[\"'(]", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_every_permission_names_its_feature_and_says_what_it_allows():
    for name, permission in REGISTRY.items():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", name), name
        assert permission.description[0].isupper() and not permission.description.endswith(".")
        assert permission.roles, f"{name} is held by no role"


def test_scoped_query_limits_partners_to_their_agency(app):
    police, health = make_agency(), make_agency()
    officer = make_user(agency=police, role="agency_lead")
    nurse = make_user(agency=health)
    trust = make_user(agency=health, role="trust_member")

    def visible(user):
        return set(db.session.scalars(scoped_to_agency(select(User.id), User.agency_id, user)))

    assert visible(officer) == {officer.id}
    assert visible(nurse) == {nurse.id, trust.id}
    assert visible(trust) == {officer.id, nurse.id, trust.id}


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/users", "/admin/audit/", "/people", "/account/password", "/actions/"]
)
def test_anonymous_users_are_sent_to_sign_in(app, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_reader_of_a_role_stands_for_its_agency_as_a_bound_parameter_and_nothing_else():
    """Scoping queries built once per role (visible_action_or_404, visible_return_or_404) bind the
    reader's agency; a scoping rule that needed anything else about the user would fail at once
    rather than be shared between users."""
    from sqlalchemy.sql.elements import BindParameter

    from app.permissions import AnyReaderOfRole

    reader = AnyReaderOfRole("partner")
    assert reader.role == "partner" and reader.is_authenticated
    assert isinstance(reader.agency_id, BindParameter) and reader.agency_id.key == "agency_id"
    with pytest.raises(AttributeError):
        _ = reader.id
