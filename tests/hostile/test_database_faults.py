"""MariaDB lost during load, through a TCP proxy between the app and the database (the shared server is never
stopped): requests fail fast with 503 ``database_unavailable``, the service recovers by itself when the
database is back (pool_pre_ping, no restart), and a write cut mid-way leaves nothing behind.
"""

import contextlib
import io
import os
import threading

import pytest
import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Student
from tests.hostile.tcp_proxy import TcpProxy

pytestmark = pytest.mark.mysql(reason="cuts the TCP connection to the database server")

API = "/api/v1"


@pytest.fixture
def proxy():
    url = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    with TcpProxy(url.host or "127.0.0.1", url.port or 3306) as tcp_proxy:
        yield tcp_proxy


@pytest.fixture
def proxied_app(proxy):
    """A second app on the same test database, through the proxy, with short database timeouts."""
    from config import TestingConfig
    from jlt_family import create_app

    url = sa.engine.make_url(os.environ["TEST_DATABASE_URL"]).set(host="127.0.0.1", port=proxy.port)

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url.render_as_string(hide_password=False)
        DB_CONNECT_TIMEOUT_SECONDS = 2
        DB_READ_TIMEOUT_SECONDS = 2

    proxied = create_app(Config)
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def _code(response):
    return response.status_code, (response.get_json() or {}).get("code")


def test_connections_carry_bounded_timeouts(proxied_app):
    """A request's statements wait at most 5 s at the server, its socket 5 + 2 s; a job's 600 s, 600 + 2 s."""

    def bounds():
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            limit = conn.execute(sa.text("SELECT @@max_statement_time")).scalar()
            return raw.connect_timeout, raw._read_timeout, raw._write_timeout, float(limit)

    with proxied_app.test_request_context(f"{API}/me"):
        assert bounds() == (2, 7, 7, 5.0)
    with proxied_app.app_context():
        assert bounds() == (2, 602, 602, 600.0)
    with proxied_app.test_request_context(f"{API}/reports/schools/1"):  # a report: the jobs' bound
        assert bounds() == (2, 602, 602, 600.0)


def test_lost_database_answers_503_then_recovers_without_restart(proxied_app, proxy, make, world):
    headers = make.login(world.guardian_a)
    client = proxied_app.test_client()
    assert _code(client.get(f"{API}/me", headers=headers)) == (200, None)
    assert client.get("/readyz").status_code == 200

    proxy.cut()
    for _ in range(3):
        assert _code(client.get(f"{API}/me", headers=headers)) == (503, "database_unavailable")
    assert _code(client.patch(f"{API}/family", headers=headers, json={"home_address": "新地址9号"})) == (
        503,
        "database_unavailable",
    )
    assert _code(client.get("/readyz")) == (503, "database_unavailable")

    proxy.restore()
    assert _code(client.get(f"{API}/me", headers=headers)) == (200, None)
    assert _code(client.patch(f"{API}/family", headers=headers, json={"home_address": "新地址9号"})) == (200, None)
    assert client.get("/readyz").status_code == 200


def test_hung_database_fails_the_request_instead_of_holding_it(proxied_app, proxy, make, world):
    headers = make.login(world.guardian_a)
    client = proxied_app.test_client()
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    proxy.blackhole()  # connections are accepted and never answered
    answers = []
    worker = threading.Thread(target=lambda: answers.append(_code(client.get(f"{API}/me", headers=headers))))
    worker.start()
    worker.join(timeout=60)  # a liveness bound, far above the 2 s timeouts: without them the thread never ends
    assert not worker.is_alive(), "the request hung on a silent database"
    assert answers == [(503, "database_unavailable")]
    proxy.cut()
    proxy.restore()
    assert client.get(f"{API}/me", headers=headers).status_code == 200


def _roster():
    rows = "".join(f"2026,3,三年级9班,R20269{n:02d},钱小{n},男\n" for n in range(5))
    return {"file": (io.BytesIO(("学年,年级,班级,学号,姓名,性别\n" + rows).encode()), "roster.csv")}


def test_write_cut_mid_way_leaves_no_partial_rows(proxied_app, proxy, make, world):
    headers = make.login(world.school_admin)
    client = proxied_app.test_client()
    url = f"{API}/schools/{world.school.id}/roster-import"
    with proxied_app.app_context():
        engine = db.engine

    def cut_before_students(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO STUDENT"):
            proxy.cut()  # the class row is written, the students are not: the database is lost in between

    sa.event.listen(engine, "before_cursor_execute", cut_before_students)
    try:
        response = client.post(url, headers=headers, data=_roster(), content_type="multipart/form-data")
    finally:
        sa.event.remove(engine, "before_cursor_execute", cut_before_students)
    assert _code(response) == (503, "database_unavailable")

    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SchoolClass)
            .where(SchoolClass.school_id == world.school.id, SchoolClass.name == "三年级9班")
        )
        == 0
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Student).where(Student.student_no.like("R20269%")))
        == 0
    )

    proxy.restore()
    response = client.post(url, headers=headers, data=_roster(), content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    db.session.rollback()
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Student).where(Student.student_no.like("R20269%")))
        == 5
    )


@pytest.fixture
def bounded_app():
    """A second app on the test database with a 1 s bound per request statement."""
    from config import TestingConfig
    from jlt_family import create_app

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = os.environ["TEST_DATABASE_URL"]
        DB_STATEMENT_TIMEOUT_SECONDS = 1

    bounded = create_app(Config)
    yield bounded
    with bounded.app_context():
        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def _frozen(*tables, hold_at_most=60):
    """Another connection holds ``LOCK TABLES ... WRITE`` on ``tables``: every read of them waits. It lets go
    when the block ends, or by itself after ``hold_at_most`` seconds (a hang guard)."""
    locked, done, engine = threading.Event(), threading.Event(), db.engine

    def hold():
        with engine.connect() as conn:
            conn.exec_driver_sql("LOCK TABLES " + ", ".join(f"`{t}` WRITE" for t in tables))
            locked.set()
            done.wait(hold_at_most)
            conn.exec_driver_sql("UNLOCK TABLES")

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(30)
    try:
        yield
    finally:
        done.set()
        holder.join(timeout=30)


def _statements_interrupted():
    with db.engine.connect() as conn:
        return int(conn.execute(sa.text("SHOW GLOBAL STATUS LIKE 'Max_statement_time_exceeded'")).one()[1])


def test_a_frozen_table_fails_the_request_fast_and_healthz_answers_meanwhile(bounded_app, make, world):
    headers = make.login(world.guardian_a)
    db.session.commit()
    client = bounded_app.test_client()
    assert _code(client.get(f"{API}/me", headers=headers)) == (200, None)
    interrupted = _statements_interrupted()
    with bounded_app.app_context():
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with _frozen("user", "user_session"):
        answers = []
        worker = threading.Thread(target=lambda: answers.append(client.get(f"{API}/me", headers=headers)))
        worker.start()
        worker.join(timeout=50)  # a hang guard: without the bound the request waits for the lock to go
        assert not worker.is_alive()
        [response] = answers
        assert _code(response) == (503, "database_timeout") and response.headers["Retry-After"]
        assert _statements_interrupted() > interrupted  # the server interrupted the statement at its bound
        del statements[:]
        # liveness answers without the database, even with a bearer token; readiness too: the server is up
        assert client.get("/healthz", headers=headers).get_json() == {"status": "ok"}
        assert statements == []
        assert _code(client.get("/readyz")) == (200, None)
    assert _code(client.get(f"{API}/me", headers=headers)) == (200, None)
