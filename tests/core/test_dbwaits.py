"""Database waits are bounded per statement: short in requests, longer in jobs and reports, /readyz its own."""

import sqlalchemy as sa

from jlt_family.core.extensions import db

API = "/api/v1"


def _statement_bound():
    """The bound, in seconds, the connection a statement runs on now carries at the database."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return conn.exec_driver_sql("PRAGMA busy_timeout").scalar() / 1000
        return float(conn.execute(sa.text("SELECT @@max_statement_time")).scalar())


def test_requests_wait_a_few_seconds_jobs_and_reports_longer(app):
    with app.test_request_context(f"{API}/me"):
        assert _statement_bound() == app.config["DB_STATEMENT_TIMEOUT_SECONDS"] < 600
    with app.app_context():  # a job: the dispatcher, the scheduler, migrations, imports from the command line
        assert _statement_bound() == app.config["DB_JOB_STATEMENT_TIMEOUT_SECONDS"] == 600
    with app.test_request_context(f"{API}/reports/schools/1/export"):
        assert _statement_bound() == 600
    with app.test_request_context(f"{API}/schools/1/roster-import", method="POST"):
        assert _statement_bound() == 600
    with app.test_request_context(f"{API}/me"):  # the same pooled connection, back to the request bound
        assert _statement_bound() == app.config["DB_STATEMENT_TIMEOUT_SECONDS"]


def test_readyz_checks_the_database_under_its_own_short_bound(client):
    bounds = []

    def record(conn, *_args):
        bounds.append(_bound_of(conn))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/readyz").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert bounds and set(bounds) == {2}


def _bound_of(conn):
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        return raw.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    cursor = raw.cursor()
    cursor.execute("SELECT @@max_statement_time")
    value = float(cursor.fetchone()[0])
    cursor.close()
    return value


def test_healthz_answers_without_the_database_even_with_a_token(client, make, world, count_queries):
    headers = make.login(world.guardian_a)
    db.session.commit()
    with count_queries() as counted:
        response = client.get("/healthz", headers=headers)
        head = client.head("/healthz", headers=headers)
    assert (response.status_code, response.get_json(), head.status_code) == (200, {"status": "ok"}, 200)
    assert counted.n == 0
