"""分班记录: every change of a student's class is kept (new student, roster import, 调班, leaving), and the
reports count a mover where the README says."""

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations.placements import StudentClassPlacement, history_of
from jlt_family.organizations.students import Student
from jlt_family.reports import service
from jlt_family.reports.periods import resolve_period
from tests.clock import MID_TERM
from tests.factories import current_school_year
from tests.reports import scenario

API = "/api/v1"


def _history(db, student):
    db.session.expire_all()
    return [(p.class_id, p.from_date, p.to_date) for p in history_of(student.id)]


def test_a_new_student_is_placed_from_the_start_of_the_school_year(world, db):
    # class_a is of the current school year: from its first day (or today, if that were earlier)
    start = current_school_year().starts_on
    assert _history(db, world.child_a) == [(world.class_a.id, min(shanghai_today(), start), None)]


def test_move_closes_the_old_placement_and_opens_the_new_one(call, world, db):
    response = call(
        "POST", f"{API}/students/{world.child_a.id}/move", world.school_admin, json={"class_id": world.class_b.id}
    )
    assert response.status_code == 200, response.get_json()
    today = shanghai_today()
    start = min(today, current_school_year().starts_on)
    assert _history(db, world.child_a) == [(world.class_a.id, start, today), (world.class_b.id, today, None)]
    assert response.get_json()["class_id"] == world.class_b.id
    assert [p["class_name"] for p in response.get_json()["placements"]] == [world.class_a.name, world.class_b.name]
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "move_student_class"))
    assert entry.detail == {"from_class_id": world.class_a.id, "to_class_id": world.class_b.id}


def test_move_refuses_the_same_class_and_another_schools_class(call, world, make, db):
    same = call(
        "POST", f"{API}/students/{world.child_a.id}/move", world.school_admin, json={"class_id": world.class_a.id}
    )
    assert same.status_code == 409 and same.get_json()["code"] == "already_in_class"
    elsewhere = make.school_class(school=world.other_school)
    db.session.commit()
    other = call("POST", f"{API}/students/{world.child_a.id}/move", world.school_admin, json={"class_id": elsewhere.id})
    assert other.status_code == 404 and other.get_json()["code"] == "class_not_found"
    bad = call("POST", f"{API}/students/{world.child_a.id}/move", world.school_admin, json={"class_id": "x"})
    assert bad.status_code == 422
    assert len(_history(db, world.child_a)) == 1  # nothing half-written


def test_leaving_closes_the_placement(world, db):
    student = db.session.get(Student, world.child_b.id)
    student.class_id = None
    db.session.commit()
    [(class_id, _from, to_date)] = _history(db, student)
    assert class_id == world.class_b.id and to_date == shanghai_today()


def test_roster_import_moving_a_student_writes_the_history(call, world, db):
    header = "学年,年级,班级,学号,姓名"
    row = f"{world.class_b.school_year},三年级,{world.class_b.name},{world.child_a.student_no},{world.child_a.name}"
    data = f"{header}\r\n{row}\r\n".encode("utf-8-sig")
    response = call(
        "POST",
        f"{API}/schools/{world.school.id}/roster-import",
        world.school_admin,
        data={"file": (io.BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    history = _history(db, world.child_a)
    assert [(c, to is None) for c, _f, to in history] == [(world.class_a.id, False), (world.class_b.id, True)]


def test_one_open_placement_per_student_in_the_database(world, db):
    db.session.add(
        StudentClassPlacement(student_id=world.child_a.id, class_id=world.class_b.id, from_date=shanghai_today())
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_a_mover_counts_in_the_class_of_the_periods_end_with_its_earlier_visit(make):
    county = scenario.build(make)
    autumn = service.school_report(county.school, resolve_period(county.county, scenario.YEAR, "autumn"))
    by_class = {c["name"]: c for c in autumn["classes"]}
    # s3 moved 1班 → 2班 on 1 Dec; its October visit (made in 1班) makes it visited in 2班.
    assert by_class["三年级2班"]["visited"] == 1 and by_class["三年级2班"]["students"] == 3
    # had the term ended before the move (a report of the period up to 30 Nov), it would count in 1班
    period = resolve_period(county.county, scenario.YEAR, "autumn", today=dt.date(scenario.YEAR, 11, 30))
    early = {c["name"]: (c["students"], c["visited"]) for c in service.school_report(county.school, period)["classes"]}
    assert early == {"三年级1班": (4, 3), "三年级2班": (2, 0)}


@pytest.mark.time_machine(MID_TERM)  # the move happens inside the period asked for, class_a's autumn term
def test_a_student_who_moved_to_another_school_no_longer_counts_in_the_old_one(world, make, db):
    """A transfer closes the placement in the old school: the old school's roster at the period's end no longer
    holds the student, though the student is still placed (in the new school's class)."""
    elsewhere = make.school_class(school=world.other_school, grade=world.class_a.grade)
    db.session.commit()
    period = resolve_period(world.county, 2026, "autumn")
    before = service.school_report(world.school, period)["coverage"]["students"]
    student = db.session.get(Student, world.child_a.id)
    student.school_id, student.class_id = world.other_school.id, elsewhere.id
    db.session.commit()
    db.session.expire_all()
    assert service.school_report(world.school, period)["coverage"]["students"] == before - 1
    assert service.school_report(world.other_school, period)["coverage"]["students"] == 1
