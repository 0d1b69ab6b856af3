"""签到与出勤: the rotating check-in code, parents' check-in, attendance marked by hand, absentees after the end.

The code is six digits, an HMAC of the app's secret, the session's id and salt and the current time step
(``COURSE_CHECKIN_STEP_SECONDS``, default 60). It is valid from ``COURSE_CHECKIN_OPENS_MINUTES`` (default 30)
before the start until the end; the current and the previous step's codes are accepted (a code scanned just
before it changed still works), an older one answers ``checkin_code_expired``.

Every change of an enrolment's or a session's status goes through their life cycles (models.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app

from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.courses.models import (
    ENROLMENT_LIFECYCLE,
    PLACE_HOLDING,
    SESSION_LIFECYCLE,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    SessionStatus,
)
from jlt_family.courses.permissions import audience_for_schools
from jlt_family.courses.service import HOLDING_OR_WAITING, SessionNotScheduled, active_enrolment, lock_session
from jlt_family.families.models import Guardian
from jlt_family.organizations.students import Student

BACKFILLED = "补登出勤"
_EXPIRED_STEPS = 30  # a code this many steps old is "expired" rather than "wrong"


def _step_seconds() -> int:
    return int(current_app.config.get("COURSE_CHECKIN_STEP_SECONDS", 60))


def checkin_window(session: CourseSession) -> tuple[dt.datetime, dt.datetime]:
    """(opens, closes) of the session's check-in."""
    lead = dt.timedelta(minutes=int(current_app.config.get("COURSE_CHECKIN_OPENS_MINUTES", 30)))
    return session.starts_at - lead, session.ends_at


def _code_at(session: CourseSession, step: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"course-checkin:{session.id}:{session.checkin_salt}:{step}".encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:8], 'big') % 1_000_000:06d}"


def _step(now: dt.datetime) -> int:
    return int(now.timestamp()) // _step_seconds()


def _check_open(session: CourseSession, now: dt.datetime) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise SessionNotScheduled()
    opens, closes = checkin_window(session)
    if now < opens:
        raise RuleViolation("签到尚未开始（开课前30分钟开放）", code="checkin_not_open")
    if now > closes:
        raise RuleViolation("签到已结束", code="checkin_closed")


def current_code(session: CourseSession, now: dt.datetime | None = None) -> dict[str, object]:
    """The code the organiser shows now, and until when it is shown."""
    now = now or utcnow()
    _check_open(session, now)
    step = _step(now)
    valid_until = dt.datetime.fromtimestamp((step + 1) * _step_seconds(), dt.UTC)
    opens, closes = checkin_window(session)
    return {
        "code": _code_at(session, step),
        "step_seconds": _step_seconds(),
        "valid_until": valid_until,
        "window_opens_at": opens,
        "window_closes_at": closes,
    }


def _verify(session: CourseSession, code: str, now: dt.datetime) -> None:
    step = _step(now)
    if any(hmac.compare_digest(code, _code_at(session, s)) for s in (step, step - 1)):
        return
    if any(hmac.compare_digest(code, _code_at(session, s)) for s in range(step - _EXPIRED_STEPS, step - 1)):
        raise RuleViolation("签到码已过期，请扫描现场最新的签到码", code="checkin_code_expired")
    raise RuleViolation("签到码不正确", code="invalid_checkin_code")


def check_in(session: CourseSession, guardian: Guardian, code: str, now: dt.datetime | None = None) -> Enrolment:
    """家长签到 with the code shown at the session: the enrolment becomes attended."""
    now = now or utcnow()
    _check_open(session, now)
    enrolment = active_enrolment(session.id, guardian.id)
    if enrolment is None:
        raise Conflict("您未报名该场次", code="not_enrolled")
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        raise Conflict("您仍在候补中，未获得名额", code="still_waitlisted")
    if enrolment.status == EnrolmentStatus.ATTENDED:
        raise Conflict("您已签到", code="already_checked_in")
    _verify(session, code, now)
    if not ENROLMENT_LIFECYCLE.move(
        enrolment,
        EnrolmentStatus.ATTENDED,
        actor_id=enrolment.user_id,
        reason="现场签到",
        only_from={EnrolmentStatus.ENROLLED, EnrolmentStatus.ABSENT},
        values={"checked_in_at": now},
    ):
        raise Conflict("您已签到", code="already_checked_in")
    db.session.refresh(enrolment)
    return enrolment


def mark_attendance(
    enrolment: Enrolment, *, attended: bool, by_user_id: int, now: dt.datetime | None = None
) -> Enrolment:
    """组织者补登出勤: attended or absent, from the opening of check-in on."""
    now = now or utcnow()
    session = enrolment.session
    if session.status == SessionStatus.CANCELLED:
        raise SessionNotScheduled()
    if now < checkin_window(session)[0]:
        raise RuleViolation("场次开始前不能登记出勤", code="checkin_not_open")
    if enrolment.status not in PLACE_HOLDING:
        raise Conflict("候补或已取消的报名不能登记出勤", code="enrolment_not_active")
    target = EnrolmentStatus.ATTENDED if attended else EnrolmentStatus.ABSENT
    checked_in_at = (enrolment.checked_in_at or now) if attended else None
    if enrolment.status == target:  # the same answer again: only who marked it and when changes
        enrolment.checked_in_at, enrolment.attendance_marked_by_id = checked_in_at, by_user_id
        return enrolment
    values = {"checked_in_at": checked_in_at, "attendance_marked_by_id": by_user_id}
    reason = "登记出席" if attended else "登记缺席"
    if not ENROLMENT_LIFECYCLE.move(
        enrolment, target, actor_id=by_user_id, reason=reason, only_from=PLACE_HOLDING, values=values
    ):
        raise Conflict("候补或已取消的报名不能登记出勤", code="enrolment_not_active")
    return enrolment


def record_backfilled(
    session: CourseSession, *, child_ids: list[int], by_user_id: int, now: dt.datetime | None = None
) -> CourseSession:
    """补登出勤: the families of ``child_ids`` attended the back-filled ``session`` (their primary guardian's
    enrolment, attended, marked by ``by_user_id``); families already recorded are left as they are.

    Each child must be in the course's audience (a family that could have enrolled), else 422 with the ids.
    """
    now = now or utcnow()
    session = lock_session(session.id)
    if not session.backfilled:
        raise Conflict("只有补录的场次需要补登出勤；其他场次请使用签到或逐个登记出勤", code="not_backfilled")
    if session.status == SessionStatus.CANCELLED:
        raise SessionNotScheduled()
    students = db.session.execute(
        sa.select(Student.id, Student.school_id, Student.family_id).where(Student.id.in_(set(child_ids)))
    ).all()
    schools = {school_id for _, school_id, _ in students}
    eligible = {
        school_id for school_id in schools if audience_for_schools(frozenset({school_id})).includes(session.course)
    }
    found = {sid: family_id for sid, school_id, family_id in students if school_id in eligible and family_id}
    unknown = sorted(set(child_ids) - set(found))
    if unknown:
        raise RuleViolation(
            "部分孩子不属于该课程的学校范围或尚未绑定家庭", code="child_not_in_audience", errors={"child_ids": unknown}
        )
    families = sorted(set(found.values()))
    guardians: dict[int | None, Guardian] = {}
    for guardian in db.session.scalars(
        sa.select(Guardian).where(Guardian.family_id.in_(families)).order_by(Guardian.is_primary.desc(), Guardian.id)
    ):
        guardians.setdefault(guardian.family_id, guardian)
    for family_id in families:
        guardian = guardians[family_id]
        enrolment = db.session.scalar(
            sa.select(Enrolment)
            .where(Enrolment.session_id == session.id, Enrolment.guardian_id == guardian.id, Enrolment.active_key == 1)
            .with_for_update()
        )
        if enrolment is None:
            if session.taken + 1 > session.capacity:
                raise RuleViolation("出席家庭数超过场次名额", code="capacity_exceeded")
            session.taken = session.taken + 1
            enrolment = Enrolment(
                session_id=session.id,
                guardian_id=guardian.id,
                user_id=guardian.user_id,
                created_at=now,
                status=EnrolmentStatus.ATTENDED,
                checked_in_at=session.starts_at,
                attendance_marked_by_id=by_user_id,
            )
            db.session.add(enrolment)
            db.session.flush()
            ENROLMENT_LIFECYCLE.created(enrolment, actor_id=by_user_id, reason=BACKFILLED)
        elif enrolment.status == EnrolmentStatus.ATTENDED:
            enrolment.checked_in_at = enrolment.checked_in_at or session.starts_at
            enrolment.attendance_marked_by_id = by_user_id
        elif enrolment.status != EnrolmentStatus.WAITLISTED:
            ENROLMENT_LIFECYCLE.move(
                enrolment,
                EnrolmentStatus.ATTENDED,
                actor_id=by_user_id,
                reason=BACKFILLED,
                only_from=PLACE_HOLDING,
                values={
                    "checked_in_at": enrolment.checked_in_at or session.starts_at,
                    "attendance_marked_by_id": by_user_id,
                },
            )
    db.session.flush()
    return session


def close_ended_sessions(now: dt.datetime | None = None) -> dict[str, int]:
    """After the end: enrolled parents who did not check in become absent, the waitlist lapses, the session is
    held. Each session's row is locked before its enrolments' and every change is conditional, so running it twice
    (or from two schedulers at once) changes nothing twice."""
    now = now or utcnow()
    ended = list(
        db.session.scalars(
            sa.select(CourseSession.id)
            .where(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.ends_at <= now)
            .order_by(CourseSession.id)
        )
    )
    held = absent = 0
    for session_id in ended:
        session = lock_session(session_id)
        if session.status != SessionStatus.SCHEDULED:
            continue  # closed meanwhile (by another run, or cancelled)
        waiting = db.session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.session_id == session_id, Enrolment.status.in_(HOLDING_OR_WAITING))
            .order_by(Enrolment.id)
            .with_for_update()
        ).all()
        for enrolment in waiting:
            if enrolment.status == EnrolmentStatus.ENROLLED:
                absent += ENROLMENT_LIFECYCLE.move(
                    enrolment,
                    EnrolmentStatus.ABSENT,
                    actor_id=None,
                    reason="未签到",
                    only_from={EnrolmentStatus.ENROLLED},
                )
            else:
                ENROLMENT_LIFECYCLE.move(
                    enrolment,
                    EnrolmentStatus.CANCELLED,
                    actor_id=None,
                    reason="场次已结束，候补未递补",
                    only_from={EnrolmentStatus.WAITLISTED},
                    values={"active_key": None, "cancelled_at": now},
                )
        held += SESSION_LIFECYCLE.move(
            session,
            SessionStatus.HELD,
            actor_id=None,
            reason="场次已结束",
            only_from={SessionStatus.SCHEDULED},
            values={"waitlisted": 0},
        )
    return {"sessions": held, "absent": absent}
