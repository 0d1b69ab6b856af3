"""Changing a course's format (线下 ↔ 线上直播) re-checks its sessions still to come: a place offline, a link online."""

import datetime as dt

from jlt_family.core.timeutil import to_shanghai
from jlt_family.courses.models import Course, CourseFormat, SessionStatus


def _patch(call, course, user, **body):
    return call("PATCH", f"/api/v1/courses/{course.id}", user, json=body)


def _format(db, course):
    db.session.expire_all()
    return db.session.get(Course, course.id).format


def test_going_online_lists_the_upcoming_sessions_without_a_link(call, h, db, world):
    course = h.course(db, world.school, world.teacher_a)
    linked = h.session(db, course, online_url="https://live.example.cn/1")
    unlinked = h.session(db, course, starts_in=dt.timedelta(days=4))
    under_way = h.session(db, course, starts_in=-dt.timedelta(minutes=30))
    h.session(db, course, starts_in=-dt.timedelta(days=3))  # over: needs nothing
    h.session(db, course, starts_in=dt.timedelta(days=6), status=SessionStatus.CANCELLED)
    db.session.commit()
    response = _patch(call, course, world.teacher_a, format="online_live", speaker="李老师")
    assert (response.status_code, response.json["code"]) == (422, "format_change_sessions_incomplete")
    assert response.json["errors"]["sessions"] == [
        {"session_id": s.id, "starts_at": to_shanghai(s.starts_at).isoformat(), "missing": "online_url"}
        for s in (under_way, unlinked)
    ]
    assert "2 个未结束的场次填写直播链接" in response.json["message"]
    db.session.expire_all()
    assert (db.session.get(Course, course.id).format, db.session.get(Course, course.id).speaker) == (
        CourseFormat.OFFLINE,
        "",
    )
    assert db.session.get(type(linked), linked.id).online_url == "https://live.example.cn/1"


def test_going_online_is_accepted_once_the_sessions_have_links(call, h, db, world):
    course = h.course(db, world.school, world.teacher_a)
    session = h.session(db, course)
    db.session.commit()
    assert _patch(call, course, world.teacher_a, format="online_live").status_code == 422
    fix = call(
        "PATCH",
        f"/api/v1/course-sessions/{session.id}",
        world.teacher_a,
        json={"online_url": "https://live.example.cn/2"},
    )
    assert fix.status_code == 200, fix.json
    response = _patch(call, course, world.teacher_a, format="online_live")
    assert (response.status_code, response.json["format"]) == (200, "online_live")


def test_going_offline_needs_a_place_for_every_session_to_come(call, h, db, world):
    course = h.course(db, world.school, world.teacher_a, format=CourseFormat.ONLINE_LIVE)
    h.session(db, course, online_url="https://live.example.cn/3")
    unplaced = h.session(db, course, place="", online_url="https://live.example.cn/4", starts_in=dt.timedelta(days=3))
    db.session.commit()
    response = _patch(call, course, world.teacher_a, format="offline")
    assert response.status_code == 422
    assert [(s["session_id"], s["missing"]) for s in response.json["errors"]["sessions"]] == [(unplaced.id, "place")]
    assert _format(db, course) == CourseFormat.ONLINE_LIVE


def test_a_recorded_course_or_the_same_format_needs_nothing(call, h, db, world):
    course = h.course(db, world.school, world.teacher_a, format=CourseFormat.ONLINE_LIVE)
    h.session(db, course, place="", online_url="https://live.example.cn/5")
    db.session.commit()
    assert _patch(call, course, world.teacher_a, format="online_live").status_code == 200
    assert _patch(call, course, world.teacher_a, format="recorded").json["format"] == "recorded"
    back = _patch(call, course, world.teacher_a, format="offline")
    assert (back.status_code, back.json["code"]) == (422, "format_change_sessions_incomplete")
    assert _format(db, course) == CourseFormat.RECORDED
