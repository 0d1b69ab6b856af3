import pytest
import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from jlt_family.organizations.models import ClassTeacher, SchoolClass

NOT_STAFF = ["stranger", "guardian_a", "other_school_admin", "venue_staff", "other_region_admin"]


def _by_id(response):
    assert response.status_code == 200, response.json
    return {item["id"]: item for item in response.json["items"]}


def test_school_staff_list_classes_with_invite_codes_for_homeroom_only(call, world):
    classes = _by_id(call("GET", f"/api/v1/schools/{world.school.id}/classes", world.teacher_b))
    assert set(classes) == {world.class_a.id, world.class_b.id}  # homeroom of b, subject teacher of a
    assert classes[world.class_b.id]["invite_code"] == world.class_b.invite_code
    assert "invite_code" not in classes[world.class_a.id]
    assert classes[world.class_a.id]["homeroom_teacher"]["nickname"] == "甲老师"
    assert classes[world.class_a.id]["subject_teachers"] == [
        {"user_id": world.teacher_b.id, "nickname": "乙老师", "subject": "数学"}
    ]
    assert classes[world.class_a.id]["student_count"] == 1
    assert classes[world.class_a.id]["grade_label"] == "三年级"


def test_a_teacher_lists_only_the_classes_they_teach(call, world):
    classes = _by_id(call("GET", f"/api/v1/schools/{world.school.id}/classes", world.teacher_c))
    assert set(classes) == {world.class_c.id}
    everything = _by_id(call("GET", f"/api/v1/schools/{world.school.id}/classes", world.school_admin))
    assert set(everything) == {world.class_a.id, world.class_b.id, world.class_c.id}


def test_admins_above_see_classes_but_not_codes(call, world):
    for who in ("alliance_admin", "region_admin"):
        classes = _by_id(call("GET", f"/api/v1/schools/{world.school.id}/classes", getattr(world, who)))
        assert all("invite_code" not in c for c in classes.values())
    classes = _by_id(call("GET", f"/api/v1/schools/{world.school.id}/classes", world.school_admin))
    assert all("invite_code" in c for c in classes.values())


def test_class_list_filters(call, world, make):
    make.school_class(school=world.school, school_year=2025, grade=2, name="二年级1班")
    make.db.session.commit()
    path = f"/api/v1/schools/{world.school.id}/classes"
    assert len(_by_id(call("GET", f"{path}?school_year=2025", world.school_admin))) == 1
    assert len(_by_id(call("GET", f"{path}?grade=3", world.school_admin))) == 2
    assert call("GET", f"{path}?grade=13", world.school_admin).status_code == 422


@pytest.mark.parametrize("who", NOT_STAFF)
def test_outsiders_do_not_find_the_staff_area(call, world, who):
    user = getattr(world, who)
    assert call("GET", f"/api/v1/schools/{world.school.id}/classes", user).status_code == 404
    assert call("GET", f"/api/v1/classes/{world.class_a.id}", user).status_code == 404
    assert call("GET", f"/api/v1/classes/{world.class_a.id}/students", user).status_code == 404
    assert call("POST", f"/api/v1/classes/{world.class_a.id}/invite-code", user).status_code == 404


def test_anonymous_callers_are_asked_to_sign_in(call, world):
    assert call("GET", f"/api/v1/schools/{world.school.id}/classes").status_code == 401
    assert call("GET", f"/api/v1/classes/{world.class_a.id}").status_code == 401
    assert call("GET", f"/api/v1/classes/{world.class_a.id}/students").status_code == 401


def test_class_detail_for_its_teachers_and_admins(call, world):
    assert call("GET", f"/api/v1/classes/{world.class_a.id}", world.teacher_b).status_code == 200
    assert "invite_code" not in call("GET", f"/api/v1/classes/{world.class_a.id}", world.teacher_b).json
    assert call("GET", f"/api/v1/classes/{world.class_b.id}", world.teacher_a).status_code == 404
    for who in ("school_admin", "alliance_admin", "region_admin"):
        assert call("GET", f"/api/v1/classes/{world.class_a.id}", getattr(world, who)).status_code == 200


def test_homeroom_teacher_regenerates_the_invite_code(call, world, db):
    old = world.class_a.invite_code
    response = call("POST", f"/api/v1/classes/{world.class_a.id}/invite-code", world.teacher_a)
    assert response.status_code == 200
    new = response.json["invite_code"]
    assert new != old and len(new) == 8 and not set(new) & set("01OIL")
    assert db.session.scalar(sa.select(SchoolClass.id).where(SchoolClass.invite_code == old)) is None


@pytest.mark.parametrize("who", ["teacher_b", "alliance_admin", "region_admin"])
def test_others_may_not_regenerate_the_code(call, world, who):
    response = call("POST", f"/api/v1/classes/{world.class_a.id}/invite-code", getattr(world, who))
    assert response.status_code == 403


def test_school_admin_sets_the_homeroom_teacher(call, world, db):
    response = call(
        "PUT",
        f"/api/v1/classes/{world.class_a.id}/homeroom-teacher",
        world.school_admin,
        json={"user_id": world.teacher_b.id},
    )
    assert response.status_code == 200
    assert response.json["homeroom_teacher"]["id"] == world.teacher_b.id
    response = call(
        "PUT", f"/api/v1/classes/{world.class_a.id}/homeroom-teacher", world.school_admin, json={"user_id": None}
    )
    assert response.json["homeroom_teacher"] is None


def test_homeroom_teacher_must_be_an_active_teacher_of_the_school(call, world, make):
    elsewhere = make.teacher(world.other_school)
    make.db.session.commit()
    path = f"/api/v1/classes/{world.class_a.id}/homeroom-teacher"
    for user_id in (world.guardian_a.id, elsewhere.id, world.school_admin.id, 987654):
        response = call("PUT", path, world.school_admin, json={"user_id": user_id})
        assert response.status_code == 422
        assert response.json["code"] == "not_a_teacher_of_school"
    assert call("PUT", path, world.school_admin, json={"user_id": "7"}).status_code == 422


@pytest.mark.parametrize("who", ["teacher_a", "alliance_admin", "region_admin"])
def test_only_the_school_admin_assigns_teachers(call, world, who):
    user = getattr(world, who)
    path = f"/api/v1/classes/{world.class_a.id}"
    assert call("PUT", f"{path}/homeroom-teacher", user, json={"user_id": world.teacher_b.id}).status_code == 403
    assert call("POST", f"{path}/teachers", user, json={"user_id": world.teacher_a.id}).status_code == 403
    assert call("DELETE", f"{path}/teachers/{world.teacher_b.id}", user).status_code == 403


def test_school_admin_adds_and_removes_subject_teachers(call, world, db):
    path = f"/api/v1/classes/{world.class_b.id}/teachers"
    response = call("POST", path, world.school_admin, json={"user_id": world.teacher_a.id, "subject": "语文"})
    assert response.status_code == 201
    assert {"user_id": world.teacher_a.id, "nickname": "甲老师", "subject": "语文"} in response.json["subject_teachers"]
    again = call("POST", path, world.school_admin, json={"user_id": world.teacher_a.id})
    assert again.status_code == 409 and again.json["code"] == "already_class_teacher"
    assert call("DELETE", f"{path}/{world.teacher_a.id}", world.school_admin).status_code == 204
    assert db.session.scalar(sa.select(ClassTeacher).where(ClassTeacher.class_id == world.class_b.id)) is None
    gone = call("DELETE", f"{path}/{world.teacher_a.id}", world.school_admin)
    assert gone.status_code == 404 and gone.json["code"] == "class_teacher_not_found"


def _audits(db):
    return db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "read_student_sensitive")).all()


@pytest.mark.parametrize("who", ["teacher_a", "school_admin"])
def test_homeroom_teacher_and_school_admin_see_flags_audited(call, world, db, who):
    response = call("GET", f"/api/v1/classes/{world.class_a.id}/students", getattr(world, who))
    assert response.status_code == 200
    [entry] = response.json["items"]
    assert entry["name"] == "张小明" and entry["bound"] is True
    assert entry["flags"] == {"left_behind": True, "migrant": False, "in_difficulty": False, "disabled": False}
    [log] = _audits(db)
    assert log.actor_user_id == getattr(world, who).id
    assert log.school_id == world.school.id and log.detail["student_ids"] == [world.child_a.id]


def test_subject_teacher_sees_the_roster_without_flags_its_read_trailed(call, world, db):
    response = call("GET", f"/api/v1/classes/{world.class_a.id}/students", world.teacher_b)
    assert response.status_code == 200
    [entry] = response.json["items"]
    assert entry["student_no"] == world.child_a.student_no
    assert "flags" not in entry
    assert _audits(db) == []
    [log] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "read_class_roster")).all()
    assert (log.actor_user_id, log.subject_id, log.row_count, log.detail) == (
        world.teacher_b.id,
        world.class_a.id,
        1,
        {"total": 1},
    )


@pytest.mark.parametrize("who", ["alliance_admin", "region_admin"])
def test_admins_above_may_not_read_the_roster(call, world, db, who):
    assert call("GET", f"/api/v1/classes/{world.class_a.id}/students", getattr(world, who)).status_code == 403
    assert _audits(db) == []


def test_roster_of_a_class_the_teacher_does_not_teach_is_not_found(call, world):
    assert call("GET", f"/api/v1/classes/{world.class_b.id}/students", world.teacher_a).status_code == 404
