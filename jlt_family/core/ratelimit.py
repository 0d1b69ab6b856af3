"""Fixed-window rate limits counted in the database, so every worker and host shares them."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.dialects import mysql, sqlite

from jlt_family.core.errors import RateLimited
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import is_replay
from jlt_family.core.models import RateLimitCounter
from jlt_family.core.sql import rowcount

View = Callable[..., Any]


def hit(bucket: str, limit: int, window_seconds: int = 60) -> int:
    """Count one hit for ``bucket``; raise ``RateLimited`` past ``limit`` hits in the window.

    One upsert in its own short transaction (no read-then-write, so concurrent first hits neither deadlock
    nor lose a count); a refused request still counts. Call it before the request writes anything: on SQLite
    the request's own open write would make this second connection wait.
    """
    _release_request_connection()
    now = time.time()
    window = int(now // window_seconds) * window_seconds
    table = RateLimitCounter.__table__
    with db.engine.begin() as conn:
        conn.execute(_upsert(conn.dialect.name, table, bucket, window))
        counted = sa.select(table.c.hits).where(table.c.bucket == bucket, table.c.window_start == window)
        hits: int = conn.execute(counted).scalar_one()
    if hits > limit:
        retry_after = max(1, int(window + window_seconds - now))
        raise RateLimited(headers={"Retry-After": str(retry_after)})
    return hits


def count(bucket: str, window_seconds: int = 60) -> None:
    """Count one hit for ``bucket`` without refusing this request (a failure counted once it is known)."""
    _release_request_connection()
    window = int(time.time() // window_seconds) * window_seconds
    with db.engine.begin() as conn:
        conn.execute(_upsert(conn.dialect.name, RateLimitCounter.__table__, bucket, window))


def refuse_if_reached(bucket: str, limit: int, window_seconds: int = 60) -> None:
    """Raise ``RateLimited`` when ``bucket`` already holds ``limit`` hits in the window; counts nothing."""
    now = time.time()
    window = int(now // window_seconds) * window_seconds
    table = RateLimitCounter.__table__
    with db.engine.connect() as conn:
        hits = conn.scalar(sa.select(table.c.hits).where(table.c.bucket == bucket, table.c.window_start == window)) or 0
    if hits >= limit:
        raise RateLimited(headers={"Retry-After": str(max(1, int(window + window_seconds - now)))})


def _release_request_connection() -> None:
    """End the request's read-only transaction (the token lookup) before taking a second connection.

    Holding the first while waiting for the second starves the pool under load: with as many concurrent
    requests as pooled connections, each holds one and waits for another until the pool times out. Counting
    happens before the request writes anything, so ending the transaction loses nothing.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("rate limits are counted before the request changes anything")
    session.rollback()


def per_user(bucket: str, limit_setting: str, window_seconds: int) -> Callable[[View], View]:
    """Decorator: count each call of the signed-in user before any work, refusing past the configured limit.

    ``limit_setting`` names the config key holding the limit. Place it under ``@blp.login_required`` and above
    ``@idempotent`` (the counter commits on its own connection, before the request writes). A retry whose
    Idempotency-Key has a stored answer is not counted: it is replayed, no work done.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not is_replay():  # a stored answer replayed costs nothing: not counted
                hit(f"{bucket}:{g.actor.user_id}", current_app.config[limit_setting], window_seconds)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _upsert(dialect: str, table: sa.Table, bucket: str, window: int) -> sa.Executable:
    values = {"bucket": bucket, "window_start": window, "hits": 1}
    if dialect in ("mysql", "mariadb"):
        stmt = mysql.insert(table).values(values)
        return stmt.on_duplicate_key_update(hits=table.c.hits + 1)
    if dialect == "sqlite":
        insert = sqlite.insert(table).values(values)
        return insert.on_conflict_do_update(index_elements=["bucket", "window_start"], set_={"hits": table.c.hits + 1})
    raise NotImplementedError(f"rate limits need an upsert for {dialect}")


def purge_old(before_seconds: int = 3600) -> int:
    """Housekeeping: drop windows older than ``before_seconds``."""
    cutoff = int(time.time()) - before_seconds
    return rowcount(db.session.execute(sa.delete(RateLimitCounter).where(RateLimitCounter.window_start < cutoff)))
