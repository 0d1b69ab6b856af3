"""学习记录, 课程评价 and 达标统计: what parents and organisers read back from the parent school.

- A parent's learning record per school year (the school calendar of the child's region): sessions attended
  and 学时, by category (a certificate summary).
- Feedback: a parent who attended rates the session 1–5 and comments; organisers see averages and comments.
- Compliance: per term and school year (the school calendar of the school's region), held activities of each
  kind of a school against the policy's numbers (≥2 家庭教育指导 and ≥5 家长夜校 lessons per term, 1 家长代表大会
  per term, ≥2 家长会 per school year; and, as the evaluation reports check them, ≥2 家庭教育指导 and ≥1 of the
  school's own 教联体工作协调会 per school year), with attendance rates (attended / (attended + absent)).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from jlt_family.auth.context import Actor
from jlt_family.core.errors import Conflict, NotFound, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.courses.models import (
    ACTIVITY_LABELS,
    CATEGORY_LABELS,
    ActivityKind,
    Course,
    CourseCategory,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    SessionStatus,
    counts_as_held,
)
from jlt_family.courses.service import active_enrolment
from jlt_family.families.models import Guardian
from jlt_family.organizations.calendar import SchoolYear, school_year_for, school_year_starting, terms_of
from jlt_family.organizations.models import Region, School
from jlt_family.organizations.students import Student

TERM_REQUIREMENTS = {ActivityKind.GUIDANCE: 2, ActivityKind.EVENING_CLASS: 5, ActivityKind.PARENT_ASSEMBLY: 1}
YEAR_REQUIREMENTS = {ActivityKind.PARENT_MEETING: 2}
# The year's rules on the compliance page: ≥2 家长会 (001 §二(二)2), and the two yearly rules the evaluation reports
# (reports/service.py) check too: 柳州 003 §二(二) "每年至少开展2次家庭教育指导服务和实践活动" (the guidance
# activities of the school year) and 兴安盟 001 §二(二)1 "各学校每学年至少召开1次“教联体”工作协调会" (the school's
# own coordination meetings held; who attended them is recorded in meetings.py).
YEAR_RULES = {**YEAR_REQUIREMENTS, ActivityKind.GUIDANCE: 2, ActivityKind.ALLIANCE_MEETING: 1}


def _utc_bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of Shanghai calendar days first_day … last_day."""
    start = dt.datetime.combine(first_day, dt.time(), SHANGHAI)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), SHANGHAI)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def school_year(start_year: int | None, region: Region | None, today: dt.date) -> SchoolYear:
    return school_year_starting(start_year, region) if start_year else school_year_for(today, region)


def record_region(actor: Actor, child_id: int | None = None) -> Region | None:
    """The region whose school calendar bounds a parent's learning record: that of the child's school (the
    family's first child unless ``child_id`` names one; 404 for a child outside the family). None (the default
    calendar) for a caller without children."""
    stmt = (
        sa.select(Student)
        .where(Student.family_id == actor.family_id, Student.family_id.is_not(None))
        .options(joinedload(Student.school).joinedload(School.region))
        .order_by(Student.id)
        .limit(1)
    )
    if child_id is not None:
        stmt = stmt.where(Student.id == child_id)
    child = db.session.scalar(stmt)
    if child is None and child_id is not None:
        raise NotFound("未找到该孩子", code="child_not_found")
    return child.school.region if child is not None else None


# Learning record -----------------------------------------------------------------------------------------------


def learning_record(user_id: int, year: SchoolYear, now: dt.datetime | None = None) -> dict[str, Any]:
    """Attended sessions of the school year that have started, with 学时 by category (checking in before the
    start credits nothing until the session starts)."""
    start, end = _utc_bounds(year.starts_on, year.ends_on)
    end = min(end, now or utcnow())
    rows = db.session.execute(
        sa.select(CourseSession, Course.title, Course.category)
        .join(Enrolment, Enrolment.session_id == CourseSession.id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            Enrolment.user_id == user_id,
            Enrolment.status == EnrolmentStatus.ATTENDED,
            CourseSession.starts_at >= start,
            CourseSession.starts_at < end,
        )
        .order_by(CourseSession.starts_at)
    ).all()
    by_category: defaultdict[CourseCategory, dict[str, Any]] = defaultdict(
        lambda: {"sessions": 0, "hours": Decimal("0")}
    )
    for session, _title, category in rows:
        by_category[category]["sessions"] += 1
        by_category[category]["hours"] += session.learning_hours
    return {
        "school_year": year.start_year,
        "label": year.label,
        "starts_on": year.starts_on,
        "ends_on": year.ends_on,
        "sessions_attended": len(rows),
        "learning_hours": float(sum((s.learning_hours for s, _, _ in rows), Decimal("0"))),
        "by_category": [
            {"category": c.value, "label": CATEGORY_LABELS[c], "sessions": v["sessions"], "hours": float(v["hours"])}
            for c, v in sorted(by_category.items(), key=lambda item: list(CourseCategory).index(item[0]))
        ],
        "sessions": [
            {
                "session_id": s.id,
                "title": title,
                "category": category.value,
                "starts_at": s.starts_at,
                "hours": float(s.learning_hours),
            }
            for s, title, category in rows
        ],
    }


# Feedback ------------------------------------------------------------------------------------------------------


def leave_feedback(
    session: CourseSession, guardian: Guardian, rating: int, comment: str = "", now: dt.datetime | None = None
) -> Feedback:
    """课程评价: only once the session has started (a parent checks in before it starts), after attending, once
    per enrolment."""
    if (now or utcnow()) < session.starts_at:
        raise RuleViolation("场次开始后才能评价", code="session_not_started")
    enrolment = active_enrolment(session.id, guardian.id)
    if enrolment is None or enrolment.status != EnrolmentStatus.ATTENDED:
        raise Conflict("签到参加后才能评价", code="not_attended")
    if db.session.scalar(sa.select(Feedback.id).where(Feedback.enrolment_id == enrolment.id)) is not None:
        raise Conflict("您已评价过该场次", code="feedback_exists")
    feedback = Feedback(
        enrolment_id=enrolment.id, session_id=session.id, course_id=session.course_id, rating=rating, comment=comment
    )
    db.session.add(feedback)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict("您已评价过该场次", code="feedback_exists")
    return feedback


def feedback_stats(course_id: int) -> tuple[int, float | None, dict[str, int]]:
    """(count, average rating, {rating: count}) of a course."""
    rows = db.session.execute(
        sa.select(Feedback.rating, sa.func.count()).where(Feedback.course_id == course_id).group_by(Feedback.rating)
    ).all()
    count = sum(n for _, n in rows)
    average = round(sum(r * n for r, n in rows) / count, 2) if count else None
    return count, average, {str(r): n for r, n in rows}


def feedback_comments(course_id: int) -> sa.Select[tuple[Feedback]]:
    """The comments of a course, newest first (anonymous: organisers see what was said, not who said it)."""
    return (
        sa.select(Feedback)
        .join(Feedback.session)
        .options(contains_eager(Feedback.session))
        .where(Feedback.course_id == course_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )


# Compliance ----------------------------------------------------------------------------------------------------


def compliance(school: School, year: SchoolYear, now: dt.datetime | None = None) -> dict[str, Any]:
    """Held activities of the school's own courses per term and for the year, against the policy numbers."""
    now = now or utcnow()
    start, end = _utc_bounds(year.starts_on, year.ends_on)
    held = _held_sessions(school.id, start, min(end, now))
    attendance = _attendance(held)
    terms = [
        _period(
            term.name,
            term.label,
            term.starts_on,
            term.ends_on,
            TERM_REQUIREMENTS,
            [row for row in held if term.starts_on <= _local_date(row.starts_at) <= term.ends_on],
            attendance,
        )
        for term in terms_of(year, school.region)
    ]
    whole = _period("year", year.label, year.starts_on, year.ends_on, YEAR_RULES, held, attendance)
    return {"school_id": school.id, "school_year": year.start_year, "label": year.label, "terms": terms, "year": whole}


def _local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(SHANGHAI).date()


def _held_sessions(school_id: int, start: dt.datetime, end: dt.datetime) -> Sequence[Any]:
    """Sessions of the school's courses that took place (not cancelled, already ended; a back-filled one only
    with its attendance recorded) in [start, end)."""
    return db.session.execute(
        sa.select(CourseSession.id, CourseSession.starts_at, Course.activity_kind)
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            Course.school_id == school_id,
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.starts_at >= start,
            CourseSession.ends_at <= end,
            counts_as_held(),
        )
    ).all()


def _attendance(held: Sequence[Any]) -> dict[int, list[int]]:
    """{session_id: (attended, absent)} in one query."""
    if not held:
        return {}
    rows = db.session.execute(
        sa.select(Enrolment.session_id, Enrolment.status, sa.func.count())
        .where(
            Enrolment.session_id.in_([row.id for row in held]),
            Enrolment.status.in_((EnrolmentStatus.ATTENDED, EnrolmentStatus.ABSENT, EnrolmentStatus.ENROLLED)),
        )
        .group_by(Enrolment.session_id, Enrolment.status)
    ).all()
    result: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
    for session_id, status, n in rows:
        result[session_id][0 if status == EnrolmentStatus.ATTENDED else 1] += n
    return result


def _period(name, label, starts_on, ends_on, requirements, rows, attendance):
    items = []
    for kind in ActivityKind:
        ids = [row.id for row in rows if row.activity_kind == kind]
        attended = sum(attendance[i][0] for i in ids if i in attendance)
        expected = attended + sum(attendance[i][1] for i in ids if i in attendance)
        required = requirements.get(kind)
        items.append(
            {
                "activity_kind": kind.value,
                "label": ACTIVITY_LABELS[kind],
                "held": len(ids),
                "required": required,
                "met": None if required is None else len(ids) >= required,
                "attended": attended,
                "expected": expected,
                "attendance_rate": round(attended / expected, 4) if expected else None,
            }
        )
    return {"period": name, "label": label, "starts_on": starts_on, "ends_on": ends_on, "items": items}
