"""Check-in: the rotating code, its window, wrong and expired codes, attendance by hand, absentees after the end."""

import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.core.errors import RuleViolation
from jlt_family.core.timeutil import utcnow
from jlt_family.courses import attendance
from jlt_family.courses.models import Enrolment, EnrolmentStatus, SessionStatus
from jlt_family.families.models import Guardian


def _guardian(db, user):
    return db.session.scalar(sa.select(Guardian).where(Guardian.user_id == user.id))


def _checkin(call, session, user, code):
    return call("POST", f"/api/v1/course-sessions/{session.id}/checkin", user, json={"code": code})


def test_the_organiser_shows_the_code_and_the_parent_checks_in(call, cast, world):
    shown = call("GET", f"/api/v1/course-sessions/{cast.live.id}/checkin-code", world.teacher_a)
    assert shown.status_code == 200 and len(shown.json["code"]) == 6
    response = _checkin(call, cast.live, world.guardian_a, shown.json["code"])
    assert response.status_code == 200
    assert response.json["status"] == "attended" and response.json["checked_in_at"]
    again = _checkin(call, cast.live, world.guardian_a, shown.json["code"])
    assert again.status_code == 409 and again.json["code"] == "already_checked_in"


def test_a_wrong_code_is_refused(call, cast, world):
    code = attendance.current_code(cast.live)["code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = _checkin(call, cast.live, world.guardian_a, wrong)
    assert response.status_code == 422 and response.json["code"] == "invalid_checkin_code"


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567"])
def test_a_malformed_code_is_refused(call, cast, world, code):
    response = _checkin(call, cast.live, world.guardian_a, code)
    assert response.status_code == 422 and "code" in response.json["errors"]["json"]


def test_the_code_changes_each_step_and_the_previous_one_still_works(db, cast, world):
    now = utcnow()
    step = dt.timedelta(seconds=60)
    earlier = attendance.current_code(cast.live, now - step)["code"]
    assert attendance.current_code(cast.live, now)["code"] != attendance.current_code(cast.live, now + step)["code"]
    enrolment = attendance.check_in(cast.live, _guardian(db, world.guardian_a), earlier, now)
    assert enrolment.status == EnrolmentStatus.ATTENDED


def test_an_old_code_is_expired(db, cast, world):
    now = utcnow()
    old = attendance.current_code(cast.live, now - dt.timedelta(minutes=5))["code"]
    with pytest.raises(RuleViolation) as caught:
        attendance.check_in(cast.live, _guardian(db, world.guardian_a), old, now)
    assert caught.value.code == "checkin_code_expired"


def test_check_in_is_open_only_around_the_session(call, cast, world):
    early = call("GET", f"/api/v1/course-sessions/{cast.later.id}/checkin-code", world.teacher_a)
    assert early.status_code == 422 and early.json["code"] == "checkin_not_open"
    late = _checkin(call, cast.past, world.guardian_a, "123456")
    assert late.status_code == 422 and late.json["code"] == "checkin_closed"


def test_a_waitlisted_parent_cannot_check_in(call, h, db, world, cast):
    h.enrolment(db, cast.live, world.guardian_b, status=EnrolmentStatus.WAITLISTED)
    db.session.commit()
    response = _checkin(call, cast.live, world.guardian_b, attendance.current_code(cast.live)["code"])
    assert response.status_code == 409 and response.json["code"] == "still_waitlisted"


def test_the_organiser_marks_attendance_by_hand(call, cast, world):
    path = f"/api/v1/course-enrolments/{cast.live_booked.id}/attendance"
    assert call("PUT", path, world.teacher_b, json={"attended": True}).json["status"] == "attended"
    assert call("PUT", path, world.teacher_b, json={"attended": False}).json["status"] == "absent"


def test_attendance_cannot_be_marked_before_the_session(call, cast, world):
    response = call(
        "PUT", f"/api/v1/course-enrolments/{cast.booked.id}/attendance", world.teacher_a, json={"attended": True}
    )
    assert response.status_code == 422 and response.json["code"] == "checkin_not_open"


def test_after_the_end_the_enrolled_who_did_not_check_in_become_absent(h, db, world):
    course = h.course(db, world.school, world.teacher_a)
    ended = h.session(db, course, starts_in=-dt.timedelta(hours=3), hours=2, capacity=1)
    no_show = h.enrolment(db, ended, world.guardian_a)
    waiting = h.enrolment(db, ended, world.guardian_b, status=EnrolmentStatus.WAITLISTED)
    running = h.session(db, course, starts_in=-dt.timedelta(hours=1), hours=2)
    still_in = h.enrolment(db, running, world.guardian_a)
    db.session.commit()
    assert attendance.close_ended_sessions() == {"sessions": 1, "absent": 1}
    assert attendance.close_ended_sessions() == {"sessions": 0, "absent": 0}
    db.session.expire_all()
    assert (no_show.status, waiting.status, still_in.status) == (
        EnrolmentStatus.ABSENT,
        EnrolmentStatus.CANCELLED,
        EnrolmentStatus.ENROLLED,
    )
    assert (ended.status, ended.taken, ended.waitlisted, running.status) == (
        SessionStatus.HELD,
        1,
        0,
        SessionStatus.SCHEDULED,
    )


def test_the_job_is_registered_and_keeps_checked_in_parents(h, db, world, cast):
    from jlt_family.core.scheduler import registered_jobs

    func, trigger = registered_jobs()["courses_close_ended_sessions"]
    assert trigger == {"trigger": "interval", "minutes": 10}
    func()
    db.session.commit()
    statuses = db.session.scalars(sa.select(Enrolment.status).where(Enrolment.session_id == cast.past.id)).all()
    assert statuses == [EnrolmentStatus.ATTENDED]


def test_guessing_codes_is_rate_limited(app, call, cast, world, monkeypatch):
    monkeypatch.setitem(app.config, "COURSE_CHECKIN_ATTEMPTS_PER_HOUR", 2)
    statuses = [_checkin(call, cast.live, world.guardian_b, "000000").status_code for _ in range(3)]
    assert statuses == [409, 409, 429]  # guardian_b is not enrolled: refused, and counted
