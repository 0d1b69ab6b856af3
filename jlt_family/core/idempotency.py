"""Idempotent creating POSTs: the same ``Idempotency-Key`` and body returns the first answer.

The record is inserted in the same transaction as the work, so the database's unique key decides which of two
racing requests does the work; the other waits for the first answer and replays it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, make_response, request
from sqlalchemy.exc import IntegrityError

from jlt_family.core.errors import BadRequest, Conflict, Unauthenticated
from jlt_family.core.extensions import db
from jlt_family.core.models import IdempotencyRecord
from jlt_family.core.sql import rowcount

HEADER = "Idempotency-Key"
_KEY_RE = re.compile(r"^[A-Za-z0-9_\-:.]{8,80}$")
_WAIT_SECONDS = 3.0


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a creating view (placed under ``@blp.route``, above ``@blp.response``)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _KEY_RE.match(key):
            raise BadRequest("Idempotency-Key 格式有误（8–80 位字母、数字或 -_:.）", code="invalid_idempotency_key")
        actor = g.get("actor")
        if actor is None or not actor.is_authenticated:
            raise g.get("auth_error") or Unauthenticated()
        digest = _request_digest()
        record = IdempotencyRecord(user_id=actor.user_id, key=key, request_hash=digest)
        db.session.add(record)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return _replay(actor.user_id, key, digest)
        response = make_response(view(*args, **kwargs))
        if db.session.get(IdempotencyRecord, record.id) is not None:
            record.status_code = response.status_code
            record.response_body = response.get_json(silent=True)
            db.session.commit()
        return response

    return wrapper


def is_replay() -> bool:
    """This request carries an Idempotency-Key whose answer is stored for this body: it will be replayed.

    A replay costs nothing (no work, no write), so rate limits do not count it (``ratelimit.per_user``): a phone
    retrying on a flaky network must get its first answer back, not 429. A key in progress, reused for another
    body or new still counts. One indexed read, only for requests that carry a key."""
    key = request.headers.get(HEADER)
    actor = g.get("actor")
    if key is None or not _KEY_RE.match(key) or actor is None or not actor.is_authenticated:
        return False
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                IdempotencyRecord.user_id == actor.user_id,
                IdempotencyRecord.key == key,
                IdempotencyRecord.request_hash == _request_digest(),
                IdempotencyRecord.status_code.is_not(None),
            )
        )
        is not None
    )


def _request_digest() -> str:
    h = hashlib.sha256()
    for part in (request.method, request.path, request.query_string, request.get_data(cache=True)):
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _replay(user_id: int, key: str, digest: str) -> Any:
    deadline = time.monotonic() + _WAIT_SECONDS
    while True:
        record = db.session.scalar(
            sa.select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        )
        if record is not None and record.request_hash != digest:
            raise Conflict("该 Idempotency-Key 已用于另一个请求", code="idempotency_key_reused")
        if record is not None and record.status_code is not None:
            response = jsonify(record.response_body)
            response.status_code = record.status_code
            response.headers["Idempotent-Replayed"] = "true"
            return response
        if time.monotonic() > deadline:
            raise Conflict("相同的请求正在处理中，请稍后重试", code="request_in_progress")
        db.session.rollback()  # a fresh snapshot for the next look
        time.sleep(0.05)


def purge_expired(older_than: dt.datetime) -> int:
    """Housekeeping: forget records created before ``older_than``."""
    return rowcount(db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.created_at < older_than)))
