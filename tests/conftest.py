"""Test harness: one app per run on TEST_DATABASE_URL (default: a SQLite file), tables emptied after each test.

Set TEST_DATABASE_URL=mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4 to run on MariaDB. Races run on
both (tests/races.py; on the SQLite file every transaction takes the write lock at its BEGIN); tests marked
``mysql`` need what only MySQL/MariaDB has (SKIP LOCKED, its lock waits, a TCP server) and run only there. Set
JLT_TEST_CLOCK=2027-08-31T23:50+08:00 (or ``--clock=...``) to run the whole process from that instant (see
tests/clock.py).
"""

import os
import tempfile

import pytest
import sqlalchemy as sa

from tests import clock
from tests.factories import Factory

_process_clock = pytest.StashKey()

_tmpdir = tempfile.mkdtemp(prefix="jlt-tests-")
os.environ.setdefault("TEST_DATABASE_URL", f"sqlite:///{_tmpdir}/test.db")


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get(clock.ENV) or None,
        metavar="INSTANT",
        help=f"run the tests from this ISO 8601 instant, ticking (default: ${clock.ENV}, else now)",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "mysql(reason): needs MySQL/MariaDB itself (concurrent transactions, InnoDB's "
        "lock waits, a TCP server to cut); the reason says which",
    )
    config.addinivalue_line("markers", 'shanghai_time("HH:MM"): run the test today at that time in Shanghai')
    instant = config.getoption("--clock")
    if instant:
        config.stash[_process_clock] = clock.start_process_clock(instant)


def pytest_unconfigure(config):
    travel = config.stash.get(_process_clock, None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config):
    from jlt_family.core.timeutil import to_shanghai, utcnow

    moved = "moved by --clock/" + clock.ENV if _process_clock in config.stash else "the real clock"
    return f"clock: {to_shanghai(utcnow()).isoformat(timespec='minutes')} Asia/Shanghai ({moved})"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("shanghai_time"):
            item.fixturenames.insert(0, "_shanghai_time")
    if not os.environ["TEST_DATABASE_URL"].startswith("mysql"):
        for item in items:
            marker = item.get_closest_marker("mysql")
            if marker is not None:
                why = marker.kwargs.get("reason")
                reason = "needs TEST_DATABASE_URL on MariaDB/MySQL" + (f": {why}" if why else "")
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _shanghai_time(request):
    """The test's clock: today at the marker's time of day in Shanghai (``@pytest.mark.shanghai_time("10:00")``),
    ticking, from before the test's first fixture."""
    with clock.shanghai_time(*request.node.get_closest_marker("shanghai_time").args):
        yield


@pytest.fixture(scope="session")
def app():
    from config import TestingConfig
    from jlt_family import create_app
    from jlt_family.core.extensions import db

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = os.environ["TEST_DATABASE_URL"]
        # The races queue 30 requests at a time for SQLite's one write lock, on a machine busy with other suites:
        # a request's bound (on SQLite its busy timeout, core/dbwaits.py) is longer there than in production
        if not SQLALCHEMY_DATABASE_URI.startswith("mysql"):
            DB_STATEMENT_TIMEOUT_SECONDS = 30

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _app_context(app):
    from jlt_family.core.extensions import db

    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _empty_tables(db)


def _empty_tables(db):
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # Inside the transaction (every one begins with BEGIN IMMEDIATE) PRAGMA foreign_keys does nothing;
            # deferred checks are met at the COMMIT, when every table is empty.
            conn.execute(sa.text("PRAGMA defer_foreign_keys=ON"))
        else:
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        if conn.dialect.name != "sqlite":
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture
def db():
    from jlt_family.core.extensions import db

    return db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(db):
    """Factories: ``make.school()``, ``make.student(school_class=c)``, ``make.login(user)`` ..."""
    return Factory(db)


@pytest.fixture
def world(make):
    """A county with an alliance, two schools, classes, families and one user per role (see Factory.world)."""
    return make.world()


@pytest.fixture
def call(client, make):
    """``call("GET", "/api/v1/...", user)``: a request with ``user``'s token (none for ``user=None``)."""
    tokens = {}

    def _call(method, path, user=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            if user.id not in tokens:
                tokens[user.id] = make.login(user)
            headers.update(tokens[user.id])
        return client.open(path, method=method, headers=headers, **kwargs)

    return _call


@pytest.fixture(scope="module")
def fake_server():
    """A fake WeChat server per module: a real HTTP server on 127.0.0.1 (see jlt_family.devtools.fake_wechat)."""
    from jlt_family.devtools.fake_wechat import FakeWeChat

    with FakeWeChat() as server:
        yield server


@pytest.fixture
def fake(fake_server):
    """The module's fake WeChat server, reset (no injected faults, no recorded calls) for this test."""
    fake_server.reset()
    return fake_server


@pytest.fixture
def configure(app):
    """``configure(KEY=value, ...)`` changes the app's settings for this test only."""
    saved = {}

    def _set(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config[key])
            app.config[key] = value

    yield _set
    app.config.update(saved)


@pytest.fixture
def wechat_mode(configure, fake):
    """The app in WeChat mode (an app id is set), talking to the fake WeChat server."""
    configure(
        WECHAT_APPID=fake.appid, WECHAT_SECRET=fake.secret, WECHAT_API_BASE=fake.base_url, WECHAT_TIMEOUT_SECONDS=0.5
    )
    return fake


@pytest.fixture
def count_queries(db):
    """``with count_queries() as counted: ...`` then ``counted.n``: SQL statements the block ran."""
    import contextlib
    from types import SimpleNamespace

    @contextlib.contextmanager
    def _count():
        counted = SimpleNamespace(n=0)

        def _on_execute(_conn, _cursor, statement, *_args):
            if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE: MySQL's begin is no statement
                counted.n += 1

        sa.event.listen(db.engine, "before_cursor_execute", _on_execute)
        try:
            yield counted
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", _on_execute)

    return _count


@pytest.fixture
def seeded(db):
    """The demo data (``jlt_family.devtools.demo.seed_demo``) committed; its summary."""
    from jlt_family.devtools.demo import seed_demo

    summary = seed_demo()
    db.session.commit()
    return summary
