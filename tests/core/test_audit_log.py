from jlt_family.core.audit import audit


def _entry(world, db):
    from jlt_family.auth.context import Actor

    audit(
        Actor(world.teacher_a),
        "read_student_sensitive",
        "student",
        world.child_a.id,
        school_id=world.school.id,
        fields=["left_behind"],
    )
    db.session.commit()


def test_school_admin_reads_the_audit_trail_of_their_school(client, make, world, db):
    _entry(world, db)
    response = client.get(f"/api/v1/schools/{world.school.id}/audit-log", headers=make.login(world.school_admin))
    assert response.status_code == 200
    [item] = response.json["items"]
    assert (item["action"], item["actor_name"], item["subject_id"]) == (
        "read_student_sensitive",
        "甲老师",
        world.child_a.id,
    )
    assert item["created_at"].endswith("+08:00")


def test_region_admin_above_the_school_reads_it_too(client, make, world, db):
    _entry(world, db)
    response = client.get(f"/api/v1/schools/{world.school.id}/audit-log", headers=make.login(world.region_admin))
    assert response.json["total"] == 1


def test_teachers_and_outsiders_do_not_see_the_audit_trail(client, make, world, db):
    _entry(world, db)
    for user in (world.teacher_a, world.other_school_admin, world.other_region_admin, world.guardian_a):
        response = client.get(f"/api/v1/schools/{world.school.id}/audit-log", headers=make.login(user))
        assert response.status_code == 404, user.nickname


def test_region_admin_sees_who_accessed_what_but_not_the_details(client, make, world, db):
    _entry(world, db)
    region = client.get(f"/api/v1/schools/{world.school.id}/audit-log", headers=make.login(world.region_admin))
    leader = client.get(f"/api/v1/schools/{world.school.id}/audit-log", headers=make.login(world.school_admin))
    assert region.json["items"][0]["action"] == "read_student_sensitive"
    assert region.json["items"][0]["detail"] == {}
    assert leader.json["items"][0]["detail"] == {"fields": ["left_behind"]}
