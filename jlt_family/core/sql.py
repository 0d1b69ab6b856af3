"""Small helpers for the conditional updates that keep counters and states right under concurrency."""

from typing import Any, cast

import sqlalchemy as sa

from jlt_family.core.extensions import db


def update_rows(stmt: sa.Executable) -> int:
    """Run a conditional UPDATE (``... WHERE id = :id AND <the condition>``); the number of rows it matched.

    The caller decides from the count whether it won (1) or lost the race (0); the session's loaded objects are
    not synchronised (re-read them if needed).
    """
    return rowcount(db.session.execute(stmt, execution_options={"synchronize_session": False}))


def rowcount(result: sa.Result[Any]) -> int:
    """The rows an UPDATE, DELETE or INSERT ... SELECT matched (``Session.execute`` types it a plain ``Result``)."""
    return cast("sa.CursorResult[Any]", result).rowcount
