import pytest

from app import create_app
from config import ProductionConfig, normalise_database_url


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u:p@db:5432/portal", "postgresql+psycopg://u:p@db:5432/portal"),
        ("postgresql://u@db/portal", "postgresql+psycopg://u@db/portal"),
        ("postgresql+psycopg://u@db/portal", "postgresql+psycopg://u@db/portal"),
        ("sqlite:///instance/portal.sqlite3", "sqlite:///instance/portal.sqlite3"),
    ],
)
def test_database_urls_are_normalised_to_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_production_refuses_to_start_without_a_secret_key():
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": None})
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app(config)


def test_production_refuses_a_short_secret_key():
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": "short"})
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        create_app(config)


def test_production_never_seeds_demo_data():
    assert ProductionConfig.DEMO_SEED_ALLOWED is False


def test_a_new_secret_key_keeps_people_signed_in_through_its_fallback(app, database_urls, database):
    """Rotating SECRET_KEY (docs/DEPLOYMENT.md): with the old key in SECRET_KEY_FALLBACKS a cookie
    signed with it still works; without it, the person signs in again."""
    from app.extensions import db
    from tests.conftest import make_app
    from tests.factories import PASSWORD, make_user

    user = make_user()
    old_key, new_key = "o" * 40, "n" * 40
    old = make_app(database_urls[database], SECRET_KEY=old_key)
    before = old.test_client()
    assert before.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    cookie = before.get_cookie("portal_session").value
    rolled = make_app(database_urls[database], SECRET_KEY=new_key, SECRET_KEY_FALLBACKS=[old_key])
    without = make_app(database_urls[database], SECRET_KEY=new_key, SECRET_KEY_FALLBACKS=[])
    answers = []
    for server in (rolled, without):
        client = server.test_client()
        client.set_cookie("portal_session", cookie)
        answers.append(client.get("/").status_code)
    for server in (old, rolled, without):  # no connection may outlive the test
        with server.app_context():
            db.session.remove()
            db.engine.dispose()
    assert answers == [200, 302]
