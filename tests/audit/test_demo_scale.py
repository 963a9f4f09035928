"""`flask demo scale` tops the audit trail up with a year of sign-ins, linked onto its chain."""

from datetime import timedelta

from sqlalchemy import func, select

from app.audit.chain import verify
from app.audit.models import AuditEvent
from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db

SMALL = ["--agencies", "20", "--users", "60", "--actions", "40", "--updates", "80"]
SMALL += ["--returns", "10", "--feedback", "50"]


def test_the_scaled_trail_is_a_year_of_sign_ins_each_linked_to_the_one_before(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    seeded = db.session.scalar(select(func.count(AuditEvent.id)))
    result = runner.invoke(args=["demo", "scale", *SMALL, "--audit-events", "1500"])
    assert result.exit_code == 0, result.output

    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1500
    verdict = verify(db.engine)
    assert verdict.whole, verdict.reason
    assert verdict.checked == 1500

    added = db.session.scalars(select(AuditEvent).order_by(AuditEvent.chain_seq).offset(seeded)).all()
    assert {e.action for e in added} == {"auth.sign_in", "auth.sign_out", "auth.sign_in_failed"}
    people = dict(db.session.execute(select(User.id, User.email)).all())
    assert all(people[e.actor_id] == e.actor_label for e in added), "each by someone who is there"
    times = [e.occurred_at for e in added]
    assert times == sorted(times), "oldest first, as the chain runs"
    assert utcnow() - timedelta(days=366) < times[0] and times[-1] <= utcnow()

    again = runner.invoke(args=["demo", "scale", *SMALL, "--audit-events", "1500"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1500, "run again, it adds nothing"
