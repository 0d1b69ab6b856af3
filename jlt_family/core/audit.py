"""Audit trail of staff access to children's sensitive data."""

from flask import has_request_context, request

from jlt_family.core.extensions import db
from jlt_family.core.models import AuditLog


def audit(actor, action, subject_type, subject_id, *, school_id=None, **detail):
    """Record that ``actor`` did ``action`` (e.g. ``read_student_sensitive``) on a subject.

    Added to the current transaction: it is kept exactly when the request's work is.
    """
    entry = AuditLog(
        actor_user_id=getattr(actor, "user_id", None),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        school_id=school_id,
        detail=detail,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
