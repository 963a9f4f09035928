"""app/submissions.py, directly: a form's one-time token does its work once."""

from types import SimpleNamespace

from app.forms import new_token
from app.submissions import Submission, first_use, record_result
from tests.factories import make_user
from tests.service_checks import count


def form_with(token):
    """What first_use reads from a OneTimeForm: its submission_token field."""
    return SimpleNamespace(submission_token=SimpleNamespace(data=token))


def test_the_first_use_of_a_token_records_it_and_a_repeat_finds_it(app):
    user, form = make_user(), form_with(new_token())
    assert first_use(form, user) is None
    record_result(form, "/actions/7")
    earlier = first_use(form, user)
    assert (earlier.user_id, earlier.result_url) == (user.id, "/actions/7")
    assert count(Submission) == 1


def test_a_result_for_an_unknown_token_is_ignored(app):
    record_result(form_with(new_token()), "/actions/7")
    assert count(Submission) == 0


def test_a_first_use_is_one_statement_and_a_repeat_reads_the_earlier_one(app):
    from tests.querycount import counted_queries

    user, form = make_user(), form_with(new_token())
    assert user.id  # loaded before counting
    with counted_queries(app) as first:
        assert first_use(form, user) is None
    assert len(first) == 1 and first[0].lstrip().upper().startswith("INSERT"), first
    with counted_queries(app) as repeat:
        assert first_use(form, user).user_id == user.id
    assert len(repeat) == 2, repeat
    assert count(Submission) == 1
