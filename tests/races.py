"""Requests that really race: each call on its own thread and test client, released together by a barrier.

On MariaDB and on a SQLite file alike. Before the race the test's own transaction ends: on SQLite it holds the
write lock from its first statement (even a read), and the racers would wait for it.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

# Why a race stays on MariaDB only (``@pytest.mark.mysql(reason=WAITS_INSIDE_ITS_TRANSACTION)``)
WAITS_INSIDE_ITS_TRANSACTION = (
    "each racer waits at a barrier inside its open transaction: on SQLite one "
    "transaction at a time holds the write lock, so that interleaving cannot happen"
)

BATCH = 30  # calls released together by one barrier (the pool has 15 connections: the rest queue up)


def race(app, calls, prefix=""):
    """Run ``(headers, method, url, json)`` calls at once (in batches of BATCH); their ``(status, code)`` in
    order, ``code`` being the error code of a 4xx/5xx answer (None on success) or ``"exception"`` and its repr."""
    from jlt_family.core.extensions import db

    db.session.commit()  # the test's setup is written and its transaction (SQLite: the write lock) ends
    results = [None] * len(calls)

    def run(index, barrier, headers, method, url, json):
        client = app.test_client()
        barrier.wait()
        try:
            response = client.open(prefix + url, method=method, headers=headers, json=json)
        except Exception as exc:  # noqa: BLE001 (reported in the caller's assertion)
            results[index] = ("exception", repr(exc))
            return
        body = response.get_json(silent=True) or {}
        results[index] = (response.status_code, body.get("code") if response.status_code >= 400 else None)

    with ThreadPoolExecutor(max_workers=BATCH) as pool:
        for start in range(0, len(calls), BATCH):
            batch = calls[start : start + BATCH]
            barrier = threading.Barrier(len(batch))
            futures = [pool.submit(run, start + i, barrier, *call) for i, call in enumerate(batch)]
            for future in futures:
                future.result(timeout=60)
    db.session.rollback()  # the test's own snapshot predates the race: read afresh
    return results
