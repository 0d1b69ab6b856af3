"""Another family's ids and another school's ids on every endpoint that takes an id, and forged scope ids in
bodies. Generated from the spec and the seeded world, so new endpoints are covered without a change here.

- guardian_b on every record of family_a (child, bookings, enrolments, inbox items, entrustments, invites,
  visits, binding requests): 404, exactly as a signed-in stranger.
- teacher_a (school A) on school B's school, class and pupil: nothing a stranger would not get.
- the matrix's successful bodies with their scope ids swapped for school B's or family B's: refused (4xx).
"""

import pytest
import sqlalchemy as sa

from jlt_family.core.extensions import db
from tests.fuzz import spec_support
from tests.fuzz.world import seeded_world

SINGLE_ID_OPERATIONS = [(m, p) for m, p in spec_support.operations() if p.count("{") == 1 and "_id}" in p]


def _param(path):
    return path[path.index("{") + 1 : path.index("}")]


def _owned_by_family(world):
    """``{table: [ids]}`` of the rows that belong to family_a: its own, its guardian's, its children's."""
    student = db.metadata.tables["student"]
    children = list(db.session.scalars(sa.select(student.c.id).where(student.c.family_id == world.family_a.id)))
    guardian = [world.guardian_a.id]
    owners = {
        "family_id": [world.family_a.id],
        "user_id": guardian,
        "booked_by_id": guardian,
        "filed_by_id": guardian,
        "student_id": children,
        "created_by_id": guardian,
    }
    owned = {"student": children, "family": [world.family_a.id]}
    for name, table in db.metadata.tables.items():
        if "id" not in table.c or name in ("user", "user_session", "staff_membership", "staff_invite"):
            continue
        for column, values in owners.items():
            if column in table.c:
                rows = db.session.scalars(sa.select(table.c.id).where(table.c[column].in_(values))).all()
                owned.setdefault(name, [])
                owned[name] += [r for r in rows if r not in owned[name]]
    return {name: ids for name, ids in owned.items() if ids}


def _answer(app, call, world, user, method, path, value):
    body = spec_support.matrix_body(app, world, method, path)
    db.session.commit()
    response = call(method, spec_support.url(path, value), user, **body())
    db.session.rollback()
    return response.status_code, (response.get_json(silent=True) or {}).get("code")


def test_another_familys_ids_answer_404_on_every_endpoint(app, call, make):
    world = seeded_world(make)
    owned = _owned_by_family(world)
    wrong, tried = [], 0
    for method, path in SINGLE_ID_OPERATIONS:
        for table in spec_support.tables_for(_param(path), owned):
            for value in owned[table][:2]:
                tried += 1
                as_b = _answer(app, call, world, world.guardian_b, method, path, value)
                as_stranger = _answer(app, call, world, world.stranger, method, path, value)
                if as_b[0] != as_stranger[0] or (as_b[0] != 404 and not 200 <= as_b[0] < 300):
                    wrong.append((method, path, value, as_b, as_stranger))
    assert tried > 20
    assert wrong == []


def _school_b(make, world, outside_alliance=False):
    """School B with a class and a bound pupil: the world's other school (same alliance and county), or with
    ``outside_alliance`` a school of another alliance in another county (outside an alliance or region admin's
    scope)."""
    school = world.other_school
    if outside_alliance:
        school = make.school(alliance=make.alliance(region=world.other_county))
    teacher_x = make.teacher(school, nickname="丁老师")
    class_x = make.school_class(school=school, homeroom=teacher_x)
    family_x = make.family(home_address="远方路7号")
    guardian_x = make.user(nickname="丁家长", phone="13800000077")
    make.guardian(family=family_x, user=guardian_x, is_primary=True)
    child_x = make.student(class_x, family_x, name="丁小雨")
    db.session.commit()
    return {"school": school.id, "school_class": class_x.id, "student": child_x.id}


def test_a_teacher_of_school_a_gets_nothing_more_than_a_stranger_in_school_b(app, call, make):
    world = seeded_world(make)
    school_b = _school_b(make, world)
    wrong, tried = [], 0
    for method, path in SINGLE_ID_OPERATIONS:
        for table in spec_support.tables_for(_param(path), school_b):
            tried += 1
            as_teacher = _answer(app, call, world, world.teacher_a, method, path, school_b[table])
            as_stranger = _answer(app, call, world, world.stranger, method, path, school_b[table])
            if 200 <= as_teacher[0] < 300 and not 200 <= as_stranger[0] < 300:
                wrong.append((method, path, as_teacher, as_stranger))
    assert tried > 10
    assert wrong == []


# Body fields that name a scope, and what school B (or family B) puts there.
def _forge(body, world, school_b):
    swaps = {
        "school_id": school_b["school"],
        "provider_id": school_b["school"],
        "scope_id": school_b["school"],
        "class_id": school_b["school_class"],
        "student_id": school_b["student"],
        "child_ids": [school_b["student"]],
        "student_ids": [school_b["student"]],
    }
    forged = {key: swaps[key] for key in body if key in swaps}
    return {**body, **forged} if forged else None


@pytest.mark.parametrize("role", ["guardian_a", "teacher_a", "school_admin", "alliance_admin", "region_admin"])
def test_forged_scope_ids_in_bodies_are_refused(app, call, make, role):
    from tests.test_permission_matrix import ENDPOINTS

    world = seeded_world(make)
    school_b = _school_b(make, world, outside_alliance=role in ("alliance_admin", "region_admin"))
    user = getattr(world, role)
    wrong, tried = [], 0
    for name, method, path, body, expected in ENDPOINTS:
        if body is None or not 200 <= expected[role] < 300:
            continue
        payload = body(world)
        forged = _forge(payload, world, school_b) if isinstance(payload, dict) else None
        if forged is None:
            continue
        url = path(world)
        db.session.commit()
        tried += 1
        response = call(method, url, user, json=forged)
        db.session.rollback()
        if response.status_code < 400 or response.status_code >= 500:
            wrong.append((name, response.status_code, forged))
    assert wrong == []
    if role in ("guardian_a", "teacher_a", "school_admin"):
        assert tried > 0
