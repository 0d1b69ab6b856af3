"""Small helpers for the conditional updates that keep counters and states right under concurrency."""

from jlt_family.core.extensions import db


def update_rows(stmt):
    """Run a conditional UPDATE (``... WHERE id = :id AND <the condition>``); the number of rows it matched.

    The caller decides from the count whether it won (1) or lost the race (0); the session's loaded objects are
    not synchronised (re-read them if needed).
    """
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount
