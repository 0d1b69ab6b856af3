"""SQLite keeps MariaDB's guarantees: every transaction holds the write lock from its BEGIN (BEGIN IMMEDIATE),
savepoints belong to their transaction, DDL rolls back, and a request that cannot get the lock answers 503."""

import sqlite3
import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.core.models import RateLimitCounter
from jlt_family.core.sqlite_transactions import READ_ONLY

API = "/api/v1"


@pytest.fixture
def sqlite_file(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own transaction handling (MariaDB has row locks and implicit DDL commits)")
    return db.engine


@pytest.fixture
def impatient_app(sqlite_file):
    """A second app on the same SQLite file that waits only 0.2 s for the write lock."""
    from config import TestingConfig
    from jlt_family import create_app
    from jlt_family.core.extensions import db

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = sqlite_file.url.render_as_string(hide_password=False)
        DB_STATEMENT_TIMEOUT_SECONDS = 0.2  # a request's bound: on SQLite the busy timeout

    other = create_app(Config)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _counters(db):
    return db.session.scalars(sa.select(RateLimitCounter.bucket).order_by(RateLimitCounter.bucket)).all()


def test_a_transaction_that_has_only_read_already_holds_the_write_lock(sqlite_file):
    with sqlite_file.connect() as reader:
        reader.execute(sa.text("SELECT 1"))
        other = sqlite3.connect(sqlite_file.url.database, timeout=0, isolation_level=None)  # another process
        try:
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        reader.rollback()


def test_a_read_only_connection_begins_without_the_lock(sqlite_file):
    with sqlite_file.connect() as holder:
        holder.execute(sa.text("SELECT 1"))
        with sqlite_file.connect().execution_options(**READ_ONLY) as reader:
            assert reader.execute(sa.text("SELECT 1")).scalar() == 1


def test_a_released_savepoint_is_undone_with_its_transaction(db):
    """The savepoint comes after reads only: with the driver's lazy BEGIN it was a transaction of its own, and
    its release committed the row that the outer rollback should have taken away."""
    db.session.scalar(sa.select(sa.func.count()).select_from(RateLimitCounter))
    with db.session.begin_nested():
        db.session.add(RateLimitCounter(bucket="inside-savepoint", window_start=0, hits=1))
    db.session.rollback()
    assert _counters(db) == []


def test_a_rolled_back_savepoint_keeps_the_rest_of_its_transaction(db):
    db.session.add(RateLimitCounter(bucket="kept", window_start=0, hits=1))
    db.session.flush()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        db.session.add(RateLimitCounter(bucket="dropped", window_start=0, hits=1))
        db.session.flush()
        raise RuntimeError("the step inside the savepoint failed")
    db.session.commit()
    assert _counters(db) == ["kept"]


def test_ddl_rolls_back_with_its_transaction(sqlite_file):
    """Alembic runs each migration in one transaction: one that fails half-way leaves no table behind."""
    with pytest.raises(RuntimeError), sqlite_file.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE half_done_migration (id INTEGER PRIMARY KEY)")
        raise RuntimeError("the migration's next step failed")
    assert "half_done_migration" not in sa.inspect(sqlite_file).get_table_names()


def test_a_request_that_cannot_get_the_write_lock_answers_503_database_busy(
    impatient_app, sqlite_file, make, world, db
):
    headers = make.login(world.guardian_a)
    db.session.commit()
    client = impatient_app.test_client()
    with sqlite_file.connect() as holder:
        holder.execute(sa.text("SELECT 1"))  # a transaction of another process, say, holding the lock
        response = client.patch(f"{API}/family", headers=headers, json={"home_address": "新地址9号"})
        assert client.get("/healthz").status_code == 200
        holder.rollback()
    assert (response.status_code, response.json["code"]) == (503, "database_busy")
    assert response.headers["Retry-After"] == "1"
    assert response.json["message"] == "系统繁忙，请稍后重试"
    after = client.patch(f"{API}/family", headers=headers, json={"home_address": "新地址9号"})
    assert after.status_code == 200, after.json


def test_one_actor_computing_its_scope_does_not_hold_up_another():
    """Python 3.11's functools.cached_property computes under one lock shared by every instance: a request
    waiting for the database there held up every other request's first use of the same scope."""
    first_inside, release = threading.Event(), threading.Event()

    def guardian_of(_user_id):
        if threading.current_thread().name == "first":
            first_inside.set()
            release.wait(10)
        return None

    scopes = SimpleNamespace(guardian_of=guardian_of)
    first = threading.Thread(target=lambda: Actor(SimpleNamespace(id=1), scopes=scopes).guardian, name="first")
    second = threading.Thread(target=lambda: Actor(SimpleNamespace(id=2), scopes=scopes).guardian, name="second")
    first.start()
    first_inside.wait(10)
    second.start()
    second.join(timeout=5)  # a liveness bound: with the shared lock it waits for ``release``
    done_while_first_waits = not second.is_alive()
    release.set()
    first.join()
    second.join()
    assert done_while_first_waits
