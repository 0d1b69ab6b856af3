"""Staff reads of visits and of the to-visit list: one audit entry per read, in the trail of each school shown."""

import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from tests.visits.conftest import API, record_body


def _entries(db):
    return db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()


def test_reading_a_visit_with_its_notes_and_the_address_is_one_entry_saying_what_was_shown(call, world, db, schedule):
    visit = schedule()  # a scheduled home visit of child_a; teacher_a proposed it and is the class's 班主任
    assert call("POST", f"{API}/visits/{visit['id']}/record", world.teacher_a, json=record_body()).status_code == 201
    before = len(_entries(db))
    body = call("GET", f"{API}/visits/{visit['id']}", world.teacher_a).json
    assert body["record"]["notes"] and body["home_address"] == "幸福路1号"
    added = _entries(db)[before:]
    assert [(e.action, e.actor_user_id, e.subject_id, e.school_id, e.row_count) for e in added] == [
        ("read_visit", world.teacher_a.id, visit["id"], world.school.id, 1)
    ]
    assert (added[0].detail["notes"], added[0].detail["home_address"]) == (True, True)
    assert added[0].detail["student_id"] == world.child_a.id


def test_a_read_without_notes_or_address_says_so(call, world, db, schedule):
    visit = schedule()
    before = len(_entries(db))
    call("GET", f"{API}/visits/{visit['id']}", world.school_admin)  # a leader: no record yet, not on this visit
    added = _entries(db)[before:]
    assert [(e.action, e.detail["notes"], e.detail["home_address"]) for e in added] == [("read_visit", False, False)]


def test_the_to_visit_list_across_two_schools_is_in_each_schools_trail(call, make, world, db):
    make.grant(world.teacher_a, "teacher", world.other_school)
    other_class = make.school_class(school=world.other_school, homeroom=world.teacher_a)
    make.student(other_class, name="赵小刚")
    make.student(other_class, name="钱小丽")
    db.session.commit()
    before = len(_entries(db))
    body = call("GET", f"{API}/me/visits-to-do", world.teacher_a).json
    assert body["total"] == 3  # child_a, and the two pupils of the other school
    added = _entries(db)[before:]
    assert sorted((e.action, e.school_id, e.row_count) for e in added) == sorted(
        [
            ("read_visit_coverage_flags", world.school.id, 1),
            ("read_visit_coverage_flags", world.other_school.id, 2),
        ]
    )
    assert {e.detail["total"] for e in added} == {3}
