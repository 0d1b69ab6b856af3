"""后续跟进: each follow-up agreed at a visit has an owner, a due date and a done state; owners list theirs and
close them."""

import datetime as dt

from jlt_family.core.timeutil import shanghai_today
from tests.visits.conftest import API, record_body


def _record(call, user, visit, follow_ups):
    response = call("POST", f"{API}/visits/{visit['id']}/record", user, json=record_body(follow_ups=follow_ups))
    assert response.status_code == 201, response.json
    return response.json


def _mine(call, user, status=None):
    query = f"?status={status}" if status else ""
    response = call("GET", f"{API}/me/visit-follow-ups{query}", user)
    assert response.status_code == 200, response.json
    return response.json


def _due(days):
    return (shanghai_today() + dt.timedelta(days=days)).isoformat()


def test_a_follow_up_has_an_owner_the_recorder_by_default(call, world, make, db, schedule):
    helper = make.teacher(world.school, nickname="心理老师")
    db.session.commit()
    visit = schedule(staff_ids=[helper.id])
    record = _record(
        call,
        world.teacher_a,
        visit,
        [
            {"description": "两周后电话回访", "due_on": _due(14)},
            {"description": "约心理老师谈话", "due_on": _due(7), "owner_id": helper.id},
        ],
    )
    assert [(f["description"], f["owner"]["name"], f["done"], f["done_at"]) for f in record["follow_ups"]] == [
        ("两周后电话回访", "甲老师", False, None),
        ("约心理老师谈话", "心理老师", False, None),
    ]
    mine = _mine(call, helper)
    assert mine["total"] == 1
    item = mine["items"][0]
    assert (item["description"], item["due_on"], item["visit_id"], item["student"]["name"], item["overdue"]) == (
        "约心理老师谈话",
        _due(7),
        visit["id"],
        "张小明",
        False,
    )
    assert [f["description"] for f in _mine(call, world.teacher_a)["items"]] == ["两周后电话回访"]
    for nobody in (world.teacher_b, world.school_admin, world.guardian_a, world.stranger):
        assert _mine(call, nobody)["items"] == []


def test_the_owner_closes_a_follow_up_and_it_leaves_the_open_list(call, world, schedule):
    visit = schedule()
    record = _record(call, world.teacher_a, visit, [{"description": "两周后电话回访", "due_on": _due(14)}])
    follow_up_id = record["follow_ups"][0]["id"]
    closed = call("PATCH", f"{API}/visit-follow-ups/{follow_up_id}", world.teacher_a, json={"done": True})
    assert closed.status_code == 200, closed.json
    assert closed.json["done"] is True and closed.json["done_at"].endswith("+08:00")
    assert _mine(call, world.teacher_a)["items"] == []
    assert [f["id"] for f in _mine(call, world.teacher_a, "done")["items"]] == [follow_up_id]
    assert [f["id"] for f in _mine(call, world.teacher_a, "all")["items"]] == [follow_up_id]
    seen = call("GET", f"{API}/visits/{visit['id']}", world.school_admin).json["record"]["follow_ups"][0]
    assert seen["done"] is True
    reopened = call("PATCH", f"{API}/visit-follow-ups/{follow_up_id}", world.teacher_a, json={"done": False})
    assert (reopened.json["done"], reopened.json["done_at"]) == (False, None)
    assert len(_mine(call, world.teacher_a)["items"]) == 1


def test_open_follow_ups_come_by_due_date_and_overdue_ones_say_so(call, world, schedule, db):
    from jlt_family.visits.models import FollowUpAction

    visit = schedule()
    _record(
        call,
        world.teacher_a,
        visit,
        [{"description": "下月回访", "due_on": _due(30)}, {"description": "本周回访", "due_on": _due(3)}],
    )
    late = db.session.query(FollowUpAction).filter_by(description="本周回访").one()
    late.due_on = shanghai_today() - dt.timedelta(days=1)  # time passed since
    db.session.commit()
    items = _mine(call, world.teacher_a)["items"]
    assert [(f["description"], f["overdue"]) for f in items] == [("本周回访", True), ("下月回访", False)]


def test_who_may_close_a_follow_up(call, world, make, db, schedule):
    helper = make.teacher(world.school, nickname="心理老师")
    db.session.commit()
    visit = schedule(staff_ids=[helper.id])
    record = _record(call, world.teacher_a, visit, [{"description": "回访", "due_on": _due(7)}])
    path = f"{API}/visit-follow-ups/{record['follow_ups'][0]['id']}"
    for outsider, status, code in (
        (world.guardian_a, 404, "follow_up_not_found"),
        (world.teacher_b, 404, "follow_up_not_found"),
        (world.teacher_c, 404, "follow_up_not_found"),
        (helper, 403, "permission_denied"),
    ):
        refused = call("PATCH", path, outsider, json={"done": True})
        assert (refused.status_code, refused.json["code"]) == (status, code), outsider.nickname
    assert call("PATCH", path, world.school_admin, json={"done": True}).status_code == 200  # the school's leader
    assert call("PATCH", f"{API}/visit-follow-ups/999999", world.teacher_a, json={"done": True}).status_code == 404
    assert call("PATCH", path, world.teacher_a, json={"done": "yes"}).status_code == 422
    assert call("PATCH", path, world.teacher_a, json={}).status_code == 422


def test_a_follow_up_owner_is_staff_of_the_school_and_due_after_the_visit(call, world, schedule):
    visit = schedule()
    outsider = call(
        "POST",
        f"{API}/visits/{visit['id']}/record",
        world.teacher_a,
        json=record_body(
            follow_ups=[{"description": "回访", "due_on": _due(7), "owner_id": world.other_school_admin.id}]
        ),
    )
    assert (outsider.status_code, outsider.json["code"]) == (422, "follow_up_owner_not_in_school")
    early = call(
        "POST",
        f"{API}/visits/{visit['id']}/record",
        world.teacher_a,
        json=record_body(follow_ups=[{"description": "回访", "due_on": _due(-3)}]),
    )
    assert (early.status_code, early.json["code"]) == (422, "follow_up_due_before_visit")
    assert call("GET", f"{API}/visits/{visit['id']}", world.teacher_a).json["state"] == "scheduled"
