"""课程目录: the courses a caller may browse, filtered, sorted by next session, in a fixed number of queries.

``scope=open``: the published courses of the caller's audience as a parent. ``scope=staff``: the courses the
caller manages or oversees, unpublished ones included. A page costs the same handful of statements whatever its
size: count, page (providers joined in), next sessions of the page, the caller's enrolments in them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from jlt_family.alliances.models import Alliance, AllianceMember
from jlt_family.auth.context import Actor
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.courses.models import (
    ACTIVE,
    Course,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    SessionStatus,
)
from jlt_family.courses.permissions import Audience, audience_for_schools, audience_of
from jlt_family.organizations.models import ResourceUnit, School, SchoolClass
from jlt_family.organizations.students import Student


def staff_clause(actor: Actor) -> sa.ColumnElement[bool]:
    """Courses the caller manages or oversees (see ``permissions``)."""
    unit_ids = set(actor.unit_ids)
    if actor.alliance_ids:
        unit_ids |= set(
            db.session.scalars(
                sa.select(AllianceMember.resource_unit_id).where(
                    AllianceMember.alliance_id.in_(actor.alliance_ids), AllianceMember.resource_unit_id.is_not(None)
                )
            )
        )
    overseen_schools = sa.select(School.id).where(
        sa.or_(School.alliance_id.in_(actor.alliance_ids), School.region_id.in_(actor.region_ids))
    )
    return sa.or_(
        Course.school_id.in_(actor.staff_school_ids),
        Course.school_id.in_(overseen_schools),
        Course.alliance_id.in_(actor.alliance_ids),
        Course.alliance_id.in_(sa.select(Alliance.id).where(Alliance.region_id.in_(actor.region_ids))),
        Course.resource_unit_id.in_(unit_ids),
        Course.resource_unit_id.in_(sa.select(ResourceUnit.id).where(ResourceUnit.region_id.in_(actor.region_ids))),
        Course.region_id.in_(actor.region_ids),
    )


def _upcoming(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.and_(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.ends_at > now)


def next_starts_subquery(now: dt.datetime) -> sa.Subquery:
    """course_id → the start of its next (not yet ended, scheduled) session."""
    return (
        sa.select(CourseSession.course_id, sa.func.min(CourseSession.starts_at).label("next_starts_at"))
        .where(_upcoming(now))
        .group_by(CourseSession.course_id)
        .subquery()
    )


def browse(actor: Actor, args: Mapping[str, Any], now: dt.datetime | None = None) -> sa.Select[Any]:
    """The statement of the catalogue page for ``args`` (see CourseQuerySchema), sorted by next session."""
    now = now or utcnow()
    stmt = sa.select(Course)
    if args["scope"] == "staff":
        stmt = stmt.where(staff_clause(actor))
    else:
        audience = _child_audience(actor, args["child_id"]) if args.get("child_id") else audience_of(actor)
        stmt = stmt.where(Course.is_published.is_(True), audience.clause())
    stmt = _filter(stmt, args, now)
    nxt = next_starts_subquery(now)
    return (
        stmt.outerjoin(nxt, nxt.c.course_id == Course.id)
        .options(
            joinedload(Course.school),
            joinedload(Course.alliance),
            joinedload(Course.resource_unit),
            joinedload(Course.region),
        )
        .order_by(nxt.c.next_starts_at.is_(None), nxt.c.next_starts_at, Course.id)
    )


def _child_audience(actor: Actor, child_id: int) -> Audience:
    """The audience of one of the caller's children; the child's grade narrows the courses too."""
    return audience_for_schools(
        frozenset(
            db.session.scalars(
                sa.select(Student.school_id).where(
                    Student.id == child_id, Student.family_id == actor.family_id, Student.family_id.is_not(None)
                )
            )
        )
    )


def child_grade(actor: Actor, child_id: int) -> int | None:
    return db.session.scalar(
        sa.select(SchoolClass.grade)
        .join(Student, Student.class_id == SchoolClass.id)
        .where(Student.id == child_id, Student.family_id == actor.family_id, Student.family_id.is_not(None))
    )


def _day_bounds(day: dt.date, *, end: bool) -> dt.datetime:
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time(), SHANGHAI)
    return moment.astimezone(dt.UTC)


def _filter(stmt: sa.Select[Any], args: Mapping[str, Any], now: dt.datetime) -> sa.Select[Any]:
    for name in ("category", "activity_kind", "format"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(Course, name) == args[name])
    grade = args.get("grade")
    if grade is not None:
        stmt = stmt.where(
            sa.or_(Course.grade_min.is_(None), Course.grade_min <= grade),
            sa.or_(Course.grade_max.is_(None), Course.grade_max >= grade),
        )
    if args.get("q"):
        pattern = "%" + args["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(Course.title.like(pattern, escape="\\"), Course.description.like(pattern, escape="\\"))
        )
    sessions = [CourseSession.course_id == Course.id]
    if args.get("date_from"):
        sessions.append(CourseSession.starts_at >= _day_bounds(args["date_from"], end=False))
    if args.get("date_to"):
        sessions.append(CourseSession.starts_at < _day_bounds(args["date_to"], end=True))
    if args.get("has_places"):
        sessions += [_upcoming(now), CourseSession.starts_at > now, CourseSession.taken < CourseSession.capacity]
    if len(sessions) > 1:
        stmt = stmt.where(sa.exists().where(*sessions))
    return stmt


def page(
    actor: Actor, args: Mapping[str, Any], now: dt.datetime | None = None
) -> tuple[dict[str, Any], dict[int, CourseSession], dict[int, Enrolment]]:
    """One page of the catalogue with, per course, its next session and the caller's enrolment in it."""
    now = now or utcnow()
    if args.get("child_id") and args.get("grade") is None:
        args = {**args, "grade": child_grade(actor, args["child_id"])}
    result = paginate(browse(actor, args, now), args["page"], args["page_size"])
    result["items"] = list(dict.fromkeys(result["items"]))  # joined eager loads may repeat a row
    course_ids = [course.id for course in result["items"]]
    return result, next_sessions(course_ids, now), my_enrolments(actor, course_ids, now)


def next_sessions(course_ids: Sequence[int], now: dt.datetime) -> dict[int, CourseSession]:
    """{course_id: its next session} in one query."""
    if not course_ids:
        return {}
    nxt = next_starts_subquery(now)
    rows = db.session.scalars(
        sa.select(CourseSession)
        .join(nxt, sa.and_(nxt.c.course_id == CourseSession.course_id, nxt.c.next_starts_at == CourseSession.starts_at))
        .where(CourseSession.course_id.in_(course_ids), _upcoming(now))
        .order_by(CourseSession.id.desc())
    ).all()
    return {session.course_id: session for session in rows}  # the lowest id wins a tie


def my_enrolments(actor: Actor, course_ids: Sequence[int], now: dt.datetime) -> dict[int, Enrolment]:
    """{course_id: the caller's active enrolment in an upcoming session} (enrolled before waitlisted)."""
    if not course_ids or actor.guardian is None:
        return {}
    rows = db.session.execute(
        sa.select(CourseSession.course_id, Enrolment)
        .join(Enrolment, Enrolment.session_id == CourseSession.id)
        .where(
            CourseSession.course_id.in_(course_ids),
            _upcoming(now),
            Enrolment.guardian_id == actor.guardian.id,
            Enrolment.status.in_(ACTIVE),
        )
        .order_by(CourseSession.starts_at, Enrolment.id)
    ).all()
    mine: dict[int, Enrolment] = {}
    for course_id, enrolment in rows:
        held = mine.get(course_id)
        if held is None or (enrolment.status == EnrolmentStatus.ENROLLED and held.status != EnrolmentStatus.ENROLLED):
            mine[course_id] = enrolment
    return mine
