"""Migrations: they build an empty SQLite and an empty MariaDB database, match the models, and downgrade.

Each backend gets a throwaway database of its own (a SQLite file; on MariaDB ``<test database>_mig``, created
and dropped here) and an app pointed at it; Flask-Migrate's ``upgrade``/``downgrade`` run in that app's context.
"""

import contextlib
import logging
import os

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from config import TestingConfig
from jlt_family import create_app
from jlt_family.core.extensions import db


@pytest.fixture(autouse=True)
def _keep_logging():
    """Alembic's env.py reconfigures logging from alembic.ini; put the test run's logging back afterwards."""
    manager = logging.Logger.manager
    loggers = [logging.root, *(lg for lg in manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    saved = [(lg, lg.level, list(lg.handlers), lg.propagate, lg.disabled) for lg in loggers]
    yield
    for lg, level, handlers, propagate, disabled in saved:
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.propagate, lg.disabled = propagate, disabled


@contextlib.contextmanager
def _mysql_database():
    """A fresh ``<test database>_mig`` next to the test database, dropped afterwards."""
    url = sa.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_mig"
    server = sa.create_engine(url.set(database=""))
    drop = sa.text(f"DROP DATABASE IF EXISTS `{name}`")
    with server.begin() as conn:
        conn.execute(drop)
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.begin() as conn:
            conn.execute(drop)
        server.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def migration_app(request, tmp_path_factory):
    """An app on a throwaway database of each backend (MariaDB only when the run is on MariaDB)."""
    with contextlib.ExitStack() as stack:
        if request.param == "mysql":
            url = stack.enter_context(_mysql_database())
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('migrations')}/empty.db"

        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(Config)
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def migrating(migration_app):
    """Inside the migration app, on an empty database."""
    with migration_app.app_context():
        existing = sa.MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)
        yield
        db.session.remove()


def _tables():
    return set(sa.inspect(db.engine).get_table_names())


def _drift():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_builds_every_table_on_an_empty_database(migrating):
    assert _tables() == set()
    flask_migrate.upgrade()
    assert _tables() == set(db.metadata.tables) | {"alembic_version"}


def test_models_and_migrations_do_not_drift(migrating):
    flask_migrate.upgrade()
    assert _drift() == []


def test_newest_migration_downgrades_and_upgrades_again(migrating):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="-1")
    flask_migrate.downgrade(revision="base")
    assert _tables() == {"alembic_version"}
    flask_migrate.upgrade()
    assert _tables() == set(db.metadata.tables) | {"alembic_version"}
    assert _drift() == []
