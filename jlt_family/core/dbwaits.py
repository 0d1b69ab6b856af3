"""数据库等待上限: every statement's wait on the database is bounded, a few seconds in a request, longer in a job.

During a database freeze (a table lock held, ``FLUSH TABLES WITH READ LOCK``, a stalled server) a request fails
fast with 503 ``database_timeout`` instead of holding its worker thread until the database comes back; the
workers stay free for the requests that do not need the database (``/healthz`` never does).

Three bounds, from config/ (seconds; ``0``: no bound):

- ``request``: statements of an API request, ``DB_STATEMENT_TIMEOUT_SECONDS``.
- ``long``: jobs, i.e. everything outside a request (the reminder dispatcher and the scheduler's other jobs,
  migrations, imports and reports run from the command line), and the request endpoints listed in
  ``DB_LONG_STATEMENT_ENDPOINTS`` (report exports, the roster import): ``DB_JOB_STATEMENT_TIMEOUT_SECONDS``.
- ``ready``: ``/readyz``, ``DB_READY_TIMEOUT_SECONDS``.

On MariaDB the bound is the session's ``max_statement_time`` (the server interrupts the statement, error 1969,
and the connection stays usable; MySQL: ``max_execution_time``, which bounds SELECTs only); the client's socket
read and write timeouts (PyMySQL) are the bound plus ``DB_READ_TIMEOUT_SECONDS``, for a server that does not
answer at all. On SQLite the bound is the busy timeout (how long a statement waits for another writer's lock).

A connection gets the bound of the context it is checked out in, at the DBAPI level (no statement the app's
statement budgets count), and only when it differs from the one it has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request

from jlt_family.core.extensions import db

# MariaDB 1969: max_statement_time exceeded; MySQL 3024: max_execution_time exceeded. (A server that stopped
# answering ends in 2013, lost connection, at the socket's timeout: 503 database_unavailable.)
STATEMENT_TIMEOUT_CODES = {1969, 3024}


@dataclass(frozen=True)
class Bound:
    statement: float  # seconds, 0: none
    socket: float | None  # seconds, None: none


def bounds(config: Mapping[str, Any]) -> dict[str, Bound]:
    read = config["DB_READ_TIMEOUT_SECONDS"]

    def bound(seconds: float) -> Bound:
        return Bound(seconds, seconds + read if seconds else None)

    return {
        "request": bound(config["DB_STATEMENT_TIMEOUT_SECONDS"]),
        "long": bound(config["DB_JOB_STATEMENT_TIMEOUT_SECONDS"]),
        "ready": bound(config["DB_READY_TIMEOUT_SECONDS"]),
    }


def init_app(app: Flask) -> None:
    """Bound every connection of the app's engine when it is checked out (see the module's docstring)."""
    with app.app_context():
        engine = db.engine
    table = bounds(app.config)
    long_endpoints = tuple(app.config["DB_LONG_STATEMENT_ENDPOINTS"])

    def mode() -> str:
        if not has_request_context():
            return "long"
        if "db_wait" in g:
            return g.db_wait
        endpoint = request.endpoint or ""
        if any(endpoint == name or (name.endswith(".") and endpoint.startswith(name)) for name in long_endpoints):
            return "long"
        return "request"

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        apply(dbapi_connection, record.info, engine.dialect, table[mode()])

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        # The pool's pre-ping runs before the checkout event: a connection waits in the pool with the request
        # bound on its socket, so that a request's ping of a stalled server is bounded too.
        if dbapi_connection is not None and hasattr(dbapi_connection, "_read_timeout"):
            dbapi_connection._read_timeout = dbapi_connection._write_timeout = table["request"].socket

    app.extensions["db_wait_bounds"] = table


def use(name: str) -> None:
    """This request's statements from now on get the ``name`` bound (``"ready"``, ``"long"``): the connection
    the session holds now is bounded at once, the ones it checks out later on checkout."""
    g.db_wait = name
    session = db.session()
    if session.in_transaction():
        fairy = session.connection().connection
        apply(fairy.dbapi_connection, fairy.info, db.engine.dialect, current_app.extensions["db_wait_bounds"][name])


def apply(dbapi_connection: Any, info: dict[str, Any], dialect: Any, bound: Bound) -> None:
    """Give one DBAPI connection ``bound`` (no-op when it has it already); ``info``: its pool record's info."""
    if hasattr(dbapi_connection, "_read_timeout"):  # PyMySQL reads these before each socket read and write
        dbapi_connection._read_timeout = dbapi_connection._write_timeout = bound.socket
    if info.get("db_wait") == bound:
        return
    if dialect.name == "sqlite":
        sql = f"PRAGMA busy_timeout = {int(bound.statement * 1000) if bound.statement else 2**31 - 1}"
    elif getattr(dialect, "is_mariadb", False):
        sql = f"SET SESSION max_statement_time = {float(bound.statement)}"
    else:
        sql = f"SET SESSION max_execution_time = {int(bound.statement * 1000)}"
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    except dialect.loaded_dbapi.Error as exc:
        info.pop("db_wait", None)
        raise sa.exc.OperationalError(sql, None, exc) from exc
    finally:
        cursor.close()
    info["db_wait"] = bound


def is_statement_timeout(exc: BaseException) -> bool:
    """A statement the server interrupted at its bound."""
    args: tuple[Any, ...] = getattr(getattr(exc, "orig", None), "args", ())
    return isinstance(exc, sa.exc.OperationalError) and bool(args) and args[0] in STATEMENT_TIMEOUT_CODES
