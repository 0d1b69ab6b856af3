"""GET/PATCH /family and leaving a family."""

import pytest

from jlt_family.families.models import FamilyInvite, Guardian, GuardianRelation
from jlt_family.families.service import create_family_invite


def test_anonymous_gets_401(api):
    assert api().get("/family").status_code == 401


def test_user_without_family_gets_family_not_found(api, world):
    response = api(world.stranger).get("/family")
    assert response.status_code == 404
    assert response.json["code"] == "family_not_found"


def test_guardian_sees_family_with_children_flags_and_address(api, world):
    body = api(world.guardian_a).get("/family").json
    assert body["id"] == world.family_a.id
    assert body["home_address"] == "幸福路1号"
    [child] = body["children"]
    assert child["name"] == "张小明"
    assert child["student_no"] == world.child_a.student_no
    assert child["school_class"]["id"] == world.class_a.id
    assert child["school"]["name"] == world.school.name
    assert child["left_behind"] is True
    assert child["migrant"] is False


def test_own_phone_full_others_masked_with_relation_label(api, make, world, db):
    second = make.user(phone="13911112222")
    make.guardian(family=world.family_a, user=second, relation=GuardianRelation.PATERNAL_GRANDPARENT, name="张爷爷")
    db.session.commit()
    guardians = {g["name"]: g for g in api(world.guardian_a).get("/family").json["guardians"]}
    grandpa = guardians["张爷爷"]
    assert grandpa["phone"] == "139****2222"
    assert grandpa["relation_label"] == "祖父母"
    assert grandpa["is_me"] is False
    me = next(g for g in guardians.values() if g["is_me"])
    assert me["phone"] == "13800000001"
    assert me["relation_label"] == "母亲"


def test_family_of_b_is_not_shown_to_a(api, world):
    body = api(world.guardian_b).get("/family").json
    assert body["id"] == world.family_b.id
    assert [c["name"] for c in body["children"]] == ["李小红"]


def test_guardian_updates_home_address(api, world, db):
    response = api(world.guardian_a).patch("/family", json={"home_address": "  新华路8号 "})
    assert response.status_code == 200
    assert response.json["home_address"] == "新华路8号"
    db.session.expire_all()
    assert world.family_a.home_address == "新华路8号"


@pytest.mark.parametrize(
    "body",
    [
        {"home_address": "x" * 201},
        {"home_address": 5},
        {"home_address": "路", "family_id": 2},
        {},
        [],
    ],
)
def test_bad_address_bodies_answer_422(api, world, body):
    response = api(world.guardian_a).patch("/family", json=body)
    assert response.status_code == 422
    assert response.json["code"] == "validation_error"


def test_unknown_field_message_is_chinese(api, world):
    response = api(world.guardian_a).patch("/family", json={"home_address": "路", "family_id": 2})
    assert response.json["errors"]["json"]["family_id"] == ["未知字段"]


def test_missing_field_message_is_chinese(api, world):
    response = api(world.guardian_a).patch("/family", json={})
    assert response.json["errors"]["json"]["home_address"] == ["此项为必填"]


def test_malformed_json_is_400(api, world):
    response = api(world.guardian_a).patch("/family", data="{", content_type="application/json")
    assert response.status_code == 400


def test_user_without_family_cannot_patch(api, world):
    response = api(world.stranger).patch("/family", json={"home_address": "路"})
    assert response.status_code == 404


def test_last_guardian_of_a_child_cannot_leave(api, world, db):
    response = api(world.guardian_a).delete("/family/guardians/me")
    assert response.status_code == 409
    assert response.json["code"] == "last_guardian"
    assert db.session.get(Guardian, world.family_a.guardians[0].id) is not None


def test_second_guardian_leaves_and_primary_passes_on(api, make, world, db):
    second = make.guardian(family=world.family_a, relation=GuardianRelation.FATHER)
    db.session.commit()
    assert api(world.guardian_a).delete("/family/guardians/me").status_code == 204
    db.session.expire_all()
    [remaining] = world.family_a.guardians
    assert remaining.id == second.id
    assert remaining.is_primary is True
    assert api(world.guardian_a).get("/family").status_code == 404


def test_last_guardian_of_a_childless_family_leaves_and_invites_die(api, make, world, db):
    family = make.family()
    guardian = make.guardian(family=family)
    invite = create_family_invite(guardian, 24)
    db.session.commit()
    assert api(guardian.user).delete("/family/guardians/me").status_code == 204
    db.session.expire_all()
    assert db.session.get(FamilyInvite, invite.id).revoked_at is not None


def test_leaving_without_family_is_404(api, world):
    response = api(world.stranger).delete("/family/guardians/me")
    assert response.status_code == 404
    assert response.json["code"] == "family_not_found"
