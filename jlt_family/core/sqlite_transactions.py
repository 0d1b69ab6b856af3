"""SQLite 写锁: on a SQLite file every transaction takes the database's write lock when it begins.

MariaDB enforces the rules that are checked and then written (a teacher's visits never overlap, a session's
counters match its enrolments) with row locks (``SELECT ... FOR UPDATE``). SQLite has no row locks and ignores
the locking clause, and the ``sqlite3`` driver begins its transactions lazily, at the first INSERT/UPDATE, so
two requests could both read "free" and both write. SQLAlchemy's documented recipe for pysqlite turns the
driver's own transaction handling off (``isolation_level = None`` at connect) and emits ``BEGIN IMMEDIATE`` on
the engine's ``begin`` event: the transaction holds SQLite's single write lock from its first statement to its
COMMIT or ROLLBACK, so a check and the write that follows it are never interleaved with another writer's. WAL
stays on (readers outside a transaction never wait) and so does the busy timeout (a second writer waits for the
lock that long, then fails with SQLITE_BUSY: ``database_busy``, 503 with Retry-After).

Reads take the lock too, GET requests included: a transaction that began DEFERRED and later writes (the audit
row of a staff read, a first login's user row) must upgrade its read to a write lock, and in WAL mode that upgrade
fails at once with SQLITE_BUSY, without waiting, whenever another writer committed in between: correct answers
matter more than parallel reads on the embedded default. The one exception is ``READ_ONLY``: a side connection
that only reads (the WeChat token cache) while its caller's own transaction may hold the lock, which must not
wait for its own caller.

Savepoints (``begin_nested``) work inside the transaction, and DDL is transactional: a migration that fails
half-way leaves nothing behind. An in-memory database is one connection shared by every session
(``StaticPool``): there is no other writer to exclude, and a second BEGIN on that one connection would fail,
so it keeps the driver's default handling.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa

# Execution options of a connection that only reads: its transaction begins DEFERRED, without the write lock.
READ_ONLY = {"jlt_read_only": True}

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def is_file_database(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def take_the_write_lock_at_begin(engine: sa.Engine) -> None:
    """SQLAlchemy's pysqlite recipe: no BEGIN from the driver, ``BEGIN IMMEDIATE`` on the engine's begin event."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver's autocommit: it emits no BEGIN of its own

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        dbapi_conn: Any = conn.connection.dbapi_connection
        if dbapi_conn.isolation_level is not None:
            # SQLAlchemy gives a connection back its default level after an AUTOCOMMIT use, and pysqlite's
            # default is its lazy BEGIN: turn it off again (no transaction is open here, nothing is committed).
            dbapi_conn.isolation_level = None
        conn.exec_driver_sql("BEGIN DEFERRED" if options.get("jlt_read_only") else "BEGIN IMMEDIATE")


def is_busy(exc: BaseException) -> bool:
    """SQLite could not take its lock within the busy timeout (``database is locked``)."""
    orig = getattr(exc, "orig", None)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "database is locked" in str(orig) or "database table is locked" in str(orig)
