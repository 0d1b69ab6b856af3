"""Factories of the parent school, shared by the courses tests and the permission-matrix rows."""

import datetime as dt
import itertools
import secrets
from decimal import Decimal

from jlt_family.core.timeutil import utcnow
from jlt_family.courses.models import (
    ActivityKind,
    Course,
    CourseCategory,
    CourseFormat,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    ProviderKind,
)

_seq = itertools.count(1)
_PROVIDER_KIND = {
    "School": ProviderKind.SCHOOL,
    "Alliance": ProviderKind.ALLIANCE,
    "ResourceUnit": ProviderKind.COMMUNITY,
    "Region": ProviderKind.REGION,
}


def course(db, provider, created_by, *, published=True, **kw):
    """A course of ``provider`` (a school, alliance, community unit or region), published by default."""
    kw.setdefault("title", f"家长课堂{next(_seq)}")
    kw.setdefault("category", CourseCategory.PARENT_CHILD_COMMUNICATION)
    kw.setdefault("activity_kind", ActivityKind.GUIDANCE)
    kw.setdefault("format", CourseFormat.OFFLINE)
    obj = Course(
        created_by_id=created_by.id, is_published=published, published_at=utcnow() if published else None, **kw
    )
    obj.set_provider(_PROVIDER_KIND[type(provider).__name__], provider)
    db.session.add(obj)
    db.session.flush()
    return obj


def session(db, course_, *, starts_in=dt.timedelta(days=2), hours=2, capacity=30, **kw):
    """A session of ``course_`` starting ``starts_in`` from now and lasting ``hours``."""
    starts_at = kw.pop("starts_at", utcnow() + starts_in)
    kw.setdefault("place", "学校报告厅")
    kw.setdefault("learning_hours", Decimal("1.5"))
    obj = CourseSession(
        course=course_,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        capacity=capacity,
        checkin_salt=secrets.token_hex(16),
        **kw,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


def enrolment(db, session_, user, status=EnrolmentStatus.ENROLLED, **kw):
    """An enrolment of ``user`` (a guardian's user) with the session's counters kept in step."""
    import sqlalchemy as sa

    from jlt_family.families.models import Guardian

    guardian = db.session.scalar(sa.select(Guardian).where(Guardian.user_id == user.id))
    if status == EnrolmentStatus.WAITLISTED:
        session_.waitlist_seq += 1
        session_.waitlisted += 1
        kw.setdefault("waitlist_position", session_.waitlist_seq)
    elif status != EnrolmentStatus.CANCELLED:
        session_.taken += 1
    active_key = None if status == EnrolmentStatus.CANCELLED else 1
    obj = Enrolment(
        session_id=session_.id, guardian_id=guardian.id, user_id=user.id, status=status, active_key=active_key, **kw
    )
    db.session.add(obj)
    db.session.flush()
    return obj
