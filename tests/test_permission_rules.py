"""app/permissions.py, directly: how a grant, a permission and a route guard decide."""

import pytest
from flask_login import AnonymousUserMixin, login_user
from werkzeug.exceptions import Forbidden, NotFound

from app.actions.permissions import CLOSE_CHALLENGE, MANAGE, UPDATE
from app.auth.models import User
from app.errors import NotAllowed
from app.permissions import (
    ALWAYS,
    REGISTRY,
    Permission,
    expected_status,
    get_or_404,
    only,
    permission_named,
    public,
    requires,
    signed_in,
)
from tests.factories import make_action, make_user


def test_an_always_grant_needs_no_record_and_a_record_grant_insists_on_one(app):
    assert ALWAYS.allows(object(), None)
    mine = only("mine", lambda user, record: record == "mine")
    assert mine.allows(object(), "mine") and not mine.allows(object(), "yours")
    with pytest.raises(TypeError, match="say which record"):
        mine.allows(object(), None)


def test_nobody_signed_out_or_deactivated_holds_any_permission(app):
    assert not MANAGE.allows(None)
    assert not MANAGE.allows(AnonymousUserMixin())
    assert not MANAGE.allows(make_user(role="admin", active=False))
    assert MANAGE.allows(make_user(role="admin"))


def test_require_refuses_with_not_allowed_saying_what_was_refused(app):
    action = make_action()
    with pytest.raises(NotAllowed) as caught:
        UPDATE.require(make_user(role="partner"), action)
    assert type(caught.value) is NotAllowed
    assert caught.value.message == "You do not have permission to post progress updates on an action."
    UPDATE.require(make_user(role="partner", agency=action.owner_agency), action)


def test_a_permission_is_defined_once_and_found_by_its_name():
    with pytest.raises(ValueError, match="defined twice"):
        Permission("actions.manage", "Again", {})
    assert REGISTRY["actions.manage"] is MANAGE
    assert permission_named("actions.close_challenge") is CLOSE_CHALLENGE
    with pytest.raises(KeyError, match="No permission is called 'actions.nothing'"):
        permission_named("actions.nothing")


def view():
    return "the page"


def open_view():
    return "the page"


def test_route_guards_send_anonymous_users_to_sign_in_and_refuse_other_roles(app):
    guarded, members_only = requires(MANAGE)(view), signed_in(view)
    for wrapped in (guarded, members_only):
        response = wrapped()
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login_user(make_user(role="partner"))
    assert members_only() == "the page"
    with pytest.raises(Forbidden):
        guarded()
    login_user(make_user(role="programme_manager"))
    assert guarded() == "the page"


def test_expected_status_follows_the_guard(app):
    guarded, members_only, anyone = requires(MANAGE)(view), signed_in(view), public(open_view)
    assert [expected_status(anyone, role) for role in (None, "partner")] == [200, 200]
    assert [expected_status(members_only, role) for role in (None, "partner")] == [302, 200]
    assert [expected_status(guarded, role) for role in (None, "partner", "admin")] == [302, 403, 200]


def test_get_or_404_answers_404_for_a_missing_record(app):
    user = make_user()
    assert get_or_404(User, user.id) is user
    with pytest.raises(NotFound):
        get_or_404(User, user.id + 1000)
