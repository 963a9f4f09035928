"""The board's exceptions (app/actions/reporting.py): red or overdue open actions, red first, then
the longest overdue; listed from their ids as the dashboard keeps them, in the same order."""

from app.actions.reporting import exception_count, exception_ids, exceptions
from tests.factories import make_action


def test_exceptions_are_red_first_then_longest_overdue_and_the_same_from_kept_ids(app):
    red_later = make_action(title="Red, due later", rag="red", due_in_days=40)
    red_sooner = make_action(title="Red, due sooner", rag="red", due_in_days=5)
    overdue_long = make_action(title="Amber, 30 days overdue", rag="amber", due_in_days=-30)
    overdue_short = make_action(title="Green, 2 days overdue", rag="green", due_in_days=-2)
    make_action(title="Green and on time", rag="green", due_in_days=10)
    make_action(title="Red but done", rag="red", status="complete", percent=100)

    expected = [red_sooner.id, red_later.id, overdue_long.id, overdue_short.id]
    assert [e.action.id for e in exceptions()] == expected
    assert exception_ids() == expected and exception_count() == 4
    assert [e.action.id for e in exceptions(ids=expected)] == expected
    assert [e.action.id for e in exceptions(ids=expected[:2])] == expected[:2], "only the kept ones"
    assert [e.action.id for e in exceptions(limit=3)] == expected[:3]
