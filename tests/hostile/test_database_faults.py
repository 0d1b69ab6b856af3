"""MariaDB lost during load, through a TCP proxy between the app and the database (the shared server is never
stopped): requests fail fast with 503 ``database_unavailable``, the service recovers by itself when the
database is back (pool_pre_ping, no restart), and a write cut mid-way leaves nothing behind.
"""

import io
import os
import threading

import pytest
import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.families.models import Student
from jlt_family.organizations.models import SchoolClass
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
    with proxied_app.app_context():
        connection = db.engine.raw_connection()
        try:
            raw = connection.dbapi_connection
            assert (raw.connect_timeout, raw._read_timeout, raw._write_timeout) == (2, 2, 2)
        finally:
            connection.close()


def test_lost_database_answers_503_then_recovers_without_restart(proxied_app, proxy, make, world):
    headers = make.login(world.guardian_a)
    client = proxied_app.test_client()
    assert _code(client.get(f"{API}/me", headers=headers)) == (200, None)
    assert client.get("/readyz").status_code == 200

    proxy.cut()
    for _ in range(3):
        assert _code(client.get(f"{API}/me", headers=headers)) == (503, "database_unavailable")
    assert _code(client.patch(f"{API}/family", headers=headers, json={"home_address": "新地址9号"})) == (
        503, "database_unavailable")
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
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SchoolClass).where(
        SchoolClass.school_id == world.school.id, SchoolClass.name == "三年级9班")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Student).where(
        Student.student_no.like("R20269%"))) == 0

    proxy.restore()
    response = client.post(url, headers=headers, data=_roster(), content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Student).where(
        Student.student_no.like("R20269%"))) == 5
