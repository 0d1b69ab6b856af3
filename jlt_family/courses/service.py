"""Rules of the parent school: courses, sessions, enrolment with waitlist, cancellation and promotion.

Services never commit (the route or the job does) and never read the request. Places are taken with one
conditional UPDATE (``taken + 1 <= capacity``); every other change of a session's counters happens while the
session row is locked (``SELECT ... FOR UPDATE``), so concurrent enrolments, cancellations and promotions of one
session are serialised on that row and the counters never drift from the enrolment rows. A session's row is
always locked before its enrolment rows, and a course's row before its sessions' rows when both are locked
(format changes, session creation and changes): no lock-order deadlocks.

Reminders: the three events of ``core.events`` are sent after the change is flushed (enrolment and promotion
schedule reminders, cancellations cancel them, cancelled sessions and promotions send a notice).
"""

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.events import cancel_reminders, schedule_reminders, send_notice
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.courses.models import (
    FORMAT_LABELS,
    Course,
    CourseFormat,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    SessionStatus,
)

SUBJECT = "course_session"
REMINDER_KIND = "course_session"


class AlreadyEnrolled(Conflict):
    code = "already_enrolled"
    message = "您已报名（或正在候补）该场次"


class SessionFull(Conflict):
    code = "session_full"
    message = "该场次名额已满"


class SessionNotScheduled(Conflict):
    code = "session_not_scheduled"
    message = "该场次已取消或已结束"


class EnrolmentNotActive(Conflict):
    code = "enrolment_not_active"
    message = "该报名已取消或已结束，不能执行此操作"


def lock_session(session_id):
    """The session row, locked for the rest of the transaction and re-read (the latest committed state)."""
    return db.session.scalar(
        sa.select(CourseSession)
        .where(CourseSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# Courses -------------------------------------------------------------------------------------------------------


def create_course(actor, kind, provider, **fields):
    course = Course(created_by_id=actor.user_id, **fields)
    course.set_provider(kind, provider)
    _check_grades(course.grade_min, course.grade_max)
    db.session.add(course)
    db.session.flush()
    return course


def update_course(course, now=None, **fields):
    """修改课程; a new format (线下 ↔ 线上) is refused unless every session still to come complies with it."""
    _check_grades(fields.get("grade_min", course.grade_min), fields.get("grade_max", course.grade_max))
    if "format" in fields and fields["format"] != course.format:
        course = lock_course(course.id)
        _check_sessions_fit_format(course, fields["format"], now or utcnow())
    for name, value in fields.items():
        setattr(course, name, value)
    return course


def lock_course(course_id, *, shared=False):
    """The course row, locked (``shared``: against a format change only) and re-read from the latest commit.

    A course's row is locked before its sessions' rows: a format change locks it exclusively and then reads the
    sessions; creating or changing a session locks it shared first, so it checks against the format in force.
    """
    return db.session.scalar(
        sa.select(Course)
        .where(Course.id == course_id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    )


_FORMAT_NEEDS = {CourseFormat.OFFLINE: ("place", "上课地点"), CourseFormat.ONLINE_LIVE: ("online_url", "直播链接")}


def _check_sessions_fit_format(course, new_format, now):
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


def _check_grades(grade_min, grade_max):
    if grade_min is not None and grade_max is not None and grade_min > grade_max:
        raise RuleViolation("最低年级不能高于最高年级", code="grade_range_invalid")


def publish_course(course, now=None):
    if course.is_published:
        raise Conflict("课程已发布", code="already_published")
    course.is_published = True
    course.published_at = now or utcnow()
    return course


def unpublish_course(course):
    if not course.is_published:
        raise Conflict("课程尚未发布", code="not_published")
    course.is_published = False
    return course


# Sessions ------------------------------------------------------------------------------------------------------


SESSION_FIELDS = (
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "enrol_opens_at",
    "enrol_closes_at",
    "cancel_deadline",
    "learning_hours",
)


def create_session(course, now=None, **fields):
    """新建场次. One that has already ended is back-filled (补录): marked, and held only with its attendance."""
    import secrets

    fields.setdefault("learning_hours", 1.0)
    fields["learning_hours"] = _hours(fields["learning_hours"])
    course = lock_course(course.id, shared=True)
    session = CourseSession(
        course=course, checkin_salt=secrets.token_hex(16), backfilled=fields["ends_at"] <= (now or utcnow()), **fields
    )
    _check_session(session)
    db.session.add(session)
    db.session.flush()
    return session


def _hours(value):
    return Decimal(str(round(float(value), 1)))


def _check_session(session):
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


def update_session(session, now=None, **fields):
    """Change times, place, capacity or windows of a scheduled session; enrolled parents hear of a move."""
    now = now or utcnow()
    lock_course(session.course_id, shared=True)
    session = lock_session(session.id)
    if session.status != SessionStatus.SCHEDULED:
        raise SessionNotScheduled()
    if "learning_hours" in fields:
        fields["learning_hours"] = _hours(fields["learning_hours"])
    if fields.get("capacity", session.capacity) < session.taken:
        raise Conflict(f"已有 {session.taken} 人报名，名额不能少于已报名人数", code="capacity_below_taken")
    moved = any(
        name in fields and fields[name] != getattr(session, name)
        for name in ("starts_at", "ends_at", "place", "online_url")
    )
    for name, value in fields.items():
        setattr(session, name, value)
    _check_session(session)
    db.session.flush()
    if moved:
        _announce_move(session)
    promote_waitlist(session, now)
    return session


def _announce_move(session):
    user_ids = place_holder_user_ids(session.id)
    if not user_ids:
        return
    _schedule(session, user_ids)
    _notice(
        session,
        user_ids,
        "course_session_changed",
        "课程场次有调整",
        f"您报名的“{session.course.title}”时间或地点有调整，请查看最新安排。",
    )


def cancel_session(session, reason="", now=None):
    """取消场次: every enrolled and waitlisted parent is told, their reminders cancelled, the places released."""
    now = now or utcnow()
    session = lock_session(session.id)
    if session.status != SessionStatus.SCHEDULED or session.ends_at <= now:
        raise SessionNotScheduled()
    active = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
    user_ids = list(
        db.session.scalars(
            sa.select(Enrolment.user_id)
            .where(Enrolment.session_id == session.id, Enrolment.status.in_(active))
            .order_by(Enrolment.id)
        )
    )
    released = update_rows(
        sa.update(Enrolment)
        .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.ENROLLED)
        .values(status=EnrolmentStatus.CANCELLED, active_key=None, cancelled_at=now)
    )
    update_rows(
        sa.update(Enrolment)
        .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        .values(status=EnrolmentStatus.CANCELLED, active_key=None, cancelled_at=now)
    )
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    session.taken = session.taken - released
    session.waitlisted = 0
    db.session.flush()
    cancel_reminders.send(session, subject_type=SUBJECT, subject_id=session.id, user_ids=None)
    if user_ids:
        _notice(
            session,
            user_ids,
            "course_session_cancelled",
            "课程场次已取消",
            f"您报名的“{session.course.title}”（{_when(session)}）已取消。{reason}".strip(),
        )
    return session


# Enrolment -----------------------------------------------------------------------------------------------------


def check_enrollable(session, now):
    """The session takes enrolments now: scheduled, published, not started, inside its enrolment window."""
    if session.status != SessionStatus.SCHEDULED:
        raise SessionNotScheduled()
    if not session.course.is_published:
        raise Conflict("课程尚未发布，不能报名", code="course_not_published")
    if session.starts_at <= now:
        raise RuleViolation("该场次已开始或已结束，不能报名", code="session_started")
    if session.enrol_opens_at and now < session.enrol_opens_at:
        raise RuleViolation("报名尚未开始", code="enrolment_not_open")
    if now >= session.enrolment_closes:
        raise RuleViolation("报名已截止", code="enrolment_closed")


def active_enrolment(session_id, guardian_id):
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.session_id == session_id, Enrolment.guardian_id == guardian_id, Enrolment.active_key == 1
        )
    )


def enrol(session, guardian, *, join_waitlist=True, now=None):
    """报名: take a place with one conditional UPDATE, or join the waitlist in arrival order when full."""
    now = now or utcnow()
    check_enrollable(session, now)
    if active_enrolment(session.id, guardian.id) is not None:
        raise AlreadyEnrolled()
    enrolment = Enrolment(session_id=session.id, guardian_id=guardian.id, user_id=guardian.user_id, created_at=now)
    if _take_place(session.id):
        enrolment.status = EnrolmentStatus.ENROLLED
    elif join_waitlist:
        enrolment.status = EnrolmentStatus.WAITLISTED
        enrolment.waitlist_position = _next_waitlist_position(session.id)
    else:
        raise SessionFull()
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError:
        raise AlreadyEnrolled()
    db.session.refresh(session)
    if enrolment.status == EnrolmentStatus.ENROLLED:
        _schedule(session, [guardian.user_id])
    return enrolment


def _take_place(session_id):
    """One conditional UPDATE: a place if one is left (the row count decides)."""
    return (
        update_rows(
            sa.update(CourseSession)
            .where(
                CourseSession.id == session_id,
                CourseSession.status == SessionStatus.SCHEDULED,
                CourseSession.taken + 1 <= CourseSession.capacity,
            )
            .values(taken=CourseSession.taken + 1)
        )
        == 1
    )


def _next_waitlist_position(session_id):
    """The next waitlist number: the UPDATE locks the row, so positions follow the order of arrival."""
    if not update_rows(
        sa.update(CourseSession)
        .where(CourseSession.id == session_id, CourseSession.status == SessionStatus.SCHEDULED)
        .values(waitlisted=CourseSession.waitlisted + 1, waitlist_seq=CourseSession.waitlist_seq + 1)
    ):
        raise SessionNotScheduled()
    return db.session.scalar(
        sa.select(CourseSession.waitlist_seq).where(CourseSession.id == session_id).with_for_update()
    )


def cancel_enrolment(enrolment, now=None):
    """取消报名: before the cancel deadline (a waitlisted parent may leave until the start); a freed place goes
    to the head of the waitlist."""
    now = now or utcnow()
    session = lock_session(enrolment.session_id)
    db.session.refresh(enrolment, with_for_update=True)
    was = enrolment.status
    if was not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED):
        raise EnrolmentNotActive()
    if session.status != SessionStatus.SCHEDULED:
        raise SessionNotScheduled()
    if now >= session.starts_at:
        raise RuleViolation("场次已开始，不能取消报名", code="session_started")
    if was == EnrolmentStatus.ENROLLED and now > session.cancel_until:
        raise RuleViolation("已过取消截止时间，不能取消报名", code="cancel_deadline_passed")
    _release(enrolment, session, now)
    return enrolment


def _release(enrolment, session, now):
    """Cancel an active enrolment (both rows locked by the caller): its place or waitlist spot is given back,
    its reminders cancelled, and a freed place goes to the head of the waitlist."""
    was = enrolment.status
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.active_key = None
    enrolment.cancelled_at = now
    if was == EnrolmentStatus.ENROLLED:
        session.taken = session.taken - 1
    else:
        session.waitlisted = session.waitlisted - 1
    db.session.flush()
    if was == EnrolmentStatus.ENROLLED:
        cancel_reminders.send(session, subject_type=SUBJECT, subject_id=session.id, user_ids=[enrolment.user_id])
    promote_waitlist(session, now)


def release_guardian(guardian_id, now=None):
    """A guardian left their family (退出家庭): the places and waitlist spots they hold in sessions not yet
    started are given back, whatever the cancel deadline (they can no longer take part as a guardian). Sessions
    already started keep their enrolments: that is the attendance history the reports count."""
    now = now or utcnow()
    held = db.session.execute(
        sa.select(Enrolment.id, Enrolment.session_id)
        .join(CourseSession, CourseSession.id == Enrolment.session_id)
        .where(
            Enrolment.guardian_id == guardian_id,
            Enrolment.active_key == 1,
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
        )
        .order_by(Enrolment.session_id)
    ).all()
    for enrolment_id, session_id in held:  # session rows locked in id order, each before its enrolment row
        session = lock_session(session_id)
        enrolment = db.session.get(Enrolment, enrolment_id)
        db.session.refresh(enrolment, with_for_update=True)
        if enrolment.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED):
            _release(enrolment, session, now)


def promote_waitlist(session, now=None):
    """Give free places to the waitlist in order (the session row is locked by the caller). Each promoted parent
    is told and gets the session's reminders."""
    now = now or utcnow()
    promoted = []
    while session.taken < session.capacity and session.starts_at > now:
        head = db.session.scalar(
            sa.select(Enrolment)
            .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.WAITLISTED)
            .order_by(Enrolment.waitlist_position)
            .limit(1)
            .with_for_update()
        )
        if head is None:
            break
        head.status = EnrolmentStatus.ENROLLED
        head.promoted_at = now
        session.taken = session.taken + 1
        session.waitlisted = session.waitlisted - 1
        db.session.flush()
        promoted.append(head)
    if promoted:
        user_ids = [e.user_id for e in promoted]
        _notice(
            session,
            user_ids,
            "course_waitlist_promoted",
            "候补成功",
            f"您候补的“{session.course.title}”（{_when(session)}）已有名额，已为您报名成功。",
        )
        _schedule(session, user_ids)
    return promoted


def waitlist_rank(enrolment):
    """The enrolment's place in the queue now (1 = next to be promoted), or None when not waiting."""
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Enrolment.session_id == enrolment.session_id,
            Enrolment.status == EnrolmentStatus.WAITLISTED,
            Enrolment.waitlist_position <= enrolment.waitlist_position,
        )
    )


def place_holder_user_ids(session_id):
    return list(
        db.session.scalars(
            sa.select(Enrolment.user_id)
            .where(Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.ENROLLED)
            .order_by(Enrolment.id)
        )
    )


# Announcements (the reminder contract of core.events) ---------------------------------------------------------


def _page(session):
    return f"pages/course/session?id={session.id}"


def _when(session):
    from jlt_family.core.timeutil import to_shanghai

    return to_shanghai(session.starts_at).strftime("%m月%d日 %H:%M")


def _schedule(session, user_ids):
    course = session.course
    schedule_reminders.send(
        session,
        kind=REMINDER_KIND,
        subject_type=SUBJECT,
        subject_id=session.id,
        user_ids=list(user_ids),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        title=course.title,
        place=session.place or session.online_url,
        page=_page(session),
        school_id=course.school_id,
    )


def _notice(session, user_ids, kind, title, body):
    send_notice.send(
        session,
        kind=kind,
        subject_type=SUBJECT,
        subject_id=session.id,
        user_ids=list(user_ids),
        title=title,
        body=body,
        page=_page(session),
        school_id=session.course.school_id,
    )


def as_utc(value):
    return value.astimezone(dt.UTC) if value is not None else None
