"""Permission-matrix rows of courses: (name, method, path(world), body(world) or None, statuses per role).

Collected by tests/test_permission_matrix.py; see its helpers (``expect``) and the ``world`` cast. The cast of
courses (``_cast``) is built once per world: a published course of the school (run by its teachers and admin,
overseen by the alliance and region admins, open to guardian_a and guardian_b) and a draft, with an upcoming
session, a session under way (check-in open, guardian_a enrolled) and an ended one guardian_a attended.
"""

import datetime as dt
from types import SimpleNamespace

from jlt_family.courses.models import ActivityKind, EnrolmentStatus
from tests.courses import helpers
from tests.matrix_support import expect


def _cast(w):
    if not hasattr(w, "courses"):
        db = w.make.db
        c = SimpleNamespace()
        c.course = helpers.course(db, w.school, w.teacher_a)
        c.draft = helpers.course(db, w.school, w.teacher_a, published=False)
        c.upcoming = helpers.session(db, c.course)
        c.later = helpers.session(db, c.course, starts_in=dt.timedelta(days=5))
        c.booked = helpers.enrolment(db, c.later, w.guardian_a)
        c.live = helpers.session(db, c.course, starts_in=dt.timedelta(minutes=10))
        c.live_booked = helpers.enrolment(db, c.live, w.guardian_a)
        c.past = helpers.session(db, c.course, starts_in=-dt.timedelta(hours=3), hours=2)
        helpers.enrolment(db, c.past, w.guardian_a, status=EnrolmentStatus.ATTENDED)
        # a coordination meeting, unpublished (staff only: it stays out of the parents' catalogue)
        c.meeting = helpers.course(
            db, w.school, w.teacher_a, published=False, activity_kind=ActivityKind.ALLIANCE_MEETING
        )
        c.meeting_held = helpers.session(db, c.meeting, starts_in=-dt.timedelta(hours=3), hours=2)
        c.backfilled = helpers.session(db, c.course, starts_in=-dt.timedelta(days=3), backfilled=True)
        db.session.commit()
        w.courses = c
    return w.courses


def _checkin_body(w):
    from jlt_family.courses.attendance import current_code

    return {"code": current_code(_cast(w).live)["code"]}


_MANAGERS = {"teacher_a": 200, "teacher_b": 200, "teacher_c": 200, "school_admin": 200}
_CREATED = dict.fromkeys(_MANAGERS, 201)
_OVERSEERS = {"alliance_admin": 200, "region_admin": 200}
_OVERSEERS_403 = dict.fromkeys(_OVERSEERS, 403)
_GUARDIANS = {"guardian_a": 200, "guardian_b": 200}
_GUARDIANS_403 = dict.fromkeys(_GUARDIANS, 403)
_STAFF_403 = {**dict.fromkeys(_MANAGERS, 403), **_OVERSEERS_403}
_SEES = {**_GUARDIANS, **_MANAGERS, **_OVERSEERS}
_RUNS = {**_GUARDIANS_403, **_MANAGERS, **_OVERSEERS_403}  # seen by all three, run by the managers only

_NEW_COURSE = {
    "title": "如何与青春期孩子沟通",
    "category": "parent_child_communication",
    "activity_kind": "guidance",
    "format": "offline",
}


def _new_session():
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "place": "学校报告厅",
        "capacity": 50,
    }


ENDPOINTS = [
    ("courses", "GET", lambda w: "/api/v1/courses", None, expect(200)),
    (
        "create_course",
        "POST",
        lambda w: "/api/v1/courses",
        lambda w: {**_NEW_COURSE, "provider_kind": "school", "provider_id": w.school.id},
        expect(403, **_CREATED),
    ),
    ("course", "GET", lambda w: f"/api/v1/courses/{_cast(w).course.id}", None, expect(404, **_SEES)),
    (
        "update_course",
        "PATCH",
        lambda w: f"/api/v1/courses/{_cast(w).course.id}",
        lambda w: {"speaker": "李老师"},
        expect(404, **_RUNS),
    ),
    (
        "publish_course",
        "POST",
        lambda w: f"/api/v1/courses/{_cast(w).draft.id}/publish",
        None,
        expect(404, **_MANAGERS, **_OVERSEERS_403),
    ),
    (
        "unpublish_course",
        "POST",
        lambda w: f"/api/v1/courses/{_cast(w).course.id}/unpublish",
        None,
        expect(404, **_RUNS),
    ),
    (
        "course_feedback",
        "GET",
        lambda w: f"/api/v1/courses/{_cast(w).course.id}/feedback",
        None,
        expect(404, **_GUARDIANS_403, **_MANAGERS, **_OVERSEERS),
    ),
    ("course_sessions", "GET", lambda w: f"/api/v1/courses/{_cast(w).course.id}/sessions", None, expect(404, **_SEES)),
    (
        "create_session",
        "POST",
        lambda w: f"/api/v1/courses/{_cast(w).course.id}/sessions",
        lambda w: _new_session(),
        expect(404, **_GUARDIANS_403, **_CREATED, **_OVERSEERS_403),
    ),
    ("course_session", "GET", lambda w: f"/api/v1/course-sessions/{_cast(w).upcoming.id}", None, expect(404, **_SEES)),
    (
        "update_session",
        "PATCH",
        lambda w: f"/api/v1/course-sessions/{_cast(w).upcoming.id}",
        lambda w: {"capacity": 40},
        expect(404, **_RUNS),
    ),
    (
        "cancel_session",
        "POST",
        lambda w: f"/api/v1/course-sessions/{_cast(w).upcoming.id}/cancel",
        lambda w: {"reason": "讲师临时有事"},
        expect(404, **_RUNS),
    ),
    (
        "session_enrolments",
        "GET",
        lambda w: f"/api/v1/course-sessions/{_cast(w).upcoming.id}/enrolments",
        None,
        expect(404, **_RUNS),
    ),
    (
        "checkin_code",
        "GET",
        lambda w: f"/api/v1/course-sessions/{_cast(w).live.id}/checkin-code",
        None,
        expect(404, **_RUNS),
    ),
    (
        "enrol",
        "POST",
        lambda w: f"/api/v1/course-sessions/{_cast(w).upcoming.id}/enrolments",
        None,
        expect(404, guardian_a=201, guardian_b=201, **_STAFF_403),
    ),
    (
        "enrolment",
        "GET",
        lambda w: f"/api/v1/course-enrolments/{_cast(w).booked.id}",
        None,
        expect(404, guardian_a=200, **_MANAGERS),
    ),
    (
        "cancel_enrolment",
        "POST",
        lambda w: f"/api/v1/course-enrolments/{_cast(w).booked.id}/cancel",
        None,
        expect(404, guardian_a=200, **dict.fromkeys(_MANAGERS, 403)),
    ),
    (
        "mark_attendance",
        "PUT",
        lambda w: f"/api/v1/course-enrolments/{_cast(w).live_booked.id}/attendance",
        lambda w: {"attended": True},
        expect(404, guardian_a=403, **_MANAGERS),
    ),
    (
        "backfilled_attendance",
        "POST",
        lambda w: f"/api/v1/course-sessions/{_cast(w).backfilled.id}/backfilled-attendance",
        lambda w: {"child_ids": [w.child_a.id]},
        expect(404, **_GUARDIANS_403, **{**_STAFF_403, "school_admin": 200}),
    ),
    (
        "checkin",
        "POST",
        lambda w: f"/api/v1/course-sessions/{_cast(w).live.id}/checkin",
        _checkin_body,
        expect(404, guardian_a=200, guardian_b=409, **_STAFF_403),
    ),
    (
        "session_feedback",
        "POST",
        lambda w: f"/api/v1/course-sessions/{_cast(w).past.id}/feedback",
        lambda w: {"rating": 5, "comment": "很实用"},
        expect(404, guardian_a=201, guardian_b=409, **_STAFF_403),
    ),
    ("my_course_enrolments", "GET", lambda w: "/api/v1/me/course-enrolments", None, expect(200)),
    ("my_course_record", "GET", lambda w: "/api/v1/me/course-record", None, expect(200)),
    (
        "meeting_attendance",
        "GET",
        lambda w: f"/api/v1/course-sessions/{_cast(w).meeting_held.id}/meeting-attendance",
        None,
        expect(404, **_MANAGERS, **_OVERSEERS),
    ),
    (
        "record_meeting_attendance",
        "PUT",
        lambda w: f"/api/v1/course-sessions/{_cast(w).meeting_held.id}/meeting-attendance",
        lambda w: {"families": 4, "community": 1, "resource_units": 2},
        expect(404, **_MANAGERS, **_OVERSEERS_403),
    ),
    (
        "course_compliance",
        "GET",
        lambda w: f"/api/v1/schools/{w.school.id}/course-compliance",
        None,
        expect(404, teacher_a=403, teacher_b=403, teacher_c=403, school_admin=200, **_OVERSEERS),
    ),
]
