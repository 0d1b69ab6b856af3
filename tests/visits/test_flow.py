"""The life of a visit: proposed → scheduled → completed, or cancelled / declined; every change kept as history."""

import datetime as dt

from tests.visits.conftest import API, proposal, window


def _post(call, user, visit_id, action, body=None):
    return call("POST", f"{API}/visits/{visit_id}/{action}", user, json=body or {})


def test_the_family_sees_the_proposal_and_accepting_a_window_schedules_it(call, world, propose):
    visit = propose(windows=[window(3, 10), window(4, 15)], staff_ids=[world.teacher_b.id])
    listed = call("GET", f"{API}/visits", world.guardian_a).get_json()
    assert [v["id"] for v in listed["items"]] == [visit["id"]]
    assert listed["items"][0]["my_side"] == "family" and listed["items"][0]["awaiting"] == "family"
    chosen = visit["windows"][1]
    answer = _post(call, world.guardian_a, visit["id"], "accept", {"window_id": chosen["id"]})
    assert answer.status_code == 200, answer.json
    assert answer.json["state"] == "scheduled"
    assert answer.json["starts_at"] == chosen["starts_at"] and answer.json["awaiting"] is None
    history = call("GET", f"{API}/visits/{visit['id']}", world.teacher_a).json["history"]
    assert [(h["action"], h["side"], h["to_state"]) for h in history] == [
        ("proposed", "staff", "proposed"),
        ("accepted", "family", "scheduled"),
    ]
    assert history[1]["actor_name"] == "甲家长"


def test_accepting_twice_is_a_conflict(call, world, schedule):
    visit = schedule()
    again = _post(call, world.guardian_a, visit["id"], "accept", {"window_id": visit["windows"][0]["id"]})
    assert (again.status_code, again.json["code"]) == (409, "visit_state_conflict")


def test_a_family_suggestion_waits_for_the_teacher_who_accepts_it(call, world, propose):
    visit = propose()
    suggested = _post(call, world.guardian_a, visit["id"], "suggest", {**window(5, 19), "note": "晚上有空"})
    assert suggested.status_code == 200, suggested.json
    assert suggested.json["awaiting"] == "staff"
    family_window = suggested.json["windows"]
    assert [w["offered_by"] for w in family_window] == ["family"]
    too_early = _post(call, world.guardian_a, visit["id"], "accept", {"window_id": family_window[0]["id"]})
    assert (too_early.status_code, too_early.json["code"]) == (409, "awaiting_other_side")
    accepted = _post(call, world.teacher_a, visit["id"], "accept", {"window_id": family_window[0]["id"]})
    assert accepted.status_code == 200 and accepted.json["state"] == "scheduled"


def test_the_teacher_answers_a_suggestion_with_new_windows(call, world, propose):
    visit = propose()
    _post(call, world.guardian_a, visit["id"], "suggest", window(5, 19))
    answer = _post(
        call, world.teacher_a, visit["id"], "windows", {"windows": [window(6, 9), window(6, 14)], "note": "晚上不方便"}
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["awaiting"] == "family"
    assert [w["offered_by"] for w in answer.json["windows"]] == ["staff", "staff"]


def test_the_family_declines_with_a_reason(call, world, propose):
    visit = propose()
    declined = _post(call, world.guardian_a, visit["id"], "decline", {"reason": "近期出差"})
    assert declined.json["state"] == "declined"
    history = call("GET", f"{API}/visits/{visit['id']}", world.teacher_a).json["history"]
    assert history[-1]["reason"] == "近期出差"
    assert _post(call, world.guardian_a, visit["id"], "decline", {"reason": "x"}).status_code == 409


def test_each_side_acts_only_for_itself(call, world, propose):
    visit = propose()
    assert _post(call, world.teacher_a, visit["id"], "suggest", window(5, 9)).json["code"] == "wrong_side"
    assert _post(call, world.guardian_a, visit["id"], "windows", {"windows": [window()]}).status_code == 403
    assert _post(call, world.teacher_a, visit["id"], "decline", {"reason": "x"}).status_code == 403


def test_either_side_cancels_a_scheduled_visit_with_a_reason(call, world, schedule):
    visit = schedule()
    assert _post(call, world.guardian_a, visit["id"], "cancel", {}).status_code == 422  # a reason is required
    cancelled = _post(call, world.guardian_a, visit["id"], "cancel", {"reason": "孩子生病"})
    assert cancelled.json["state"] == "cancelled"
    again = _post(call, world.teacher_a, visit["id"], "cancel", {"reason": "x"})
    assert (again.status_code, again.json["code"]) == (409, "visit_state_conflict")


def test_a_scheduled_visit_is_moved_with_a_reason(call, world, schedule):
    visit = schedule()
    new = window(7, 16)
    moved = _post(call, world.teacher_a, visit["id"], "move", {**new, "reason": "临时开会"})
    assert moved.status_code == 200, moved.json
    assert (moved.json["state"], moved.json["starts_at"]) == ("scheduled", new["starts_at"])
    history = call("GET", f"{API}/visits/{visit['id']}", world.guardian_a).json["history"]
    assert (history[-1]["action"], history[-1]["reason"]) == ("moved", "临时开会")


def _record_body(**overrides):
    body = {
        "visited_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
        "mode": "home",
        "attendees": "母亲、奶奶",
        "topics": ["学习习惯"],
        "notes": "家中学习环境嘈杂，奶奶照看",
        "family_summary": "孩子进步明显，建议固定作业时间",
        "follow_ups": [{"description": "两周后电话回访", "due_on": "2030-01-15"}],
    }
    return {**body, **overrides}


def test_recording_completes_the_visit_and_the_family_sees_only_the_summary(call, world, schedule):
    visit = schedule()
    recorded = _post(call, world.teacher_a, visit["id"], "record", _record_body())
    assert recorded.status_code == 201, recorded.json
    assert recorded.json["notes"] == "家中学习环境嘈杂，奶奶照看"
    assert recorded.json["follow_ups"][0]["due_on"] == "2030-01-15"
    family = call("GET", f"{API}/visits/{visit['id']}", world.guardian_a).json
    assert family["state"] == "completed"
    assert family["record"]["family_summary"] == "孩子进步明显，建议固定作业时间"
    assert family["record"]["notes"] is None and family["record"]["follow_ups"] == []
    from jlt_family.core.extensions import db
    from jlt_family.core.models import AuditLog

    written = db.session.query(AuditLog).filter_by(action="write_visit_notes", subject_id=visit["id"]).one()
    assert written.actor_user_id == world.teacher_a.id


def test_a_visit_cannot_be_recorded_before_it_is_scheduled_or_in_the_future(call, world, propose, schedule):
    proposed = propose()
    early = _post(call, world.teacher_a, proposed["id"], "record", _record_body())
    assert (early.status_code, early.json["code"]) == (409, "visit_state_conflict")
    visit = schedule(world.child_a, windows=[window(8, 10)])
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    later = _post(call, world.teacher_a, visit["id"], "record", _record_body(visited_at=future))
    assert (later.status_code, later.json["code"]) == (422, "visit_in_future")


def test_the_family_gives_feedback_once_on_a_completed_visit(call, world, schedule):
    visit = schedule()
    assert _post(call, world.guardian_a, visit["id"], "feedback", {"rating": 5}).json["code"] == "visit_state_conflict"
    _post(call, world.teacher_a, visit["id"], "record", _record_body())
    given = _post(call, world.guardian_a, visit["id"], "feedback", {"rating": 5, "comment": "老师很用心"})
    assert given.status_code == 201, given.json
    again = _post(call, world.guardian_a, visit["id"], "feedback", {"rating": 4})
    assert (again.status_code, again.json["code"]) == (409, "feedback_exists")
    seen = call("GET", f"{API}/visits/{visit['id']}", world.teacher_a).json["feedback"]
    assert (seen["rating"], seen["comment"]) == (5, "老师很用心")
    assert _post(call, world.guardian_a, visit["id"], "feedback", {"rating": 6}).status_code == 422


def test_the_visits_teachers_record_not_other_teachers_of_the_class_or_leaders(call, world, schedule, make, db):
    other = make.teacher(world.school, nickname="丁老师")
    db.session.commit()
    visit = schedule(staff_ids=[other.id])
    for outsider in (world.teacher_b, world.school_admin):  # see the visit, are not on it
        refused = _post(call, outsider, visit["id"], "record", _record_body())
        assert (refused.status_code, refused.json["code"]) == (403, "permission_denied")
    assert _post(call, other, visit["id"], "record", _record_body()).status_code == 201


def test_a_retried_proposal_with_the_same_key_creates_one_visit(call, world):
    headers = {"Idempotency-Key": "visit-propose-0001"}
    first = call("POST", f"{API}/visits", world.teacher_a, json=proposal(world.child_a), headers=headers)
    again = call("POST", f"{API}/visits", world.teacher_a, json=proposal(world.child_a), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json["id"] == first.json["id"]
    assert len(call("GET", f"{API}/visits", world.teacher_a).json["items"]) == 1


def test_every_time_in_the_history_is_shown_in_shanghai_with_its_offset(call, world, propose):
    offered = [window(3, 10), window(4, 15)]
    visit = propose(windows=offered)
    _post(call, world.guardian_a, visit["id"], "accept", {"window_id": visit["windows"][0]["id"]})
    _post(call, world.teacher_a, visit["id"], "move", {**window(7, 16), "reason": "临时开会"})
    history = call("GET", f"{API}/visits/{visit['id']}", world.guardian_a).json["history"]
    assert history[0]["detail"] == {"windows": offered}
    assert history[1]["detail"] == {"window": offered[0]}
    assert history[2]["detail"] == {"from": offered[0], "to": window(7, 16)}
    assert all(h["created_at"].endswith("+08:00") for h in history)
