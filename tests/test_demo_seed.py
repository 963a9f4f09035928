from sqlalchemy import func, select

from app.admin.demo import ACCOUNTS, DEMO_PASSWORD
from app.auth.models import Agency, Role, User
from app.extensions import db
from tests.conftest import make_app

README_ACCOUNTS = {
    "admin@demo.test": Role.ADMIN,
    "pm@demo.test": Role.PROGRAMME_MANAGER,
    "trust@demo.test": Role.TRUST_MEMBER,
    "participation@demo.test": Role.PARTICIPATION_LEAD,
    "police@demo.test": Role.PARTNER,
    "police.lead@demo.test": Role.AGENCY_LEAD,
    "health@demo.test": Role.PARTNER,
    "school@demo.test": Role.AGENCY_LEAD,
}


def test_seed_creates_the_partnership_and_is_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    counts = (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Agency.id))),
    )
    assert counts == (len(ACCOUNTS), 10)  # the agencies of the partnership
    for email, role in README_ACCOUNTS.items():
        assert db.session.scalar(select(User.role).where(User.email == email)) == role

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Agency.id))),
    ) == counts


def test_seed_adds_pathway_to_provision_with_a_published_version_and_a_draft(app, client):
    from app.thresholds.models import AgencyAcknowledgement, ThresholdDocument

    app.test_cli_runner().invoke(args=["demo", "seed"])
    app.test_cli_runner().invoke(args=["demo", "seed"])
    document = db.session.scalar(
        select(ThresholdDocument).where(ThresholdDocument.slug == "pathway-to-provision")
    )
    assert [(v.number, v.status) for v in document.versions] == [(1, "published"), (2, "draft")]
    v1, v2 = document.versions
    assert [lv.level for lv in v1.levels] == [1, 2, 3, 4] and all(lv.indicators for lv in v1.levels)
    assert len(v1.pathways) >= 6 and len(v2.pathways) == len(v1.pathways) + 1
    assert "MASH" in v2.summary_of_amendments
    assert db.session.scalar(select(func.count(AgencyAcknowledgement.id))) == 2
    page = client.get("/thresholds/pathway-to-provision").get_data(as_text=True)
    assert "Level 4" in page and "Neglect causing significant harm" in page


def test_seed_adds_the_18_projects_and_about_60_actions_with_histories(app, client):
    from app.actions.models import Action, Challenge, ProgressUpdate, Project

    app.test_cli_runner().invoke(args=["demo", "seed"])
    app.test_cli_runner().invoke(args=["demo", "seed"])
    assert db.session.scalar(select(func.count(Project.id))) == 18
    actions = db.session.scalars(select(Action)).all()
    assert 55 <= len(actions) <= 65
    assert {a.rag for a in actions} == {"green", "amber", "red"}
    assert sum(1 for a in actions if a.is_overdue) >= 3
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) > 2 * len(actions)
    assert db.session.scalar(select(func.count(Challenge.id)).where(Challenge.closed_at.is_(None))) >= 3


def test_seed_if_empty_leaves_a_used_database_alone(app):
    from tests.factories import make_user

    make_user()
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert "not seeded" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_demo_accounts_sign_in_with_the_readme_password(app, client):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    for email in README_ACCOUNTS:
        fresh = app.test_client()
        response = fresh.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 303, email


def test_production_refuses_to_seed(database_urls):
    app = make_app(database_urls["sqlite"], DEMO_SEED_ALLOWED=False)
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0
    assert "never seeded in production" in result.output


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "Chief@Council.example",
            "--name",
            "Chief Admin",
            "--agency",
            "County Council",
            "--password",
            "a long admin passphrase",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chief@council.example"))
    assert user.role == Role.ADMIN and user.agency.name == "County Council"


def test_create_admin_refuses_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--agency",
            "X",
            "--password",
            "short",
        ],
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output


def test_seed_keeps_rag_and_status_apart_and_closes_no_loop_it_opens(app):
    """Statuses are lifecycle words only; there is a returned proposal to act on, challenges that
    are late, and an answer waiting for the Trust member who asked."""
    from app.actions.models import STATUS_LABELS, Action, Challenge, ProgressUpdate

    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    statuses = set(db.session.scalars(select(Action.status).distinct()))
    statuses |= set(db.session.scalars(select(ProgressUpdate.status_after).distinct()))
    assert statuses <= set(STATUS_LABELS)
    returned = db.session.scalar(select(Action).where(Action.review == "returned"))
    assert returned is not None and returned.return_reason.startswith("Please withdraw")
    assert db.session.scalar(select(func.count(Challenge.id)).where(Challenge.is_overdue)) >= 1
    trust = db.session.scalar(select(User.id).where(User.email == "trust@demo.test"))
    assert db.session.scalar(
        select(func.count(Challenge.id)).where(Challenge.is_answered, Challenge.raised_by_id == trust)
    )
