"""jlt-family: the backend of the 教联体 family-services mini-program."""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_for
from jlt_family.core import messages  # noqa: F401  (Chinese validation messages, before any schema is built)
from jlt_family.core.request_body import BoundedRequest

# isort: split
from jlt_family.core import cli, dbwaits, health, logprivacy, scheduler, sqlite_transactions
from jlt_family.core.api import JltApi
from jlt_family.core.errors import is_lock_conflict, is_sqlite_busy, register_error_handlers
from jlt_family.core.extensions import api, db, migrate
from jlt_family.core.routing import IdConverter, id_param_schema


class JltFlask(Flask):
    """Flask that runs a request once more when the database rolled it back for a deadlock.

    Under contention InnoDB may pick a transaction as a deadlock victim even when locks are taken in a fixed
    order (gap locks on inserts); the whole transaction is then undone, so running the view again is safe.
    """

    LOCK_CONFLICT_RETRIES = 3
    request_class = BoundedRequest  # a chunked body over MAX_CONTENT_LENGTH is 413 too (core/request_body.py)

    def dispatch_request(self) -> ResponseReturnValue:
        for attempt in range(self.LOCK_CONFLICT_RETRIES + 1):
            try:
                return super().dispatch_request()
            except Exception as exc:
                # SQLite's busy error comes after the whole busy timeout spent waiting for the write lock, with
                # nothing done: running the view again would only wait as long again (503 database_busy).
                if not is_lock_conflict(exc) or is_sqlite_busy(exc) or attempt == self.LOCK_CONFLICT_RETRIES:
                    raise
                db.session.rollback()
                self.logger.info("lock conflict (%s); running the request again", exc.orig.args[0])  # type: ignore[attr-defined]
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # let the winner finish first
        raise AssertionError("unreachable: the last attempt returns or raises")


def create_app(config_class: type | None = None) -> Flask:
    """Application factory: binds the extensions, then registers every domain's blueprints, event receivers
    and scheduled jobs (``_register_domains``)."""
    config_class = config_class or config_for()
    app = JltFlask(__name__, instance_relative_config=True)
    app.config.from_object(config_class())
    _check_settings(app)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    if app.config["PROXY_COUNT"]:
        # Behind N trusted proxies: the client address (rate limits, audit log) comes from X-Forwarded-For.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"]
        )
    _prepare_sqlite_dir(app)
    _bound_database_waits(app)
    db.init_app(app)
    _configure_engine_events(app)
    dbwaits.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))

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
    register_error_handlers(app)
    _register_domains(app, api)
    logprivacy.init_app(app)
    health.init_app(app)
    cli.init_app(app)
    return app


def _register_domains(app: Flask, api: JltApi) -> None:
    """Every domain's blueprint (in this order: the OpenAPI document lists them so), the receivers of the domain
    events and the scheduled jobs, named one by one."""
    # Imported here, not at the top of the module (the Flask app-factory idiom): importing any jlt_family module
    # runs this file first, and every domain imports jlt_family.core; at the top, importing one core module
    # would load every domain, which would import core back while this file is still half-run.
    # deferred: the app-factory idiom, for the reason above
    from jlt_family import dashboard
    from jlt_family import models as _models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from jlt_family.access import init_app as init_access
    from jlt_family.access.audit_routes import blp as audit_blp
    from jlt_family.alliances.routes import blp as alliances_blp
    from jlt_family.auth import hooks
    from jlt_family.auth import tasks as auth_tasks
    from jlt_family.auth.routes import blp as auth_blp
    from jlt_family.catalogue.routes import blp as catalogue_blp
    from jlt_family.courses import receivers as courses_receivers
    from jlt_family.courses import tasks as courses_tasks
    from jlt_family.courses.routes import blp as courses_blp
    from jlt_family.dashboard.routes import blp as dashboard_blp
    from jlt_family.families.routes import blp as families_blp
    from jlt_family.matching.routes import blp as matching_blp
    from jlt_family.organizations.routes import blp as organizations_blp
    from jlt_family.reminders import receivers as reminders_receivers
    from jlt_family.reminders import tasks as reminders_tasks
    from jlt_family.reminders.routes import blp as reminders_blp
    from jlt_family.reports.routes import blp as reports_blp
    from jlt_family.venues import tasks as venues_tasks
    from jlt_family.venues.routes import blp as venues_blp
    from jlt_family.visits.routes import blp as visits_blp
    from jlt_family.wechat import cli as wechat_cli

    init_access(app)  # the scope queries every Actor asks
    hooks.init_app(app)
    for blueprint in (
        auth_blp,
        organizations_blp,
        families_blp,
        courses_blp,
        visits_blp,
        venues_blp,
        reminders_blp,
        alliances_blp,
        matching_blp,
        catalogue_blp,
        reports_blp,
        dashboard_blp,
        audit_blp,
    ):
        api.register_blueprint(blueprint)
    # Courses give back a leaving guardian's places before reminders cancel what was still to be sent to them.
    courses_receivers.connect()
    reminders_receivers.connect()
    scheduler.register_jobs(app, (*auth_tasks.JOBS, *courses_tasks.JOBS, *venues_tasks.JOBS, *reminders_tasks.JOBS))
    wechat_cli.init_app(app)
    dashboard.init_app(app)  # the web dashboard's pages: a plain blueprint, outside the OpenAPI


def _check_settings(app: Flask) -> None:
    """Production refuses to start without a real secret key, a database and the WeChat settings."""
    if app.config.get("ENV_NAME") != "production":
        return
    missing = [name for name in app.config["REQUIRED"] if not app.config.get(name)]
    if missing:
        raise RuntimeError(f"production needs these settings: {', '.join(missing)}")
    if len(app.config["SECRET_KEY"]) < 32:
        raise RuntimeError("production needs a SECRET_KEY of at least 32 characters")


def _prepare_sqlite_dir(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _configure_engine_events(app: Flask) -> None:
    """MySQL sessions in UTC; SQLite with foreign keys on, a busy timeout for concurrent writers, and every
    transaction holding the write lock from its BEGIN (``BEGIN IMMEDIATE``: jlt_family/core/sqlite_transactions.py)."""
    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
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


def _bound_database_waits(app: Flask) -> None:
    """MySQL/MariaDB connections with connect, read and write timeouts (a lost database fails fast: 503); the
    bound of each statement, short in requests and longer in jobs, is set on checkout (core/dbwaits.py)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        return
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    socket = dbwaits.bounds(app.config)["request"].socket
    connect_args.setdefault("connect_timeout", app.config["DB_CONNECT_TIMEOUT_SECONDS"])
    connect_args.setdefault("read_timeout", socket)
    connect_args.setdefault("write_timeout", socket)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations"
