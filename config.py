"""Configuration classes. Values that differ between machines come from the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def normalise_database_url(url: str) -> str:
    """Accept the URL spellings operators paste and make them use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"


def development_secret_key() -> str:
    """A random key kept in instance/, so sessions survive a restart of `make run`."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _engine_options(url: str) -> dict:
    # No pool_pre_ping: a connection idle for DATABASE_CHECK_AFTER_IDLE_SECONDS is checked before
    # use instead (app/connection_check.py), not every connection on every request.
    options: dict = {}
    if url.startswith("postgresql+psycopg://"):
        options["connect_args"] = {"connect_timeout": 5}
    return options


def _roles_from_environment(default: frozenset[str]) -> frozenset[str]:
    """MFA_REQUIRED_ROLES="admin,programme_manager": the roles that must use two-factor sign-in
    (set it empty to require it of nobody)."""
    value = os.environ.get("MFA_REQUIRED_ROLES")
    if value is None:
        return default
    return frozenset(role.strip() for role in value.split(",") if role.strip())


class Config:
    PARTNERSHIP_NAME = os.environ.get("PARTNERSHIP_NAME", "Nottinghamshire Safeguarding Children Partnership")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Earlier keys, comma-separated, still accepted for session cookies while a new SECRET_KEY is
    # rolled out (docs/DEPLOYMENT.md, "Keys and secrets").
    SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL") or _default_database_url()
    )
    SQLALCHEMY_ENGINE_OPTIONS = _engine_options(SQLALCHEMY_DATABASE_URI)
    DATABASE_CHECK_AFTER_IDLE_SECONDS = float(os.environ.get("DATABASE_CHECK_AFTER_IDLE_SECONDS", "1"))

    # Requests: forms and small uploads only.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    # Inspection evidence: uploaded files kept outside the web root, under generated names.
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR") or str(INSTANCE_DIR / "evidence")

    # Sessions: the cookie only carries a pointer to a server-side session record.
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_LIFETIME
    # The cookie is sent again only when the session changes: its expiry stays the absolute
    # lifetime from sign-in (the server enforces both lifetimes on its own record), and a page
    # needs no new signature on every answer.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Rate limits per client address (Flask-Limiter): a sliding window, shared by every app instance
    # through Redis when RATELIMIT_STORAGE_URI is redis://…; if Redis is down, each instance counts
    # in memory meanwhile and says so in its log.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute")

    # Two-factor sign-in (app/auth/two_factor.py): required of no role in development, tests and
    # the demo, so the README's demo accounts sign in with a password (the sign-in page says so).
    MFA_REQUIRED_ROLES = _roles_from_environment(frozenset())

    # The security log (app/security_log.py): a file, or stderr when unset.
    SECURITY_LOG_PATH = os.environ.get("SECURITY_LOG_PATH") or None

    # Sign-in throttling per guesser (client address and email): after SIGN_IN_MAX_FAILURES
    # failures in a row that address pauses for SIGN_IN_FIRST_PAUSE, doubling with each further
    # failure up to SIGN_IN_LOCKOUT. The account itself is never locked.
    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_FIRST_PAUSE = timedelta(minutes=1)
    SIGN_IN_LOCKOUT = timedelta(minutes=15)

    # A CSRF token lives as long as the session that holds it.
    WTF_CSRF_TIME_LIMIT = None

    INVITATION_LIFETIME = timedelta(days=3)
    PASSWORD_RESET_LIFETIME = timedelta(minutes=30)
    # Changing roles, publishing thresholds and exporting ask for the password again after this.
    FRESH_SIGN_IN_WINDOW = timedelta(minutes=15)
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour")

    # Have your say (young people's feedback). Retention: `flask participation purge` deletes
    # ordinary messages after two years; flagged ones, once acted on, after seven.
    FEEDBACK_RETENTION_DAYS = int(os.environ.get("FEEDBACK_RETENTION_DAYS", "730"))
    FLAGGED_FEEDBACK_RETENTION_DAYS = int(os.environ.get("FLAGGED_FEEDBACK_RETENTION_DAYS", "2555"))
    FEEDBACK_RATE_LIMIT = os.environ.get("FEEDBACK_RATE_LIMIT", "5 per minute; 30 per day")
    # Shown to young people who say they do not feel safe: the local children's social care line.
    SOCIAL_CARE_PHONE = os.environ.get("SOCIAL_CARE_PHONE", "0300 500 80 80")
    SOCIAL_CARE_HOURS = os.environ.get(
        "SOCIAL_CARE_HOURS", "Monday to Friday, 8:30am to 5pm. At other times call 0300 456 4546."
    )

    # Outgoing mail. Without MAIL_SERVER, invitation links are shown to the admin and logged.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "true").lower() == "true"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "portal@localhost")
    # The portal's address for links in emails sent from cron (no request to take it from).
    PORTAL_URL = os.environ.get("PORTAL_URL", "").rstrip("/")
    # How many reverse proxies (a load balancer, nginx) stand in front of the portal. Their
    # X-Forwarded-For and X-Forwarded-Proto are believed, so rate limits, sign-in pauses and logs
    # see each client's own address; and an X-Request-ID they send is kept in the security log.
    # 0 (the default): nothing a client sends in those headers is believed.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The key that encrypts authenticator secrets (a Fernet key: `python -c "from cryptography.fernet
    # import Fernet; print(Fernet.generate_key().decode())"`). Unset: derived from SECRET_KEY, so
    # changing SECRET_KEY then means everyone sets up two-factor sign-in again.
    TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY")

    # Without mail, invitation links are shown to the admin; in development they are logged too.
    LOG_INVITATION_LINKS = False
    DEMO_SEED_ALLOWED = False
    HSTS = False
    PAGE_SIZE = 25
    # `make bench` reports the SQL statements each page runs (X-Query-Count on every response).
    COUNT_QUERIES = os.environ.get("PORTAL_COUNT_QUERIES") == "1"
    # The dashboard's costly counts, kept per process until shared data changes (app/report_cache.py).
    REPORT_CACHE = True
    # On PostgreSQL a request reads outside a transaction and begins one at its first write, as
    # SQLite's driver does: two round trips fewer per page (app/postgres_reads.py).
    POSTGRES_READS_OUTSIDE_TRANSACTIONS = True


class DevelopmentConfig(Config):
    # Without SECRET_KEY in the environment, create_app() keeps a random one in instance/.
    GENERATE_SECRET_KEY = True
    LOG_INVITATION_LINKS = True
    DEMO_SEED_ALLOWED = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "tests-only-not-secret"  # noqa: S105 - fixed key for the test suite only
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A missing variable in one of our templates fails the test (app.templating).
    STRICT_TEMPLATES = True
    # The CSRF suite (tests/test_csrf.py) turns protection back on and proves it.
    WTF_CSRF_ENABLED = False
    LOG_INVITATION_LINKS = True
    DEMO_SEED_ALLOWED = True
    # Cheap hashes keep the suite fast; production uses argon2-cffi's defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64  # KiB; must be at least 8 × parallelism
    # Tests write rows directly (no audit event), so the dashboard counts every time; the cache
    # has tests of its own (tests/test_report_cache.py).
    REPORT_CACHE = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    # A browser accepts a __Host- cookie only over HTTPS, for this host alone, for every path: no
    # other host under the same domain can set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-portal_session"
    HSTS = True
    MFA_REQUIRED_ROLES = _roles_from_environment(
        frozenset({"admin", "programme_manager", "participation_lead"})
    )

    @classmethod
    def check(cls) -> None:
        if not cls.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production.")
        if len(cls.SECRET_KEY) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 characters.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("PORTAL_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"PORTAL_ENV must be one of {', '.join(CONFIGS)}; got {name!r}.")
    return CONFIGS[name]
