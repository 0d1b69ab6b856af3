"""A family's move of a scheduled visit is a counter-proposal (改期申请): the visit keeps its time and its
reminders until a teacher of the visit accepts it; declined, nothing changes."""

import datetime as dt

from tests.visits.conftest import API, window


def _post(call, user, visit, action, body=None):
    return call("POST", f"{API}/visits/{visit['id']}/{action}", user, json={} if body is None else body)


def _ask(call, world, visit, days=6, hour=16, reason="那天出差", guardian=None):
    asked = _post(call, guardian or world.guardian_a, visit, "move", {**window(days, hour), "reason": reason})
    assert asked.status_code == 200, asked.json
    return asked.json


def _detail(call, user, visit):
    response = call("GET", f"{API}/visits/{visit['id']}", user)
    assert response.status_code == 200, response.json
    return response.json


def test_a_familys_move_waits_for_the_teacher_and_keeps_the_agreed_time(call, world, schedule):
    visit = schedule()
    asked = _ask(call, world, visit)
    wanted = window(6, 16)
    assert (asked["state"], asked["awaiting"], asked["starts_at"]) == ("scheduled", "staff", visit["starts_at"])
    assert asked["move_request"] == {**wanted, "reason": "那天出差"}
    listed = call("GET", f"{API}/visits?awaiting=staff", world.teacher_a).json["items"]
    assert [(v["id"], v["move_request"]["starts_at"]) for v in listed] == [(visit["id"], wanted["starts_at"])]
    assert call("GET", f"{API}/visits?awaiting=family", world.teacher_a).json["items"] == []
    last = _detail(call, world.teacher_a, visit)["history"][-1]
    assert (last["action"], last["side"], last["from_state"], last["to_state"], last["reason"]) == (
        "move_requested",
        "family",
        "scheduled",
        "scheduled",
        "那天出差",
    )


def test_the_teacher_accepts_the_counter_proposal(call, world, schedule):
    visit = schedule()
    _ask(call, world, visit)
    accepted = _post(call, world.teacher_a, visit, "move-request/accept")
    assert accepted.status_code == 200, accepted.json
    assert (accepted.json["starts_at"], accepted.json["ends_at"]) == tuple(window(6, 16).values())
    assert (accepted.json["awaiting"], accepted.json["move_request"]) == (None, None)
    last = _detail(call, world.guardian_a, visit)["history"][-1]
    assert (last["action"], last["side"], last["actor_name"]) == ("move_accepted", "staff", "甲老师")
    again = _post(call, world.teacher_a, visit, "move-request/accept")
    assert (again.status_code, again.json["code"]) == (409, "no_move_request")


def test_the_teacher_declines_and_the_visit_keeps_its_time(call, world, schedule):
    visit = schedule()
    _ask(call, world, visit)
    assert _post(call, world.teacher_a, visit, "move-request/decline").status_code == 422  # a reason is required
    declined = _post(call, world.teacher_a, visit, "move-request/decline", {"reason": "那天要开家长会"})
    assert declined.status_code == 200, declined.json
    assert (declined.json["starts_at"], declined.json["awaiting"], declined.json["move_request"]) == (
        visit["starts_at"],
        None,
        None,
    )
    last = _detail(call, world.guardian_a, visit)["history"][-1]
    assert (last["action"], last["reason"]) == ("move_declined", "那天要开家长会")
    again = _post(call, world.teacher_a, visit, "move-request/decline", {"reason": "x"})
    assert (again.status_code, again.json["code"]) == (409, "no_move_request")


def test_the_family_does_not_answer_its_own_request(call, world, schedule):
    visit = schedule()
    _ask(call, world, visit)
    for action, body in (("move-request/accept", {}), ("move-request/decline", {"reason": "x"})):
        answer = _post(call, world.guardian_a, visit, action, body)
        assert (answer.status_code, answer.json["code"]) == (403, "wrong_side")


def test_a_counter_proposal_clashing_with_the_teachers_calendar_is_refused_and_stays_open(
    call, world, make, db, propose, schedule
):
    visit = schedule()
    family = make.family()
    guardian = make.user()
    make.guardian(family=family, user=guardian)
    other_child = make.student(world.class_a, family)
    db.session.commit()
    schedule(other_child, guardian, windows=[window(6, 16)])
    _ask(call, world, visit, 6, 16)
    refused = _post(call, world.teacher_a, visit, "move-request/accept")
    assert (refused.status_code, refused.json["code"]) == (409, "staff_busy")
    still = _detail(call, world.teacher_a, visit)
    assert (still["starts_at"], still["awaiting"], still["move_request"]["starts_at"]) == (
        visit["starts_at"],
        "staff",
        window(6, 16)["starts_at"],
    )


def test_a_new_request_replaces_the_pending_one(call, world, schedule):
    visit = schedule()
    _ask(call, world, visit, 6, 16)
    again = _ask(call, world, visit, 7, 9, reason="改到上午")
    assert again["move_request"] == {**window(7, 9), "reason": "改到上午"}


def test_a_teachers_own_move_takes_effect_and_ends_a_pending_request(call, world, schedule):
    visit = schedule()
    _ask(call, world, visit)
    moved = _post(call, world.teacher_a, visit, "move", {**window(8, 14), "reason": "另约时间"})
    assert moved.status_code == 200, moved.json
    assert (moved.json["starts_at"], moved.json["awaiting"], moved.json["move_request"]) == (
        window(8, 14)["starts_at"],
        None,
        None,
    )


def test_cancelling_ends_a_pending_request(call, world, schedule):
    visit = schedule()
    _ask(call, world, visit)
    cancelled = _post(call, world.guardian_a, visit, "cancel", {"reason": "不需要了"})
    assert (cancelled.json["state"], cancelled.json["awaiting"], cancelled.json["move_request"]) == (
        "cancelled",
        None,
        None,
    )


def test_a_proposal_is_not_moved_but_answered(call, world, propose):
    visit = propose()
    refused = _post(call, world.guardian_a, visit, "move", {**window(6, 16), "reason": "x"})
    assert (refused.status_code, refused.json["code"]) == (409, "visit_state_conflict")


def test_the_reminders_follow_only_an_accepted_move(call, world, schedule, announced):
    visit = schedule()
    announced.clear()
    _ask(call, world, visit)
    assert [name for name, _ in announced] == ["reminders.notice"]  # the staff hear of it, nothing moves
    assert announced[0][1]["user_ids"] == [world.teacher_a.id]
    announced.clear()
    assert _post(call, world.teacher_a, visit, "move-request/accept").status_code == 200
    assert [name for name, _ in announced] == ["reminders.cancel", "reminders.schedule", "reminders.notice"]
    assert announced[1][1]["starts_at"] == dt.datetime.fromisoformat(window(6, 16)["starts_at"])
    assert announced[2][1]["user_ids"] == [world.guardian_a.id]


def test_a_declined_request_moves_no_reminder(call, world, schedule, announced):
    visit = schedule()
    _ask(call, world, visit)
    announced.clear()
    _post(call, world.teacher_a, visit, "move-request/decline", {"reason": "那天有课"})
    assert [name for name, _ in announced] == ["reminders.notice"]
    assert announced[0][1]["user_ids"] == [world.guardian_a.id] and "那天有课" in announced[0][1]["body"]
