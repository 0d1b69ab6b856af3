"""Binding a child: the parent's request, the 班主任's decision."""

import pytest

from jlt_family.families.models import BindingRequest, BindingStatus, Guardian, GuardianRelation
from jlt_family.organizations.students import Student
from tests.families.conftest import binding_body


def _reload(db, model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


# ---- asking -------------------------------------------------------------------------------------------------------


def test_anonymous_cannot_ask(api, world, unbound):
    assert api().post("/binding-requests", json=binding_body(world, unbound)).status_code == 401


def test_parent_asks_with_class_code_name_and_number(api, world, unbound, newcomer):
    response = api(newcomer).post("/binding-requests", json=binding_body(world, unbound))
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "pending"
    assert body["student"]["id"] == unbound.id
    assert body["school_class"]["id"] == world.class_a.id
    assert body["relation_label"] == "父亲"
    assert "requester_phone" not in body


@pytest.mark.parametrize(
    "overrides",
    [
        {"student_name": "赵小强"},
        {"student_no": "A2026999"},
        {"invite_code": "NOPE0000"},
    ],
)
def test_any_wrong_part_gives_the_same_answer(api, world, unbound, newcomer, overrides):
    response = api(newcomer).post("/binding-requests", json=binding_body(world, unbound, **overrides))
    assert response.status_code == 404
    assert response.json["code"] == "student_not_matched"
    assert response.json["message"] == "未找到匹配的学生，请核对班级邀请码、孩子姓名和学号"


def test_name_and_number_of_another_class_do_not_match(api, world, newcomer, make, db):
    other = make.student(world.class_b, name="钱小花", student_no="B2026001")
    db.session.commit()
    response = api(newcomer).post("/binding-requests", json=binding_body(world, other))
    assert response.json["code"] == "student_not_matched"


def test_spaces_around_and_inside_the_name_are_ignored(api, world, unbound, newcomer):
    response = api(newcomer).post("/binding-requests", json=binding_body(world, unbound, student_name=" 赵 小刚 "))
    assert response.status_code == 201


def test_child_of_another_family_is_refused_with_a_hint(api, world, newcomer):
    response = api(newcomer).post(
        "/binding-requests", json=binding_body(world, world.child_b, invite_code=world.class_b.invite_code)
    )
    assert response.status_code == 409
    assert response.json["code"] == "child_already_bound"
    assert "家庭邀请" in response.json["message"]


def test_own_child_is_already_in_the_family(api, world):
    response = api(world.guardian_a).post("/binding-requests", json=binding_body(world, world.child_a))
    assert response.status_code == 409
    assert response.json["code"] == "child_already_in_family"


def test_one_pending_request_per_user_and_child(api, world, unbound, pending, newcomer):
    response = api(newcomer).post("/binding-requests", json=binding_body(world, unbound))
    assert response.status_code == 409
    assert response.json["code"] == "binding_request_pending"


def test_a_new_request_after_rejection_is_allowed(api, world, unbound, pending, newcomer):
    api(world.teacher_a).post(f"/binding-requests/{pending.id}/reject", json={"reason": "学号有误"})
    assert api(newcomer).post("/binding-requests", json=binding_body(world, unbound)).status_code == 201


def test_retry_with_the_same_idempotency_key_replays(api, world, unbound, newcomer, db):
    caller = api(newcomer)
    headers = {"Idempotency-Key": "bind-req-0001"}
    first = caller.post("/binding-requests", json=binding_body(world, unbound), headers=headers)
    again = caller.post("/binding-requests", json=binding_body(world, unbound), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(BindingRequest).count() == 1


def test_guessing_is_rate_limited(api, world, unbound, newcomer, app, monkeypatch):
    monkeypatch.setitem(app.config, "FAMILY_GUESS_ATTEMPTS_PER_HOUR", 3)
    caller = api(newcomer)
    codes = [
        caller.post("/binding-requests", json=binding_body(world, unbound, student_no=f"X{i}")).status_code
        for i in range(4)
    ]
    assert codes == [404, 404, 404, 429]
    assert caller.post("/binding-requests", json=binding_body(world, unbound)).status_code == 429


@pytest.mark.parametrize(
    "overrides",
    [
        {"relation": "uncle"},
        {"relation": 1},
        {"student_no": ""},
        {"student_name": "名" * 41},
        {"guardian_name": None},
        {"extra": True},
    ],
)
def test_bad_bodies_answer_422(api, world, unbound, newcomer, overrides):
    response = api(newcomer).post("/binding-requests", json=binding_body(world, unbound, **overrides))
    assert response.status_code == 422


def test_relation_error_lists_choices_in_chinese(api, world, unbound, newcomer):
    response = api(newcomer).post("/binding-requests", json=binding_body(world, unbound, relation="uncle"))
    assert response.json["errors"]["json"]["relation"][0].startswith("应为以下之一")


# ---- the parent's own list and cancelling -------------------------------------------------------------------------


def test_parent_lists_own_requests_only(api, world, pending, newcomer):
    body = api(newcomer).get("/binding-requests").json
    assert [r["id"] for r in body["items"]] == [pending.id]
    assert body["total"] == 1
    assert api(world.guardian_b).get("/binding-requests").json["items"] == []


def test_parent_filters_own_requests_by_status(api, world, pending, newcomer):
    assert api(newcomer).get("/binding-requests?status=approved").json["total"] == 0
    assert api(newcomer).get("/binding-requests?status=bogus").status_code == 422


def test_parent_cancels_pending_request(api, world, pending, newcomer, db):
    response = api(newcomer).delete(f"/binding-requests/{pending.id}")
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    request_ = _reload(db, BindingRequest, pending.id)
    assert request_.active_key is None


def test_cancelling_twice_is_already_decided(api, world, pending, newcomer):
    api(newcomer).delete(f"/binding-requests/{pending.id}")
    response = api(newcomer).delete(f"/binding-requests/{pending.id}")
    assert response.status_code == 409
    assert response.json["code"] == "already_decided"


@pytest.mark.parametrize("role", ["guardian_a", "teacher_a", "school_admin", "stranger"])
def test_others_cannot_cancel(api, world, pending, role):
    assert api(getattr(world, role)).delete(f"/binding-requests/{pending.id}").status_code == 404


def test_huge_and_unknown_ids_are_404(api, world, newcomer):
    assert api(newcomer).delete("/binding-requests/99999999999999999999").status_code == 404
    assert api(newcomer).delete("/binding-requests/424242").status_code == 404
    assert api(newcomer).delete("/binding-requests/abc").status_code == 404


# ---- the class's list ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher_a", 200),
        ("school_admin", 200),
        ("teacher_b", 404),
        ("guardian_a", 404),
        ("other_school_admin", 404),
        ("venue_staff", 404),
        ("alliance_admin", 404),
        ("region_admin", 404),
        ("other_region_admin", 404),
        ("stranger", 404),
    ],
)
def test_class_list_is_for_the_homeroom_teacher_and_school_admins(api, world, pending, role, status):
    response = api(getattr(world, role)).get(f"/classes/{world.class_a.id}/binding-requests?status=pending")
    assert response.status_code == status


def test_class_list_shows_masked_requester_phone(api, world, pending):
    [item] = api(world.teacher_a).get(f"/classes/{world.class_a.id}/binding-requests?status=pending").json["items"]
    assert item["id"] == pending.id
    assert item["requester_phone"] == "139****0009"
    assert item["guardian_name"] == "赵大刚"
    assert item["child_bound"] is False


def test_class_list_filters_by_status(api, world, pending):
    url = f"/classes/{world.class_a.id}/binding-requests?status=approved"
    assert api(world.teacher_a).get(url).json["items"] == []


def test_class_list_anonymous_is_401(api, world):
    assert api().get(f"/classes/{world.class_a.id}/binding-requests").status_code == 401


# ---- deciding -----------------------------------------------------------------------------------------------------


def test_approval_creates_the_family_and_binds_the_child(api, world, pending, newcomer, unbound, db):
    response = api(world.teacher_a).post(f"/binding-requests/{pending.id}/approve")
    assert response.status_code == 200
    assert response.json["status"] == "approved"
    guardian = db.session.query(Guardian).filter_by(user_id=newcomer.id).one()
    assert guardian.relation == GuardianRelation.FATHER
    assert guardian.is_primary is True
    assert guardian.name == "赵大刚"
    assert _reload(db, Student, unbound.id).family_id == guardian.family_id
    family = api(newcomer).get("/family").json
    assert [c["id"] for c in family["children"]] == [unbound.id]


def test_approval_adds_a_second_child_to_the_existing_family(api, world, make, db):
    sibling = make.student(world.class_a, name="张小丽", student_no="A2026002")
    db.session.commit()
    response = api(world.guardian_a).post("/binding-requests", json=binding_body(world, sibling))
    api(world.school_admin).post(f"/binding-requests/{response.json['id']}/approve")
    assert _reload(db, Student, sibling.id).family_id == world.family_a.id
    assert db.session.query(Guardian).filter_by(user_id=world.guardian_a.id).count() == 1


def test_approving_twice_is_already_decided(api, world, pending):
    api(world.teacher_a).post(f"/binding-requests/{pending.id}/approve")
    response = api(world.teacher_a).post(f"/binding-requests/{pending.id}/approve")
    assert response.status_code == 409
    assert response.json["code"] == "already_decided"


def test_approval_refused_when_another_family_bound_the_child_meanwhile(api, world, pending, unbound, db):
    db.session.get(Student, unbound.id).family_id = world.family_b.id
    db.session.commit()
    response = api(world.teacher_a).post(f"/binding-requests/{pending.id}/approve")
    assert response.status_code == 409
    assert response.json["code"] == "child_already_bound"
    assert _reload(db, BindingRequest, pending.id).status == BindingStatus.PENDING
    assert db.session.query(Guardian).filter_by(user_id=pending.user_id).count() == 0


def test_approval_refused_when_the_child_left_the_class(api, world, pending, unbound, db):
    db.session.get(Student, unbound.id).class_id = world.class_b.id
    db.session.commit()
    response = api(world.teacher_a).post(f"/binding-requests/{pending.id}/approve")
    assert response.status_code == 409
    assert response.json["code"] == "student_left_class"


def test_reject_records_the_reason(api, world, pending, newcomer, unbound, db):
    response = api(world.teacher_a).post(f"/binding-requests/{pending.id}/reject", json={"reason": "学号有误"})
    assert response.status_code == 200
    assert response.json["status"] == "rejected"
    [mine] = api(newcomer).get("/binding-requests").json["items"]
    assert mine["reason"] == "学号有误"
    assert _reload(db, Student, unbound.id).family_id is None


def test_reject_needs_a_reason(api, world, pending):
    assert api(world.teacher_a).post(f"/binding-requests/{pending.id}/reject", json={}).status_code == 422
    assert api(world.teacher_a).post(f"/binding-requests/{pending.id}/reject", json={"reason": " "}).status_code == 422


def test_reject_after_approval_is_already_decided(api, world, pending):
    api(world.teacher_a).post(f"/binding-requests/{pending.id}/approve")
    response = api(world.teacher_a).post(f"/binding-requests/{pending.id}/reject", json={"reason": "错了"})
    assert response.json["code"] == "already_decided"


def test_requester_cannot_approve_own_request(api, world, pending, newcomer):
    response = api(newcomer).post(f"/binding-requests/{pending.id}/approve")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "role",
    [
        "teacher_b",
        "guardian_a",
        "guardian_b",
        "other_school_admin",
        "venue_staff",
        "alliance_admin",
        "region_admin",
        "other_region_admin",
        "stranger",
    ],
)
def test_only_homeroom_teacher_or_school_admin_decides(api, world, pending, role):
    caller = api(getattr(world, role))
    assert caller.post(f"/binding-requests/{pending.id}/approve").status_code == 404
    assert caller.post(f"/binding-requests/{pending.id}/reject", json={"reason": "不"}).status_code == 404


def test_anonymous_cannot_decide(api, world, pending):
    assert api().post(f"/binding-requests/{pending.id}/approve").status_code == 401


def test_staff_cannot_approve_their_own_binding_request(api, world, unbound, db):
    """Otherwise a teacher who knows the roster could bind any child to themselves and read it as a guardian."""
    body = {
        "invite_code": world.class_a.invite_code,
        "student_name": unbound.name,
        "student_no": unbound.student_no,
        "relation": "father",
        "guardian_name": "甲老师",
    }
    created = api(world.teacher_a).post("/binding-requests", json=body)
    assert created.status_code == 201
    response = api(world.teacher_a).post(f"/binding-requests/{created.json['id']}/approve")
    assert response.status_code == 403 and response.json["code"] == "own_request"
    db.session.expire_all()
    assert unbound.family_id is None


def test_class_invite_codes_are_matched_as_typed(api, world, unbound):
    code = world.class_a.invite_code
    typed = f"{code[:4].lower()}-{code[4:].lower()}"
    body = {
        "invite_code": typed,
        "student_name": unbound.name,
        "student_no": unbound.student_no,
        "relation": "mother",
        "guardian_name": "赵妈妈",
    }
    assert api(world.stranger).post("/binding-requests", json=body).status_code == 201
