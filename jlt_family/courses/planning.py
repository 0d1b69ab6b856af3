"""开课: courses and their sessions as their organisers plan them (create, change, publish, cancel).

Services never commit (the route or the job does). A course's row is locked before its sessions' rows when both
are locked (format changes, session creation and changes), and a session's row before its enrolment rows (see
``service``): no lock-order deadlocks.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

import sqlalchemy as sa

from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.events import cancel_reminders
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.courses.models import (
    ENROLMENT_LIFECYCLE,
    FORMAT_LABELS,
    SESSION_LIFECYCLE,
    ActivityKind,
    Course,
    CourseCategory,
    CourseFormat,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    ProviderKind,
    SessionStatus,
)
from jlt_family.courses.service import (
    HOLDING_OR_WAITING,
    SUBJECT,
    SessionNotScheduled,
    lock_session,
    notice,
    place_holder_user_ids,
    promote_waitlist,
    schedule,
    when,
)

# Courses -------------------------------------------------------------------------------------------------------


class CourseChanges(TypedDict, total=False):
    """The fields of a course its organisers write (those given; on creation the first four are required)."""

    title: str
    description: str
    category: CourseCategory
    activity_kind: ActivityKind
    format: CourseFormat
    speaker: str
    grade_min: int | None
    grade_max: int | None


def create_course(actor: Any, *, kind: ProviderKind, provider: Any, details: CourseChanges) -> Course:
    """新建课程 (unpublished) of ``provider`` (a school, alliance, community unit or region)."""
    course = Course(created_by_id=actor.user_id)
    _assign(course, details)
    course.set_provider(kind, provider)
    _check_grades(course.grade_min, course.grade_max)
    db.session.add(course)
    db.session.flush()
    return course


def _assign(obj: object, changes: CourseChanges | SessionChanges) -> None:
    for name, value in changes.items():
        setattr(obj, name, value)


def update_course(course: Course, *, changes: CourseChanges, now: dt.datetime | None = None) -> Course:
    """修改课程; a new format (线下 ↔ 线上) is refused unless every session still to come complies with it."""
    _check_grades(changes.get("grade_min", course.grade_min), changes.get("grade_max", course.grade_max))
    if "format" in changes and changes["format"] != course.format:
        course = lock_course(course.id)
        _check_sessions_fit_format(course, changes["format"], now or utcnow())
    _assign(course, changes)
    return course


def lock_course(course_id: int, *, shared: bool = False) -> Course:
    """The course row, locked (``shared``: against a format change only) and re-read from the latest commit.

    A course's row is locked before its sessions' rows: a format change locks it exclusively and then reads the
    sessions; creating or changing a session locks it shared first, so it checks against the format in force.
    """
    return db.session.scalars(
        sa.select(Course)
        .where(Course.id == course_id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    ).one()


_FORMAT_NEEDS = {CourseFormat.OFFLINE: ("place", "上课地点"), CourseFormat.ONLINE_LIVE: ("online_url", "直播链接")}


def _check_sessions_fit_format(course: Course, new_format: CourseFormat, now: dt.datetime) -> None:
    """422 ``format_change_sessions_incomplete`` listing the scheduled, not yet ended sessions that lack what
    ``new_format`` needs (a place offline, a link live online)."""
    if new_format not in _FORMAT_NEEDS:
        return
    column, label = _FORMAT_NEEDS[new_format]
    sessions = db.session.scalars(
        sa.select(CourseSession)
        .where(
            CourseSession.course_id == course.id,
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.ends_at > now,
        )
        .order_by(CourseSession.starts_at, CourseSession.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    lacking = [session for session in sessions if not getattr(session, column)]
    if lacking:
        raise RuleViolation(
            f"改为{FORMAT_LABELS[new_format]}前，请先为 {len(lacking)} 个未结束的场次填写{label}",
            code="format_change_sessions_incomplete",
            errors={
                "sessions": [
                    {
                        "session_id": session.id,
                        "starts_at": to_shanghai(session.starts_at).isoformat(),
                        "missing": column,
                    }
                    for session in lacking
                ]
            },
        )


def _check_grades(grade_min: int | None, grade_max: int | None) -> None:
    if grade_min is not None and grade_max is not None and grade_min > grade_max:
        raise RuleViolation("最低年级不能高于最高年级", code="grade_range_invalid")


def publish_course(course: Course, now: dt.datetime | None = None) -> Course:
    """发布课程: parents of its audience see it and may enrol."""
    if course.is_published:
        raise Conflict("课程已发布", code="already_published")
    course.is_published = True
    course.published_at = now or utcnow()
    return course


def unpublish_course(course: Course) -> Course:
    """撤回发布: hidden from parents (existing enrolments stay)."""
    if not course.is_published:
        raise Conflict("课程尚未发布", code="not_published")
    course.is_published = False
    return course


# Sessions ------------------------------------------------------------------------------------------------------


class SessionChanges(TypedDict, total=False):
    """The fields of a session its organisers write (those given; on creation times and capacity required)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_url: str
    capacity: int
    enrol_opens_at: dt.datetime | None
    enrol_closes_at: dt.datetime | None
    cancel_deadline: dt.datetime | None
    learning_hours: NotRequired[float | Decimal]


def create_session(
    course: Course, *, details: SessionChanges, actor_id: int | None, now: dt.datetime | None = None
) -> CourseSession:
    """新建场次. One that has already ended is back-filled (补录): marked, and held only with its attendance."""
    course = lock_course(course.id, shared=True)
    session = CourseSession(
        course=course, checkin_salt=secrets.token_hex(16), backfilled=details["ends_at"] <= (now or utcnow())
    )
    _assign(session, details)
    session.learning_hours = _hours(details.get("learning_hours", 1.0))
    _check_session(session)
    db.session.add(session)
    db.session.flush()
    SESSION_LIFECYCLE.created(session, actor_id=actor_id)
    return session


def _hours(value: float | Decimal) -> Decimal:
    return Decimal(str(round(float(value), 1)))


def _check_session(session: CourseSession) -> None:
    """Times in order, a place for offline courses and a link for live online ones."""
    if session.ends_at <= session.starts_at:
        raise RuleViolation("结束时间须晚于开始时间", code="session_end_before_start")
    if session.enrol_opens_at and session.enrol_closes_at and session.enrol_closes_at <= session.enrol_opens_at:
        raise RuleViolation("报名截止时间须晚于报名开始时间", code="enrol_window_invalid")
    if session.enrol_opens_at and session.enrol_opens_at >= session.starts_at:
        raise RuleViolation("报名开始时间须早于场次开始时间", code="enrol_window_invalid")
    if session.course.format == CourseFormat.OFFLINE and not session.place:
        raise RuleViolation("线下课程请填写上课地点", code="place_required")
    if session.course.format == CourseFormat.ONLINE_LIVE and not session.online_url:
        raise RuleViolation("线上直播课程请填写直播链接", code="link_required")


def update_session(
    session: CourseSession, *, changes: SessionChanges, actor_id: int | None, now: dt.datetime | None = None
) -> CourseSession:
    """Change times, place, capacity or windows of a scheduled session; enrolled parents hear of a move, more
    places promote the waitlist."""
    now = now or utcnow()
    lock_course(session.course_id, shared=True)
    session = lock_session(session.id)
    if session.status != SessionStatus.SCHEDULED:
        raise SessionNotScheduled()
    if changes.get("capacity", session.capacity) < session.taken:
        raise Conflict(f"已有 {session.taken} 人报名，名额不能少于已报名人数", code="capacity_below_taken")
    moved = any(
        name in changes and changes[name] != getattr(session, name)
        for name in ("starts_at", "ends_at", "place", "online_url")
    )
    _assign(session, changes)
    if "learning_hours" in changes:
        session.learning_hours = _hours(changes["learning_hours"])
    _check_session(session)
    db.session.flush()
    if moved:
        _announce_move(session)
    promote_waitlist(session, now, actor_id=actor_id)
    return session


def _announce_move(session: CourseSession) -> None:
    user_ids = place_holder_user_ids(session.id)
    if not user_ids:
        return
    schedule(session, user_ids)
    notice(
        session,
        user_ids,
        "course_session_changed",
        "课程场次有调整",
        f"您报名的“{session.course.title}”时间或地点有调整，请查看最新安排。",
    )


def cancel_session(
    session: CourseSession, *, reason: str = "", actor_id: int | None, now: dt.datetime | None = None
) -> CourseSession:
    """取消场次: every enrolled and waitlisted parent is told, their reminders cancelled, the places released."""
    now = now or utcnow()
    session = lock_session(session.id)
    if session.status != SessionStatus.SCHEDULED or session.ends_at <= now:
        raise SessionNotScheduled()
    active = db.session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.session_id == session.id, Enrolment.status.in_(HOLDING_OR_WAITING))
        .order_by(Enrolment.id)
        .with_for_update()
    ).all()
    user_ids, released, why = [], 0, f"场次取消：{reason}" if reason else "场次取消"
    for enrolment in active:
        was = enrolment.status
        if ENROLMENT_LIFECYCLE.move(
            enrolment,
            EnrolmentStatus.CANCELLED,
            actor_id=actor_id,
            reason=why,
            only_from=HOLDING_OR_WAITING,
            values={"active_key": None, "cancelled_at": now},
        ):
            user_ids.append(enrolment.user_id)
            released += was == EnrolmentStatus.ENROLLED
    session.taken = session.taken - released
    session.waitlisted = 0
    db.session.flush()
    if not SESSION_LIFECYCLE.move(
        session,
        SessionStatus.CANCELLED,
        actor_id=actor_id,
        reason=reason,
        only_from={SessionStatus.SCHEDULED},
        values={"cancel_reason": reason},
    ):
        raise SessionNotScheduled()
    cancel_reminders.send(session, subject_type=SUBJECT, subject_id=session.id, user_ids=None)
    if user_ids:
        notice(
            session,
            user_ids,
            "course_session_cancelled",
            "课程场次已取消",
            f"您报名的“{session.course.title}”（{when(session)}）已取消。{reason}".strip(),
        )
    return session
