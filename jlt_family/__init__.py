"""jlt-family: the backend of the 教联体 family-services mini-program."""

import logging
import random
import time

from flask import Flask

from config import config_for
from jlt_family.core import messages  # noqa: F401  (Chinese validation messages, before any schema is built)


class JltFlask(Flask):
    """Flask that runs a request once more when the database rolled it back for a deadlock.

    Under contention InnoDB may pick a transaction as a deadlock victim even when locks are taken in a fixed
    order (gap locks on inserts); the whole transaction is then undone, so running the view again is safe.
    """

    LOCK_CONFLICT_RETRIES = 3

    def dispatch_request(self):
        from jlt_family.core.errors import is_lock_conflict, is_sqlite_busy
        from jlt_family.core.extensions import db

        for attempt in range(self.LOCK_CONFLICT_RETRIES + 1):
            try:
                return super().dispatch_request()
            except Exception as exc:
                # SQLite's busy error comes after the whole busy timeout spent waiting for the write lock, with
                # nothing done: running the view again would only wait as long again (503 database_busy).
                if not is_lock_conflict(exc) or is_sqlite_busy(exc) or attempt == self.LOCK_CONFLICT_RETRIES:
                    raise
                db.session.rollback()
                self.logger.info("lock conflict (%s); running the request again", exc.orig.args[0])
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # let the winner finish first


def create_app(config_class=None):
    """Application factory: binds the extensions and registers every domain's blueprint."""
    from jlt_family.core import dbwaits
    from jlt_family.core.extensions import api, db, migrate

    config_class = config_class or config_for()
    app = JltFlask(__name__, instance_relative_config=True)
    app.config.from_object(config_class())
    _check_settings(app)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.json.ensure_ascii = False

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N trusted proxies: the client address (rate limits, audit log) comes from X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])
    _prepare_sqlite_dir(app)
    _bound_database_waits(app)
    db.init_app(app)
    _configure_engine_events(app)
    dbwaits.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))

    from jlt_family.core.routing import IdConverter, id_param_schema

    app.url_map.converters["id"] = IdConverter
    api.init_app(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
            }
        },
    )
    api.register_converter(IdConverter, id_param_schema)

    from jlt_family.core.errors import register_error_handlers

    register_error_handlers(app)

    from jlt_family import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from jlt_family.access import init_app as init_access
    from jlt_family.auth import hooks

    init_access(app)  # the scope queries every Actor asks
    hooks.init_app(app)
    _register_blueprints(app, api)

    from jlt_family.core import cli, health, logprivacy
    from jlt_family.wechat import cli as wechat_cli

    logprivacy.init_app(app)
    health.init_app(app)
    cli.init_app(app)
    wechat_cli.init_app(app)

    from jlt_family import dashboard

    dashboard.init_app(app)  # the web dashboard's pages: a plain blueprint, outside the OpenAPI
    return app


# One blueprint per domain (each domain's routes.py defines ``blp``; its other route modules add to it).
BLUEPRINT_MODULES = (
    "jlt_family.auth.routes",
    "jlt_family.organizations.routes",
    "jlt_family.families.routes",
    "jlt_family.courses.routes",
    "jlt_family.visits.routes",
    "jlt_family.venues.routes",
    "jlt_family.reminders.routes",
    "jlt_family.alliances.routes",
    "jlt_family.matching.routes",
    "jlt_family.catalogue.routes",
    "jlt_family.reports.routes",
    "jlt_family.dashboard.routes",
    "jlt_family.access.audit_routes",
)


def _register_blueprints(app, api):
    import importlib

    for name in BLUEPRINT_MODULES:
        api.register_blueprint(importlib.import_module(name).blp)


def _check_settings(app):
    """Production refuses to start without a real secret key, a database and the WeChat settings."""
    if app.config.get("ENV_NAME") != "production":
        return
    missing = [name for name in app.config["REQUIRED"] if not app.config.get(name)]
    if missing:
        raise RuntimeError(f"production needs these settings: {', '.join(missing)}")
    if len(app.config["SECRET_KEY"]) < 32:
        raise RuntimeError("production needs a SECRET_KEY of at least 32 characters")


def _prepare_sqlite_dir(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _configure_engine_events(app):
    """MySQL sessions in UTC; SQLite with foreign keys on, a busy timeout for concurrent writers, and every
    transaction holding the write lock from its BEGIN (``BEGIN IMMEDIATE``: jlt_family/core/sqlite_transactions.py)."""
    import sqlalchemy as sa

    from jlt_family.core import sqlite_transactions
    from jlt_family.core.extensions import db

    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cursor = dbapi_conn.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA foreign_keys=ON")
            # the request bound until core/dbwaits gives the checked-out connection its own
            cursor.execute(f"PRAGMA busy_timeout={int(app.config['DB_STATEMENT_TIMEOUT_SECONDS'] * 1000)}")
            cursor.execute("PRAGMA journal_mode=WAL")
        else:
            cursor.execute("SET time_zone = '+00:00'")
        cursor.close()

    if sqlite_transactions.is_file_database(engine):
        sqlite_transactions.take_the_write_lock_at_begin(engine)


def _bound_database_waits(app):
    """MySQL/MariaDB connections with connect, read and write timeouts (a lost database fails fast: 503); the
    bound of each statement, short in requests and longer in jobs, is set on checkout (core/dbwaits.py)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        return
    from jlt_family.core.dbwaits import bounds

    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    socket = bounds(app.config)["request"].socket
    connect_args.setdefault("connect_timeout", app.config["DB_CONNECT_TIMEOUT_SECONDS"])
    connect_args.setdefault("read_timeout", socket)
    connect_args.setdefault("write_timeout", socket)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
