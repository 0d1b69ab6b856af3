"""Fixed-window rate limits counted in the database, so every worker and host shares them."""

import time

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jlt_family.core.errors import RateLimited
from jlt_family.core.extensions import db
from jlt_family.core.models import RateLimitCounter


def hit(bucket, limit, window_seconds=60):
    """Count one hit for ``bucket``; raise ``RateLimited`` past ``limit`` hits in the window.

    Runs in its own short transaction, so a refused request still counts and nothing else is committed.
    """
    now = time.time()
    window = int(now // window_seconds) * window_seconds
    table = RateLimitCounter.__table__
    match = (table.c.bucket == bucket) & (table.c.window_start == window)
    with db.engine.begin() as conn:
        bumped = conn.execute(sa.update(table).where(match).values(hits=table.c.hits + 1)).rowcount
        if not bumped:
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(table).values(bucket=bucket, window_start=window, hits=1))
            except IntegrityError:
                conn.execute(sa.update(table).where(match).values(hits=table.c.hits + 1))
        hits = conn.scalar(sa.select(table.c.hits).where(match))
    if hits > limit:
        retry_after = max(1, int(window + window_seconds - now))
        raise RateLimited(headers={"Retry-After": str(retry_after)})
    return hits


def purge_old(before_seconds=3600):
    """Housekeeping: drop windows older than ``before_seconds``."""
    cutoff = int(time.time()) - before_seconds
    return db.session.execute(sa.delete(RateLimitCounter).where(RateLimitCounter.window_start < cutoff)).rowcount
