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
