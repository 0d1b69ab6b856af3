"""Feedback and 学时 only for what happened: none before the session starts (a parent may check in up to
COURSE_CHECKIN_OPENS_MINUTES before it); a session created after its end is back-filled (补录): marked, added by
a school admin only, and held (compliance, reports) only once its attendance is recorded."""

import datetime as dt

import pytest

from jlt_family.core.timeutil import utcnow
from jlt_family.courses.attendance import current_code
from jlt_family.courses.models import ActivityKind
from tests.clock import MID_TERM

API = "/api/v1"
# during a term of the factories' school year: the learning record and the compliance count the current one
pytestmark = pytest.mark.time_machine(MID_TERM)


def _check_in_before_the_start(call, cast, user):
    response = call(
        "POST", f"{API}/course-sessions/{cast.live.id}/checkin", user, json={"code": current_code(cast.live)["code"]}
    )
    assert response.status_code == 200 and response.json["status"] == "attended", response.json
    assert cast.live.starts_at > utcnow()


def test_feedback_before_the_session_starts_is_refused(call, cast, world):
    _check_in_before_the_start(call, cast, world.guardian_a)
    response = call(
        "POST",
        f"{API}/course-sessions/{cast.live.id}/feedback",
        world.guardian_a,
        json={"rating": 5, "comment": "还没开始"},
    )
    assert (response.status_code, response.json["code"]) == (422, "session_not_started")
    summary = call("GET", f"{API}/courses/{cast.course.id}/feedback", world.teacher_a).json
    assert summary["count"] == 0


def test_learning_hours_are_not_credited_before_the_session_starts(call, cast, world):
    before = call("GET", f"{API}/me/course-record", world.guardian_a).json
    _check_in_before_the_start(call, cast, world.guardian_a)
    after = call("GET", f"{API}/me/course-record", world.guardian_a).json
    assert cast.live.id not in [s["session_id"] for s in after["sessions"]]
    assert (after["sessions_attended"], after["learning_hours"]) == (
        before["sessions_attended"],
        before["learning_hours"],
    )
    assert cast.past.id in [s["session_id"] for s in after["sessions"]]  # what happened still counts


def _ended_session(days_ago=3):
    start = utcnow() - dt.timedelta(days=days_ago)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "place": "学校报告厅",
        "capacity": 50,
    }


def test_a_session_created_after_its_end_is_back_filled_by_a_school_admin_only(call, cast, world):
    url = f"{API}/courses/{cast.course.id}/sessions"
    refused = call("POST", url, world.teacher_a, json=_ended_session())
    assert (refused.status_code, refused.json["code"]) == (403, "backfill_needs_admin")
    created = call("POST", url, world.school_admin, json=_ended_session())
    assert created.status_code == 201, created.json
    assert created.json["backfilled"] is True
    ahead = call("POST", url, world.teacher_a, json=_ended_session(days_ago=-3))
    assert ahead.status_code == 201 and ahead.json["backfilled"] is False
    shown = call("GET", f"{API}/course-sessions/{created.json['id']}", world.teacher_a).json
    assert shown["backfilled"] is True


def _parent_meetings_held(call, world):
    compliance = call("GET", f"{API}/schools/{world.school.id}/course-compliance", world.school_admin).json
    return {i["activity_kind"]: i["held"] for i in compliance["year"]["items"]}[ActivityKind.PARENT_MEETING.value]


def _report_held(call, world):
    report = call("GET", f"{API}/reports/schools/{world.school.id}", world.school_admin)
    assert report.status_code == 200, report.json
    return report.json


def test_a_back_filled_session_counts_as_held_only_with_its_attendance(call, h, db, world):
    meeting = h.course(db, world.school, world.teacher_a, activity_kind=ActivityKind.PARENT_MEETING)
    db.session.commit()
    report_before = _report_held(call, world)
    held_before = _parent_meetings_held(call, world)
    created = call("POST", f"{API}/courses/{meeting.id}/sessions", world.school_admin, json=_ended_session())
    assert created.status_code == 201, created.json
    session_id = created.json["id"]

    assert _parent_meetings_held(call, world) == held_before
    assert _report_held(call, world) == report_before

    url = f"{API}/course-sessions/{session_id}/backfilled-attendance"
    assert (
        call("POST", url, world.teacher_a, json={"child_ids": [world.child_a.id]}).json["code"]
        == "backfill_needs_admin"
    )
    recorded = call("POST", url, world.school_admin, json={"child_ids": [world.child_a.id, world.child_b.id]})
    assert recorded.status_code == 200, recorded.json
    assert recorded.json["taken"] == 2
    again = call("POST", url, world.school_admin, json={"child_ids": [world.child_a.id]})
    assert again.json["taken"] == 2  # a family already recorded is not counted twice

    assert _parent_meetings_held(call, world) == held_before + 1
    assert _report_held(call, world) != report_before
    record = call("GET", f"{API}/me/course-record", world.guardian_a).json
    assert session_id in [s["session_id"] for s in record["sessions"]]


def test_back_filled_attendance_refuses_children_outside_the_course_and_ordinary_sessions(
    call, h, db, make, world, cast
):
    created = call("POST", f"{API}/courses/{cast.course.id}/sessions", world.school_admin, json=_ended_session())
    elsewhere = make.student(make.school_class(school=make.school()), make.family())
    db.session.commit()
    url = f"{API}/course-sessions/{created.json['id']}/backfilled-attendance"
    refused = call("POST", url, world.school_admin, json={"child_ids": [world.child_a.id, elsewhere.id]})
    assert (refused.status_code, refused.json["code"]) == (422, "child_not_in_audience")
    assert refused.json["errors"] == {"child_ids": [elsewhere.id]}
    assert call("GET", f"{API}/course-sessions/{created.json['id']}", world.school_admin).json["taken"] == 0
    ordinary = call(
        "POST",
        f"{API}/course-sessions/{cast.past.id}/backfilled-attendance",
        world.school_admin,
        json={"child_ids": [world.child_a.id]},
    )
    assert (ordinary.status_code, ordinary.json["code"]) == (409, "not_backfilled")
