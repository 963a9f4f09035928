"""The Partnership Portal: create_app() builds the application from a config class."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from importlib import import_module
from pathlib import Path

from flask import Flask
from flask.templating import Environment
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from config import Config, ProductionConfig, config_from_environment, development_secret_key


class PortalJinja(Environment):
    def make_globals(self, d):
        """A template's globals as one plain dict, not Jinja's ChainMap over the environment's.

        Jinja checks a template's globals against the caller's on every `{% from ... import %}`,
        and each GOV.UK macro imports three or four others: with a ChainMap that check is a Python
        loop over every global (a long form spent a third of its time there), with a dict it is
        one set operation in C. Jinja already asks that globals not change once a template has
        loaded; ours are all registered in create_app, before any template loads."""
        return {**self.globals, **(d or {})}


class Portal(Flask):
    jinja_environment = PortalJinja

    def dispatch_request(self):
        from app.errors import dispatch_with_retry

        return dispatch_with_retry(lambda: Flask.dispatch_request(self))


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_environment()
    if issubclass(config_class, ProductionConfig):
        config_class.check()

    app = Portal(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    if not app.config.get("SECRET_KEY") and app.config.get("GENERATE_SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key()
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set.")
    logging.basicConfig(level=logging.INFO)

    from app.input import register_input_checks

    register_input_checks(app)  # first: its `int` converter must exist before any blueprint
    _init_extensions(app)
    _init_templates(app)
    _register_blueprints(app)

    from app.assets import init_assets
    from app.errors import register_error_handlers
    from app.security import register_security_headers
    from app.security_log import init_security_log

    register_error_handlers(app)
    register_security_headers(app)
    init_security_log(app)
    init_assets(app)
    if app.config.get("COUNT_QUERIES"):
        from app.querycount import init_query_count

        init_query_count(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    return app


def _init_extensions(app: Flask) -> None:
    from app.auth.routes import unauthorized
    from app.auth.services import load_session_user
    from app.connection_check import check_after_idle
    from app.extensions import csrf, db, htmx, limiter, login_manager, migrate
    from app.sqlite_writers import taking_turns

    import_module("app.postgres_reads")  # its listeners: a request's reads outside a transaction

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = taking_turns(
        app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), app.config["SQLALCHEMY_DATABASE_URI"]
    )
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            check_after_idle(engine, app.config["DATABASE_CHECK_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    login_manager.unauthorized_handler(unauthorized)
    # Our own session records replace Flask-Login's session protection and remember-me cookie.
    login_manager.session_protection = None


def _init_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.root_path + "/templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")
    WTFormsHelpers(app)

    from app.templating import register_template_helpers

    register_template_helpers(app)


# The feature packages. Each has a blueprint `bp` in its __init__ and its views in routes.py. By
# convention it may also have: `navigation` (header entries) in its __init__, permissions.py
# (its named permissions), panels.py (home-page panels), audit_words.py (its events and records in
# the audit trail's words), demo.py (`seed()` for `flask demo seed`) and cli.py (`commands`, a list
# of click commands). Adding a module: a folder and its name here.
FEATURES = (
    "auth",
    "home",
    "admin",
    "audit",
    "thresholds",
    "actions",
    "programme",
    "notifications",
    "participation",
    "returns",
    "progress",
    "inspection",
    "briefings",
)


def _optional_module(feature: str, name: str):
    if importlib.util.find_spec(f"app.{feature}.{name}"):
        return importlib.import_module(f"app.{feature}.{name}")
    return None


def _register_blueprints(app: Flask) -> None:
    from app import cli as core_cli
    from app.backup import backup_cli

    # Every feature's models first: a route module may name a relationship at import time
    # (a loader option), which configures every mapper, and one model may name another's by string.
    for name in FEATURES:
        _optional_module(name, "models")
    navigation = []
    for name in FEATURES:
        feature = importlib.import_module(f"app.{name}")
        _optional_module(name, "permissions")
        importlib.import_module(f"app.{name}.routes")
        _optional_module(name, "panels")
        _optional_module(name, "audit_words")
        app.register_blueprint(feature.bp)
        navigation.extend(getattr(feature, "navigation", []))
        feature_cli = _optional_module(name, "cli")
        for command in getattr(feature_cli, "commands", []):
            app.cli.add_command(command)
    app.extensions["portal_navigation"] = sorted(navigation, key=lambda item: item.order)
    app.cli.add_command(core_cli.demo_cli)
    app.cli.add_command(core_cli.permissions_cli)
    app.cli.add_command(backup_cli)


def demo_scalers():
    """Each feature's demo.scale(targets, progress), where it has one, in FEATURES order."""
    modules = [_optional_module(name, "demo") for name in FEATURES]
    return [module.scale for module in modules if module is not None and hasattr(module, "scale")]


def demo_seeders():
    """Each feature's demo.seed(), in FEATURES order (later features build on earlier ones)."""
    modules = [_optional_module(name, "demo") for name in FEATURES]
    return [module.seed for module in modules if module is not None and hasattr(module, "seed")]
