"""Who acts for the school on a visit: the teachers it names (the proposer and the staff taking part), or the
class's 班主任 acting for them (written in the history). Other teachers of the class and school leaders still
see the visit, and get 403 when they try to act on it."""

from tests.visits.conftest import API, record_body, window


def _post(call, user, visit, action, body):
    return call("POST", f"{API}/visits/{visit['id']}/{action}", user, json=body)


_ACTS = (("move", {**window(5, 10), "reason": "调整"}), ("cancel", {"reason": "有事"}))


def test_teachers_not_on_the_visit_see_it_but_do_not_move_cancel_or_record_it(call, world, schedule):
    visit = schedule()  # proposed by teacher_a (班主任); teacher_b teaches the class, the leader leads the school
    for outsider in (world.teacher_b, world.school_admin):
        assert call("GET", f"{API}/visits/{visit['id']}", outsider).status_code == 200
        for action, body in (*_ACTS, ("record", record_body())):
            refused = _post(call, outsider, visit, action, body)
            assert (refused.status_code, refused.json["code"]) == (403, "permission_denied"), (outsider, action)
    unchanged = call("GET", f"{API}/visits/{visit['id']}", world.teacher_a).json
    assert (unchanged["state"], unchanged["starts_at"]) == ("scheduled", visit["starts_at"])


def test_teachers_not_on_a_proposal_do_not_answer_it(call, world, propose):
    visit = propose()
    suggested = _post(call, world.guardian_a, visit, "suggest", window(5, 19))
    family_window = suggested.json["windows"][0]["id"]
    for outsider in (world.teacher_b, world.school_admin):
        for action, body in (
            ("accept", {"window_id": family_window}),
            ("windows", {"windows": [window(6, 9)]}),
            ("cancel", {"reason": "有事"}),
        ):
            refused = _post(call, outsider, visit, action, body)
            assert (refused.status_code, refused.json["code"]) == (403, "permission_denied"), (outsider, action)
    assert _post(call, world.teacher_a, visit, "accept", {"window_id": family_window}).status_code == 200


def test_a_named_teacher_acts_without_teaching_the_class(call, world, make, db, schedule):
    helper = make.teacher(world.school, nickname="心理老师")
    db.session.commit()
    visit = schedule(staff_ids=[helper.id])
    moved = _post(call, helper, visit, "move", {**window(5, 10), "reason": "调整"})
    assert moved.status_code == 200, moved.json
    recorded = _post(call, helper, visit, "record", record_body())
    assert recorded.status_code == 201, recorded.json
    history = call("GET", f"{API}/visits/{visit['id']}", world.teacher_a).json["history"]
    assert [(h["action"], h["actor_name"], h["on_behalf_of_name"]) for h in history[-2:]] == [
        ("moved", "心理老师", None),
        ("completed", "心理老师", None),
    ]


def test_the_homeroom_teacher_acts_for_the_named_teacher_and_the_history_says_so(call, world, schedule):
    visit = schedule(user=world.teacher_b)  # the subject teacher's visit; teacher_a is the class's 班主任
    moved = _post(call, world.teacher_a, visit, "move", {**window(5, 10), "reason": "乙老师生病"})
    assert moved.status_code == 200, moved.json
    recorded = _post(call, world.teacher_a, visit, "record", record_body())
    assert recorded.status_code == 201, recorded.json
    history = call("GET", f"{API}/visits/{visit['id']}", world.guardian_a).json["history"]
    assert [(h["action"], h["actor_name"], h["on_behalf_of_name"]) for h in history] == [
        ("proposed", "乙老师", None),
        ("accepted", "甲家长", None),
        ("moved", "甲老师", "乙老师"),
        ("completed", "甲老师", "乙老师"),
    ]


def test_the_homeroom_teacher_of_another_class_does_not_act(call, world, schedule):
    visit = schedule(world.child_b, world.guardian_b, world.teacher_b)
    refused = _post(call, world.teacher_a, visit, "cancel", {"reason": "有事"})
    assert (refused.status_code, refused.json["code"]) == (404, "visit_not_found")


def test_a_leader_who_proposed_acts_on_the_visit(call, world, schedule):
    visit = schedule(user=world.school_admin)
    cancelled = _post(call, world.school_admin, visit, "cancel", {"reason": "学校有活动"})
    assert (cancelled.status_code, cancelled.json["state"]) == (200, "cancelled")
