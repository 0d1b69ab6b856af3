"""Audit trail of staff access to children's sensitive data.

``audit`` records a change (or a read) inside the request's transaction. ``audit_read`` records one staff read
of a list or a record — a venue's booking list, a visit, a class roster, a child's entrustments or flags — with
the scope it covered and how many rows it showed: one entry per request, never one per row, kept when the
answer is (committed after a successful response, nothing written for a refused one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, after_this_request, has_request_context, request

from jlt_family.core.extensions import db
from jlt_family.core.models import AuditLog


def audit(
    actor: Any,
    action: str,
    subject_type: str,
    subject_id: int | None,
    *,
    school_id: int | None = None,
    region_id: int | None = None,
    row_count: int | None = None,
    **detail: Any,
) -> AuditLog:
    """Record that ``actor`` did ``action`` (e.g. ``read_student_sensitive``) on a subject.

    Added to the current transaction: it is kept exactly when the request's work is.
    """
    if region_id is None and school_id is None and subject_type == "region":
        region_id = subject_id
    entry = AuditLog(
        actor_user_id=getattr(actor, "user_id", None),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        school_id=school_id,
        region_id=region_id,
        row_count=row_count,
        detail=detail,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def audit_read(
    actor: Any,
    action: str,
    scope_type: str,
    scope_id: int | None,
    rows: Any,
    *,
    within: Any = None,
    school_id: int | None = None,
    region_id: int | None = None,
    per_school: Callable[[Any], int | None] | None = None,
    query: Mapping[str, Any] | None = None,
    **detail: Any,
) -> list[AuditLog]:
    """Record a staff read (查阅留痕): ``actor`` read ``rows`` rows (an int, the rows themselves, or a page from
    ``paginate``, whose total is kept too) of ``scope_type`` ``scope_id``. Whose trail shows it: ``within`` (the
    school, resource unit, alliance or region the scope belongs to), or ``school_id`` / ``region_id``; for a list
    across schools, ``per_school(row)`` gives each row's school (``None``: not a staff read, not counted) and each
    school gets an entry with its rows. ``query``: the request's filters, as given. Call it once per view, after
    the read; the entries are committed after the response, when the response is a success.
    """
    if within is not None:
        school_id, region_id = _trail_of(within)
    if isinstance(rows, dict):
        detail["total"] = rows["total"]
        rows = rows["items"]
    if query:
        detail["query"] = {name: _plain(value) for name, value in query.items()}
    counts = {school_id: rows if isinstance(rows, int) else len(rows)}
    if per_school is not None:
        counts = Counter(school for school in map(per_school, rows) if school is not None) or {school_id: 0}
    entries = [
        audit(actor, action, scope_type, scope_id, school_id=school, region_id=region_id, row_count=count, **detail)
        for school, count in counts.items()
    ]
    if has_request_context():
        after_this_request(_commit_on_success)
    return entries


def _trail_of(scope: Any) -> tuple[int | None, int | None]:
    """(school_id, region_id) of a school, or of a resource unit, alliance or region (no school's scope)."""
    table = getattr(scope, "__tablename__", None)
    if table == "school":
        return scope.id, None
    if table == "region":
        return None, scope.id
    return None, scope.region_id


def _plain(value: Any) -> Any:
    """A query value as JSON keeps it (dates and times as ISO 8601, enums as their value)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "value", value)


def _commit_on_success(response: Response) -> Response:
    if response.status_code < 400:
        db.session.commit()
    return response
