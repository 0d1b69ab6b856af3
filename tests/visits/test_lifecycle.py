"""The state table of a visit and the history every change writes, read back through the API by staff."""

from jlt_family.visits.models import OPEN_STATES, VISIT_TRANSITIONS, VisitAction, VisitState
from tests.visits.conftest import API, record_body, window


def _post(call, user, visit_id, action, body=None):
    return call("POST", f"{API}/visits/{visit_id}/{action}", user, json=body or {})


def _history(call, user, visit_id):
    response = call("GET", f"{API}/visits/{visit_id}", user)
    assert response.status_code == 200, response.json
    return [
        (h["action"], h["actor_name"], h["from_state"], h["to_state"], h["reason"]) for h in response.json["history"]
    ]


def test_the_table_names_every_action_and_nothing_leaves_a_closed_visit():
    assert set(VISIT_TRANSITIONS) == set(VisitAction)
    sources = set().union(*(found for found, _target in VISIT_TRANSITIONS.values()))
    assert sources == {None, *OPEN_STATES}  # completed, cancelled and declined visits are final
    assert VISIT_TRANSITIONS[VisitAction.ACCEPTED] == (frozenset({VisitState.PROPOSED}), VisitState.SCHEDULED)


def test_staff_read_who_changed_the_visit_from_what_to_what_and_why(call, world, schedule):
    visit = schedule()
    assert _post(call, world.teacher_a, visit["id"], "move", {**window(6, 9), "reason": "临时开会"}).status_code == 200
    moved = _post(call, world.guardian_a, visit["id"], "move", {**window(7, 16), "reason": "加班"})
    assert moved.status_code == 200, moved.json
    assert _post(call, world.teacher_a, visit["id"], "move-request/decline", {"reason": "那天有课"}).status_code == 200
    assert _post(call, world.guardian_a, visit["id"], "cancel", {"reason": "孩子生病"}).status_code == 200
    assert _history(call, world.teacher_a, visit["id"]) == [
        ("proposed", "甲老师", None, "proposed", ""),
        ("accepted", "甲家长", "proposed", "scheduled", ""),
        ("moved", "甲老师", "scheduled", "scheduled", "临时开会"),
        ("move_requested", "甲家长", "scheduled", "scheduled", "加班"),
        ("move_declined", "甲老师", "scheduled", "scheduled", "那天有课"),
        ("cancelled", "甲家长", "scheduled", "cancelled", "孩子生病"),
    ]


def test_recording_completes_the_visit_in_its_history(call, world, schedule):
    visit = schedule()
    assert _post(call, world.teacher_a, visit["id"], "record", record_body()).status_code == 201
    assert _history(call, world.school_admin, visit["id"])[-1] == ("completed", "甲老师", "scheduled", "completed", "")


def test_a_change_the_table_does_not_allow_is_refused_and_leaves_no_history(call, world, propose, schedule):
    proposed = propose()
    refused = _post(call, world.teacher_a, proposed["id"], "record", record_body())
    assert (refused.status_code, refused.json["code"]) == (409, "visit_state_conflict")
    declined = _post(call, world.guardian_a, proposed["id"], "decline", {"reason": "不方便"})
    assert declined.json["state"] == "declined"
    for action, body in (("cancel", {"reason": "再试"}), ("decline", {"reason": "再试"})):
        again = _post(call, world.guardian_a, proposed["id"], action, body)
        assert (again.status_code, again.json["code"]) == (409, "visit_state_conflict")
    assert [h[0] for h in _history(call, world.teacher_a, proposed["id"])] == ["proposed", "declined"]
