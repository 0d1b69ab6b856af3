"""History of enrolments and sessions: every change of state writes one state_change row (who, from, to, why)."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.models import StateChange
from jlt_family.courses import attendance
from jlt_family.courses.models import EnrolmentStatus


def _history(db, aggregate, aggregate_id):
    db.session.expire_all()
    return [
        (c.from_state, c.to_state, c.actor_user_id, c.reason)
        for c in db.session.scalars(
            sa.select(StateChange)
            .where(StateChange.aggregate == aggregate, StateChange.aggregate_id == aggregate_id)
            .order_by(StateChange.id)
        )
    ]


def _enrol(call, session, user):
    response = call("POST", f"/api/v1/course-sessions/{session.id}/enrolments", user)
    assert response.status_code == 201
    return response.json["id"]


def test_enrol_cancel_and_promotion_each_write_who_from_to_and_why(call, h, db, world, parents):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    db.session.commit()
    first, second = parents(2)
    placed, waiting = _enrol(call, session, first), _enrol(call, session, second)

    assert call("POST", f"/api/v1/course-enrolments/{placed}/cancel", first).status_code == 200

    assert _history(db, "enrolment", placed) == [
        (None, "enrolled", first.id, None),
        ("enrolled", "cancelled", first.id, "家长取消报名"),
    ]
    assert _history(db, "enrolment", waiting) == [
        (None, "waitlisted", second.id, None),
        ("waitlisted", "enrolled", first.id, "候补递补"),  # promoted by the cancellation that freed the place
    ]


def test_more_places_promote_the_waitlist_in_the_organisers_name(call, h, db, world, parents):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    db.session.commit()
    first, second = parents(2)
    _enrol(call, session, first)
    waiting = _enrol(call, session, second)

    response = call("PATCH", f"/api/v1/course-sessions/{session.id}", world.teacher_a, json={"capacity": 2})

    assert response.status_code == 200
    assert _history(db, "enrolment", waiting)[-1] == ("waitlisted", "enrolled", world.teacher_a.id, "候补递补")


def test_a_cancelled_session_records_its_reason_and_every_enrolment_it_ended(call, h, db, world, parents):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    db.session.commit()
    first, second = parents(2)
    placed, waiting = _enrol(call, session, first), _enrol(call, session, second)

    response = call(
        "POST", f"/api/v1/course-sessions/{session.id}/cancel", world.teacher_a, json={"reason": "讲师临时有事"}
    )

    assert response.status_code == 200
    assert _history(db, "course_session", session.id) == [
        ("scheduled", "cancelled", world.teacher_a.id, "讲师临时有事")
    ]
    for enrolment_id, was in ((placed, "enrolled"), (waiting, "waitlisted")):
        assert _history(db, "enrolment", enrolment_id)[-1] == (
            was,
            "cancelled",
            world.teacher_a.id,
            "场次取消：讲师临时有事",
        )


def test_a_new_session_starts_its_history_scheduled(call, h, db, world):
    course = h.course(db, world.school, world.teacher_a)
    db.session.commit()
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    body = {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "capacity": 20,
        "place": "学校报告厅",
    }

    response = call("POST", f"/api/v1/courses/{course.id}/sessions", world.teacher_a, json=body)

    assert response.status_code == 201
    assert _history(db, "course_session", response.json["id"]) == [(None, "scheduled", world.teacher_a.id, None)]


def test_attendance_marked_by_hand_and_corrected_is_recorded_with_the_organiser(call, h, db, world):
    session = h.session(db, h.course(db, world.school, world.teacher_a), starts_in=-dt.timedelta(minutes=10))
    enrolment = h.enrolment(db, session, world.guardian_a)
    db.session.commit()
    path = f"/api/v1/course-enrolments/{enrolment.id}/attendance"

    assert call("PUT", path, world.teacher_a, json={"attended": True}).json["status"] == "attended"
    assert call("PUT", path, world.teacher_a, json={"attended": True}).json["status"] == "attended"  # no change
    assert call("PUT", path, world.teacher_a, json={"attended": False}).json["status"] == "absent"

    assert _history(db, "enrolment", enrolment.id) == [
        ("enrolled", "attended", world.teacher_a.id, "登记出席"),
        ("attended", "absent", world.teacher_a.id, "登记缺席"),
    ]


def test_the_closing_job_records_absence_and_the_lapsed_waitlist_as_the_system(h, db, world):
    ended = h.session(db, h.course(db, world.school, world.teacher_a), starts_in=-dt.timedelta(hours=3), capacity=1)
    no_show = h.enrolment(db, ended, world.guardian_a)
    waiting = h.enrolment(db, ended, world.guardian_b, status=EnrolmentStatus.WAITLISTED)
    db.session.commit()

    attendance.close_ended_sessions()
    attendance.close_ended_sessions()  # a second run changes (and records) nothing

    assert _history(db, "enrolment", no_show.id) == [("enrolled", "absent", None, "未签到")]
    assert _history(db, "enrolment", waiting.id) == [("waitlisted", "cancelled", None, "场次已结束，候补未递补")]
    assert _history(db, "course_session", ended.id) == [("scheduled", "held", None, "场次已结束")]


def test_a_parent_checking_in_is_recorded_as_themselves(call, h, db, world):
    session = h.session(db, h.course(db, world.school, world.teacher_a), starts_in=-dt.timedelta(minutes=10))
    enrolment = h.enrolment(db, session, world.guardian_a)
    db.session.commit()
    code = call("GET", f"/api/v1/course-sessions/{session.id}/checkin-code", world.teacher_a).json["code"]

    response = call("POST", f"/api/v1/course-sessions/{session.id}/checkin", world.guardian_a, json={"code": code})

    assert response.status_code == 200
    assert _history(db, "enrolment", enrolment.id) == [("enrolled", "attended", world.guardian_a.id, "现场签到")]
