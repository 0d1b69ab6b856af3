"""A child's record as each role sees it, and the sensitive flags."""

import pytest

from jlt_family.core.models import AuditLog
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import StaffMembership
from jlt_family.organizations.students import Student
from tests.families.conftest import OUTSIDERS

SENSITIVE = {"left_behind", "migrant", "in_difficulty", "disabled", "home_address", "guardians"}


def _audits(db, action):
    return db.session.query(AuditLog).filter_by(action=action).all()


def test_guardian_sees_everything_of_their_child_without_audit(api, world, db):
    body = api(world.guardian_a).get(f"/children/{world.child_a.id}").json
    assert body["access"] == "guardian"
    assert body["left_behind"] is True
    assert body["home_address"] == "幸福路1号"
    assert body["guardians"][0]["phone"] == "13800000001"
    assert _audits(db, "read_student_sensitive") == []


@pytest.mark.parametrize("role", ["teacher_a", "school_admin"])
def test_homeroom_teacher_and_school_admin_see_sensitive_data_audited(api, world, db, role):
    user = getattr(world, role)
    body = api(user).get(f"/children/{world.child_a.id}").json
    assert body["access"] == "leader"
    assert body["left_behind"] is True
    assert body["home_address"] == "幸福路1号"
    assert body["guardians"][0]["phone"] == "138****0001"
    [entry] = _audits(db, "read_student_sensitive")
    assert (entry.actor_user_id, entry.subject_id, entry.school_id) == (user.id, world.child_a.id, world.school.id)


def test_subject_teacher_sees_name_class_and_number_only(api, world, db):
    body = api(world.teacher_b).get(f"/children/{world.child_a.id}").json
    assert body["access"] == "basic"
    assert body["name"] == "张小明"
    assert body["student_no"] == world.child_a.student_no
    assert body["school_class"]["id"] == world.class_a.id
    assert not SENSITIVE & set(body)
    assert _audits(db, "read_student_sensitive") == []


def test_homeroom_teacher_of_b_is_leader_there(api, world):
    assert api(world.teacher_b).get(f"/children/{world.child_b.id}").json["access"] == "leader"


def test_teacher_a_does_not_see_child_of_class_b(api, world):
    assert api(world.teacher_a).get(f"/children/{world.child_b.id}").status_code == 404


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404(api, world, role):
    response = api(getattr(world, role)).get(f"/children/{world.child_a.id}")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_anonymous_gets_401(api, world):
    assert api().get(f"/children/{world.child_a.id}").status_code == 401


def test_homeroom_teacher_no_longer_staff_loses_access(api, world, db):
    for membership in db.session.query(StaffMembership).filter_by(user_id=world.teacher_a.id):
        membership.revoked_at = utcnow()
        membership.active_key = None
    db.session.commit()
    assert api(world.teacher_a).get(f"/children/{world.child_a.id}").status_code == 404


def test_unknown_and_huge_ids_are_404(api, world):
    caller = api(world.school_admin)
    assert caller.get("/children/987654321").status_code == 404
    assert caller.get("/children/9223372036854775808").status_code == 404
    assert caller.get("/children/0").status_code == 404
    assert caller.get("/children/-1").status_code == 404


# ---- flags ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher_a", "school_admin"])
def test_homeroom_teacher_and_school_admin_change_flags_audited(api, world, db, role):
    response = api(getattr(world, role)).patch(
        f"/children/{world.child_a.id}/flags", json={"migrant": True, "left_behind": False}
    )
    assert response.status_code == 200
    assert response.json == {
        "id": world.child_a.id,
        "left_behind": False,
        "migrant": True,
        "in_difficulty": False,
        "disabled": False,
    }
    db.session.expire_all()
    child = db.session.get(Student, world.child_a.id)
    assert (child.left_behind, child.migrant) == (False, True)
    [entry] = _audits(db, "update_student_flags")
    assert entry.detail["old"]["left_behind"] is True
    assert entry.detail["new"] == {"left_behind": False, "migrant": True, "in_difficulty": False, "disabled": False}


@pytest.mark.parametrize("role", ["guardian_a", "teacher_b"])
def test_guardian_and_subject_teacher_see_the_child_but_may_not_change_flags(api, world, role):
    response = api(getattr(world, role)).patch(f"/children/{world.child_a.id}/flags", json={"migrant": True})
    assert response.status_code == 403


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_cannot_change_flags(api, world, role):
    response = api(getattr(world, role)).patch(f"/children/{world.child_a.id}/flags", json={"migrant": True})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body", [{}, {"migrant": "true"}, {"migrant": 1}, {"migrant": None}, {"orphan": True}, ["migrant"]]
)
def test_bad_flag_bodies_are_422(api, world, db, body):
    response = api(world.teacher_a).patch(f"/children/{world.child_a.id}/flags", json=body)
    assert response.status_code == 422
    assert _audits(db, "update_student_flags") == []


def test_flag_type_error_is_chinese(api, world):
    response = api(world.teacher_a).patch(f"/children/{world.child_a.id}/flags", json={"migrant": "yes"})
    assert response.json["errors"]["json"]["migrant"] == ["应为 true 或 false"]


def test_family_view_shows_new_flags_to_the_guardian(api, world):
    api(world.teacher_a).patch(f"/children/{world.child_a.id}/flags", json={"in_difficulty": True})
    [child] = api(world.guardian_a).get("/family").json["children"]
    assert child["in_difficulty"] is True
