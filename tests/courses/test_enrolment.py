"""Enrolment: places, waitlist in arrival order, promotion, windows, deadlines, Idempotency-Key, reminder events."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.timeutil import utcnow
from jlt_family.courses.models import Enrolment


def _enrol(call, session, user, **kwargs):
    return call("POST", f"/api/v1/course-sessions/{session.id}/enrolments", user, **kwargs)


def _statuses(db, session):
    db.session.expire_all()
    return [
        (e.user_id, e.status.value, e.waitlist_position)
        for e in db.session.scalars(
            sa.select(Enrolment).where(Enrolment.session_id == session.id).order_by(Enrolment.id)
        )
    ]


def test_enrolling_takes_a_place(call, cast, world, db):
    response = _enrol(call, cast.upcoming, world.guardian_a)
    assert response.status_code == 201
    assert response.json["status"] == "enrolled"
    assert response.json["session"]["places_left"] == 29
    assert response.json["session"]["my_enrolment"]["status"] == "enrolled"


def test_a_full_session_puts_parents_on_the_waitlist_in_order(call, h, db, world, parents):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    db.session.commit()
    first, second, third = parents(3)
    assert _enrol(call, session, first).json["status"] == "enrolled"
    waiting = _enrol(call, session, second)
    assert (waiting.json["status"], waiting.json["waitlist_position"], waiting.json["waitlist_rank"]) == (
        "waitlisted",
        1,
        1,
    )
    assert _enrol(call, session, third).json["waitlist_rank"] == 2


def test_without_join_waitlist_a_full_session_is_refused(call, h, db, world, parents):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    db.session.commit()
    first, second = parents(2)
    _enrol(call, session, first)
    response = _enrol(call, session, second, json={"join_waitlist": False})
    assert response.status_code == 409 and response.json["code"] == "session_full"


def test_one_active_enrolment_per_guardian_and_session(call, cast, world):
    assert _enrol(call, cast.upcoming, world.guardian_a).status_code == 201
    again = _enrol(call, cast.upcoming, world.guardian_a)
    assert again.status_code == 409 and again.json["code"] == "already_enrolled"


def test_the_database_refuses_a_second_active_enrolment(db, cast, world, h):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        h.enrolment(db, cast.later, world.guardian_a)
    db.session.rollback()


def test_a_past_session_takes_no_enrolment(call, cast, world):
    response = _enrol(call, cast.past, world.guardian_b)
    assert response.status_code == 422 and response.json["code"] == "session_started"


def test_an_unpublished_course_is_invisible_to_parents(call, h, db, world):
    session = h.session(db, h.course(db, world.school, world.teacher_a, published=False))
    db.session.commit()
    response = _enrol(call, session, world.guardian_a)
    assert response.status_code == 404 and response.json["code"] == "course_session_not_found"


def test_a_staff_parent_cannot_enrol_in_an_unpublished_course(call, h, db, world, make):
    make.guardian(family=world.family_a, user=world.teacher_c)
    session = h.session(db, h.course(db, world.school, world.teacher_a, published=False))
    db.session.commit()
    response = _enrol(call, session, world.teacher_c)
    assert response.status_code == 409 and response.json["code"] == "course_not_published"


def test_enrolment_window(call, h, db, world):
    course = h.course(db, world.school, world.teacher_a)
    not_yet = h.session(db, course, enrol_opens_at=utcnow() + dt.timedelta(hours=1))
    closed = h.session(
        db, course, enrol_closes_at=utcnow() - dt.timedelta(hours=1), enrol_opens_at=utcnow() - dt.timedelta(days=1)
    )
    db.session.commit()
    assert _enrol(call, not_yet, world.guardian_a).json["code"] == "enrolment_not_open"
    assert _enrol(call, closed, world.guardian_a).json["code"] == "enrolment_closed"


def test_a_cancelled_session_takes_no_enrolment(call, cast, world):
    call("POST", f"/api/v1/course-sessions/{cast.upcoming.id}/cancel", world.teacher_a, json={})
    response = _enrol(call, cast.upcoming, world.guardian_b)
    assert response.status_code == 409 and response.json["code"] == "session_not_scheduled"


def test_cancelling_frees_the_place_for_the_head_of_the_waitlist(call, h, db, world, parents, sent):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    db.session.commit()
    first, second, third = parents(3)
    enrolment_id = _enrol(call, session, first).json["id"]
    _enrol(call, session, second)
    _enrol(call, session, third)
    response = call("POST", f"/api/v1/course-enrolments/{enrolment_id}/cancel", first)
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert _statuses(db, session) == [
        (first.id, "cancelled", None),
        (second.id, "enrolled", 1),
        (third.id, "waitlisted", 2),
    ]
    assert (session.taken, session.waitlisted) == (1, 1)
    notice = sent["notice"][-1][1]
    assert (notice["kind"], notice["user_ids"]) == ("course_waitlist_promoted", [second.id])
    assert sent["schedule"][-1][1]["user_ids"] == [second.id]
    assert sent["cancel"][-1][1] == {"subject_type": "course_session", "subject_id": session.id, "user_ids": [first.id]}


def test_leaving_the_waitlist_keeps_the_others_in_order(call, h, db, world, parents):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    db.session.commit()
    first, second, third = parents(3)
    _enrol(call, session, first)
    second_id = _enrol(call, session, second).json["id"]
    third_id = _enrol(call, session, third).json["id"]
    assert call("POST", f"/api/v1/course-enrolments/{second_id}/cancel", second).status_code == 200
    assert call("GET", f"/api/v1/course-enrolments/{third_id}", third).json["waitlist_rank"] == 1
    db.session.expire_all()
    assert (session.taken, session.waitlisted) == (1, 1)


def test_cancelling_after_the_deadline_is_refused(call, h, db, world):
    session = h.session(
        db, h.course(db, world.school, world.teacher_a), cancel_deadline=utcnow() - dt.timedelta(minutes=1)
    )
    enrolment = h.enrolment(db, session, world.guardian_a)
    db.session.commit()
    response = call("POST", f"/api/v1/course-enrolments/{enrolment.id}/cancel", world.guardian_a)
    assert response.status_code == 422 and response.json["code"] == "cancel_deadline_passed"


def test_cancelling_twice_is_a_conflict(call, cast, world):
    path = f"/api/v1/course-enrolments/{cast.booked.id}/cancel"
    assert call("POST", path, world.guardian_a).status_code == 200
    again = call("POST", path, world.guardian_a)
    assert again.status_code == 409 and again.json["code"] == "enrolment_not_active"


def test_enrolling_schedules_the_session_reminders(call, cast, world, sent):
    _enrol(call, cast.upcoming, world.guardian_a)
    sender, kwargs = sent["schedule"][-1]
    assert sender.id == cast.upcoming.id
    assert kwargs == {
        "kind": "course_session",
        "subject_type": "course_session",
        "subject_id": cast.upcoming.id,
        "user_ids": [world.guardian_a.id],
        "starts_at": cast.upcoming.starts_at,
        "ends_at": cast.upcoming.ends_at,
        "title": cast.course.title,
        "place": "学校报告厅",
        "page": f"pages/course/session?id={cast.upcoming.id}",
        "school_id": world.school.id,
    }


def test_joining_the_waitlist_schedules_nothing(call, h, db, world, parents, sent):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    db.session.commit()
    first, second = parents(2)
    _enrol(call, session, first)
    _enrol(call, session, second)
    assert [kw["user_ids"] for _, kw in sent["schedule"]] == [[first.id]]


def test_a_retry_with_the_same_key_enrols_once(call, cast, world, db):
    headers = {"Idempotency-Key": "enrol-retry-0001"}
    first = _enrol(call, cast.upcoming, world.guardian_a, headers=headers)
    again = _enrol(call, cast.upcoming, world.guardian_a, headers=headers)
    assert first.status_code == again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(_statuses(db, cast.upcoming)) == 1


def test_my_enrolments_list_the_latest_session_first(call, cast, world):
    response = call("GET", "/api/v1/me/course-enrolments", world.guardian_a)
    assert [item["session"]["id"] for item in response.json["items"]] == [cast.later.id, cast.live.id, cast.past.id]
    upcoming = call("GET", "/api/v1/me/course-enrolments?upcoming=true", world.guardian_a)
    assert [item["session"]["id"] for item in upcoming.json["items"]] == [cast.later.id, cast.live.id]


def test_someone_elses_enrolment_is_not_found(call, cast, world):
    response = call("POST", f"/api/v1/course-enrolments/{cast.booked.id}/cancel", world.guardian_b)
    assert response.status_code == 404 and response.json["code"] == "enrolment_not_found"
