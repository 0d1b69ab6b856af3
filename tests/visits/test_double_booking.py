"""No staff member is double-booked: scheduled visits never overlap, with the travel buffer around home visits."""

from tests.visits.conftest import API, window


def _accept(call, user, visit):
    return call("POST", f"{API}/visits/{visit['id']}/accept", user, json={"window_id": visit["windows"][0]["id"]})


def _second(make, world, db):
    """Another child of class_a with its own guardian."""
    guardian = make.user(nickname="丙家长")
    family = make.family()
    make.guardian(family=family, user=guardian)
    child = make.student(world.class_a, family)
    db.session.commit()
    return child, guardian


def test_an_overlapping_acceptance_is_refused(call, world, make, db, propose, schedule):
    child, guardian = _second(make, world, db)
    proposed = propose(child, windows=[window(3, 10, 30)])
    schedule(windows=[window(3, 10)])
    refused = _accept(call, guardian, proposed)
    assert (refused.status_code, refused.json["code"]) == (409, "staff_busy")


def test_the_travel_buffer_keeps_home_visits_apart(call, world, make, db, propose, schedule):
    child, guardian = _second(make, world, db)
    too_close = propose(child, windows=[window(3, 11, 20)], mode="online")
    far_enough = propose(child, windows=[window(3, 11, 30)], mode="online")
    schedule(windows=[window(3, 10)])  # home visit 10:00–11:00
    assert _accept(call, guardian, too_close).json["code"] == "staff_busy"
    assert _accept(call, guardian, far_enough).status_code == 200


def test_visits_without_a_home_visit_may_touch(call, world, make, db, propose, schedule):
    child, guardian = _second(make, world, db)
    schedule(windows=[window(3, 10)], mode="phone")
    adjacent = propose(child, windows=[window(3, 11)], mode="online")
    assert _accept(call, guardian, adjacent).status_code == 200


def test_another_teachers_visits_do_not_block(call, world, schedule):
    schedule(windows=[window(3, 10)])
    schedule(world.child_b, world.guardian_b, world.teacher_b, windows=[window(3, 10)])


def test_a_participant_is_checked_not_only_the_proposer(call, world, make, db, propose, schedule):
    child, guardian = _second(make, world, db)
    joint = propose(child, windows=[window(3, 10)], staff_ids=[world.teacher_b.id])
    schedule(world.child_b, world.guardian_b, world.teacher_b, windows=[window(3, 10)])
    assert _accept(call, guardian, joint).json["code"] == "staff_busy"


def test_a_proposal_clashing_with_a_scheduled_visit_is_refused(call, world, make, db, schedule):
    child, _guardian = _second(make, world, db)
    schedule(windows=[window(3, 10)])
    response = call(
        "POST",
        f"{API}/visits",
        world.teacher_a,
        json={"student_id": child.id, "mode": "home", "purpose": "safety", "windows": [window(3, 11, 15)]},
    )
    assert (response.status_code, response.json["code"]) == (409, "staff_busy")
    joint = call(
        "POST",
        f"{API}/visits",
        world.teacher_b,
        json={
            "student_id": world.child_b.id,
            "mode": "phone",
            "purpose": "safety",
            "windows": [window(3, 10)],
            "staff_ids": [world.teacher_a.id],
        },
    )
    assert joint.json["code"] == "staff_busy"


def test_moving_into_another_visit_is_refused_but_moving_a_visit_near_itself_is_fine(call, world, make, db, schedule):
    child, guardian = _second(make, world, db)
    first = schedule(windows=[window(3, 10)])
    second = schedule(child, guardian, windows=[window(3, 15)])
    clash = call(
        "POST", f"{API}/visits/{second['id']}/move", world.teacher_a, json={**window(3, 10, 30), "reason": "调整"}
    )
    assert (clash.status_code, clash.json["code"]) == (409, "staff_busy")
    itself = call(
        "POST", f"{API}/visits/{first['id']}/move", world.teacher_a, json={**window(3, 10, 15), "reason": "晚一点"}
    )
    assert itself.status_code == 200, itself.json


def test_cancelled_visits_free_the_time(call, world, make, db, propose, schedule):
    child, guardian = _second(make, world, db)
    first = schedule(windows=[window(3, 10)])
    call("POST", f"{API}/visits/{first['id']}/cancel", world.teacher_a, json={"reason": "改天"})
    again = propose(child, windows=[window(3, 10)])
    assert _accept(call, guardian, again).status_code == 200
