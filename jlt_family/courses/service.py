"""Rules of the parent school's enrolment: places, waitlist, cancellation and promotion (courses and sessions
themselves: ``planning``).

Services never commit (the route or the job does) and never read the request. Places are taken with one
conditional UPDATE (``taken + 1 <= capacity``); every other change of a session's counters happens while the
session row is locked (``SELECT ... FOR UPDATE``), so concurrent enrolments, cancellations and promotions of one
session are serialised on that row and the counters never drift from the enrolment rows. A session's row is
always locked before its enrolment rows, and a course's row before its sessions' rows when both are locked
(format changes, session creation and changes): no lock-order deadlocks.

Reminders: the three events of ``core.events`` are sent after the change is flushed (enrolment and promotion
schedule reminders, cancellations cancel them, cancelled sessions and promotions send a notice).
Every change of an enrolment's status goes through ``ENROLMENT_LIFECYCLE`` (models.py), which writes its history
row (who, from, to, why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.events import cancel_reminders, schedule_reminders, send_notice
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.courses.models import (
    ENROLMENT_LIFECYCLE,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    SessionStatus,
)
from jlt_family.families.models import Guardian

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


def lock_session(session_id: int) -> CourseSession:
    """The session row, locked for the rest of the transaction and re-read (the latest committed state)."""
    return db.session.scalars(
        sa.select(CourseSession)
        .where(CourseSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# Enrolment -----------------------------------------------------------------------------------------------------

HOLDING_OR_WAITING = frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED})
PROMOTED = "候补递补"


def check_enrollable(session: CourseSession, now: dt.datetime) -> None:
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


def active_enrolment(session_id: int, guardian_id: int) -> Enrolment | None:
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.session_id == session_id, Enrolment.guardian_id == guardian_id, Enrolment.active_key == 1
        )
    )


def enrol(
    session: CourseSession, guardian: Guardian, *, join_waitlist: bool = True, now: dt.datetime | None = None
) -> Enrolment:
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
    ENROLMENT_LIFECYCLE.created(enrolment, actor_id=guardian.user_id)
    db.session.refresh(session)
    if enrolment.status == EnrolmentStatus.ENROLLED:
        schedule(session, [enrolment.user_id])
    return enrolment


def _take_place(session_id: int) -> bool:
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


def _next_waitlist_position(session_id: int) -> int:
    """The next waitlist number: the UPDATE locks the row, so positions follow the order of arrival."""
    if not update_rows(
        sa.update(CourseSession)
        .where(CourseSession.id == session_id, CourseSession.status == SessionStatus.SCHEDULED)
        .values(waitlisted=CourseSession.waitlisted + 1, waitlist_seq=CourseSession.waitlist_seq + 1)
    ):
        raise SessionNotScheduled()
    return db.session.scalars(
        sa.select(CourseSession.waitlist_seq).where(CourseSession.id == session_id).with_for_update()
    ).one()


def cancel_enrolment(enrolment: Enrolment, *, actor_id: int | None, now: dt.datetime | None = None) -> Enrolment:
    """取消报名: before the cancel deadline (a waitlisted parent may leave until the start); a freed place goes
    to the head of the waitlist."""
    now = now or utcnow()
    session = lock_session(enrolment.session_id)
    db.session.refresh(enrolment, with_for_update=True)
    was = enrolment.status
    if was not in HOLDING_OR_WAITING:
        raise EnrolmentNotActive()
    if session.status != SessionStatus.SCHEDULED:
        raise SessionNotScheduled()
    if now >= session.starts_at:
        raise RuleViolation("场次已开始，不能取消报名", code="session_started")
    if was == EnrolmentStatus.ENROLLED and now > session.cancel_until:
        raise RuleViolation("已过取消截止时间，不能取消报名", code="cancel_deadline_passed")
    _release(enrolment, session, now, actor_id=actor_id, reason="家长取消报名")
    return enrolment


def _release(
    enrolment: Enrolment, session: CourseSession, now: dt.datetime, *, actor_id: int | None, reason: str
) -> None:
    """Cancel an active enrolment (both rows locked by the caller): its place or waitlist spot is given back,
    its reminders cancelled, and a freed place goes to the head of the waitlist."""
    was = enrolment.status
    if not ENROLMENT_LIFECYCLE.move(
        enrolment,
        EnrolmentStatus.CANCELLED,
        actor_id=actor_id,
        reason=reason,
        only_from=HOLDING_OR_WAITING,
        values={"active_key": None, "cancelled_at": now},
    ):
        raise EnrolmentNotActive()
    if was == EnrolmentStatus.ENROLLED:
        session.taken = session.taken - 1
    else:
        session.waitlisted = session.waitlisted - 1
    db.session.flush()
    if was == EnrolmentStatus.ENROLLED:
        cancel_reminders.send(session, subject_type=SUBJECT, subject_id=session.id, user_ids=[enrolment.user_id])
    promote_waitlist(session, now, actor_id=actor_id)


def release_guardian(guardian_id: int, now: dt.datetime | None = None) -> None:
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
        enrolment = db.session.get_one(Enrolment, enrolment_id)
        db.session.refresh(enrolment, with_for_update=True)
        if enrolment.status in HOLDING_OR_WAITING:
            _release(enrolment, session, now, actor_id=None, reason="监护人退出家庭")


def promote_waitlist(
    session: CourseSession, now: dt.datetime | None = None, *, actor_id: int | None = None
) -> list[Enrolment]:
    """Give free places to the waitlist in order (the session row is locked by the caller). Each promoted parent
    is told and gets the session's reminders; ``actor_id`` is whoever freed (or added) the places."""
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
        if not ENROLMENT_LIFECYCLE.move(
            head,
            EnrolmentStatus.ENROLLED,
            actor_id=actor_id,
            reason=PROMOTED,
            only_from={EnrolmentStatus.WAITLISTED},
            values={"promoted_at": now},
        ):
            break
        session.taken = session.taken + 1
        session.waitlisted = session.waitlisted - 1
        db.session.flush()
        promoted.append(head)
    if promoted:
        user_ids = [e.user_id for e in promoted]
        notice(
            session,
            user_ids,
            "course_waitlist_promoted",
            "候补成功",
            f"您候补的“{session.course.title}”（{when(session)}）已有名额，已为您报名成功。",
        )
        schedule(session, user_ids)
    return promoted


def waitlist_rank(enrolment: Enrolment) -> int | None:
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


def roster(session_id: int, status: EnrolmentStatus | None = None) -> sa.Select[tuple[Enrolment]]:
    """报名名单 of a session: enrolled first, then the waitlist in order (``status``: only those)."""
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.session_id == session_id)
        .options(selectinload(Enrolment.guardian).selectinload(Guardian.user))
        .order_by(Enrolment.waitlist_position.is_not(None), Enrolment.waitlist_position, Enrolment.id)
    )
    return stmt.where(Enrolment.status == status) if status else stmt


def place_holder_user_ids(session_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Enrolment.user_id)
            .where(Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.ENROLLED)
            .order_by(Enrolment.id)
        )
    )


# Announcements (the reminder contract of core.events) ---------------------------------------------------------


def _page(session: CourseSession) -> str:
    return f"pages/course/session?id={session.id}"


def when(session: CourseSession) -> str:
    """The start as parents read it in a notice (北京时间)."""
    return to_shanghai(session.starts_at).strftime("%m月%d日 %H:%M")


def schedule(session: CourseSession, user_ids: Iterable[int]) -> None:
    """Schedule the session's reminders for these parents."""
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


def notice(session: CourseSession, user_ids: Iterable[int], kind: str, title: str, body: str) -> None:
    """Send these parents a notice about the session."""
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
