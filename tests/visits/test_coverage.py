"""Coverage: visited students (≥1 completed visit in the school year) over all, flagged children first."""

import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from jlt_family.visits.models import HomeVisit, VisitMode, VisitPurpose, VisitState
from tests.clock import MID_TERM
from tests.factories import current_school_year
from tests.visits.conftest import API

# Coverage counts the visits of one school year: the tests stand inside a term, so that a run across the night of
# 31 August does not make the world in one school year and ask about the next.
pytestmark = pytest.mark.time_machine(MID_TERM)


def _year():
    return current_school_year().start_year


def _visit(db, world, student, state=VisitState.COMPLETED, school_year=None, start=None):
    """A visit of the current school year (the factories' one), on its tenth day, unless told otherwise."""
    year = current_school_year()
    school_year = school_year or year.start_year
    start = start or dt.datetime.combine(year.starts_on + dt.timedelta(days=9), dt.time(2), dt.UTC)
    db.session.add(
        HomeVisit(
            student=student,
            school_id=student.school_id,
            class_id=student.class_id,
            school_year=school_year,
            mode=VisitMode.HOME,
            purpose=VisitPurpose.ACADEMIC,
            state=state,
            proposed_by_id=world.teacher_a.id,
            awaiting=None,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )
    )
    db.session.flush()


def _class_a(make, world, db):
    """class_a: child_a (left-behind) and five more, one in difficulty; two of them visited."""
    others = [make.student(world.class_a, name=f"学生{i}", student_no=f"N{i}") for i in range(5)]
    others[4].in_difficulty = True
    _visit(db, world, others[0])
    _visit(db, world, others[1])
    _visit(db, world, others[2], state=VisitState.CANCELLED)
    last_year = current_school_year().start_year - 1
    _visit(db, world, others[3], school_year=last_year, start=dt.datetime(last_year + 1, 5, 10, 2, tzinfo=dt.UTC))
    db.session.commit()
    return others


def test_class_coverage_counts_completed_visits_of_the_school_year(call, make, world, db):
    _class_a(make, world, db)
    body = call("GET", f"{API}/classes/{world.class_a.id}/visit-coverage", world.teacher_a).json
    assert (body["students"], body["visited"], body["rate"]) == (6, 2, 0.3333)
    assert body["not_visited"]["total"] == 4


def test_flagged_children_come_first_with_their_flags_for_the_homeroom_teacher(call, make, world, db):
    others = _class_a(make, world, db)
    items = call("GET", f"{API}/classes/{world.class_a.id}/visit-coverage", world.teacher_a).json["not_visited"][
        "items"
    ]
    assert {i["id"] for i in items[:2]} == {world.child_a.id, others[4].id}
    assert sorted(tuple(i["flags"]) for i in items) == [(), (), ("in_difficulty",), ("left_behind",)]
    assert items[2]["flags"] == items[3]["flags"] == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "read_visit_coverage_flags")
        )
        == 1
    )


def test_a_subject_teacher_sees_no_flags_and_no_flag_order(call, make, world, db):
    _class_a(make, world, db)
    items = call("GET", f"{API}/classes/{world.class_a.id}/visit-coverage", world.teacher_b).json["not_visited"][
        "items"
    ]
    assert {i["flags"] is None for i in items} == {True}
    assert [i["student_no"] for i in items] == sorted(i["student_no"] for i in items)


def test_the_homeroom_teachers_to_visit_list(call, make, world, db, schedule):
    others = _class_a(make, world, db)
    schedule()
    items = call("GET", f"{API}/me/visits-to-do", world.teacher_a).json["items"]
    assert {i["id"] for i in items[:2]} == {world.child_a.id, others[4].id}
    assert next(i for i in items if i["id"] == world.child_a.id)["open_visit"]["state"] == "scheduled"
    assert call("GET", f"{API}/me/visits-to-do", world.teacher_b).json["total"] == 1  # class_b: child_b
    assert call("GET", f"{API}/me/visits-to-do?school_year={_year() - 1}", world.teacher_a).json["total"] == 0
    assert call("GET", f"{API}/me/visits-to-do", world.guardian_a).json["total"] == 0


def test_aggregates_count_per_school_for_administrators(call, make, world, db):
    _class_a(make, world, db)
    make.student(make.school_class(school=world.other_school))
    db.session.commit()
    body = call(
        "GET", f"{API}/visit-coverage?alliance_id={world.alliance.id}&school_year={_year()}", world.alliance_admin
    ).json
    assert (body["students"], body["visited"]) == (8, 2)  # class_a 6, class_b 1, other school 1
    assert [(s["id"], s["students"], s["visited"]) for s in body["schools"]] == [
        (world.school.id, 7, 2),
        (world.other_school.id, 1, 0),
    ]
    region = call("GET", f"{API}/visit-coverage?region_id={world.city.id}&school_year={_year()}", world.region_admin)
    assert region.status_code == 404  # the county's bureau does not administer the city
    county = call("GET", f"{API}/visit-coverage?region_id={world.county.id}&school_year={_year()}", world.region_admin)
    assert county.json["visited"] == 2


def test_aggregates_need_exactly_one_scope_and_hide_other_scopes(call, world):
    assert call("GET", f"{API}/visit-coverage", world.school_admin).json["code"] == "scope_required"
    both = call(
        "GET", f"{API}/visit-coverage?school_id={world.school.id}&alliance_id={world.alliance.id}", world.alliance_admin
    )
    assert both.json["code"] == "scope_required"
    other = call("GET", f"{API}/visit-coverage?school_id={world.school.id}", world.other_school_admin)
    assert (other.status_code, other.json["code"]) == (404, "school_not_found")


def test_the_to_visit_list_spans_the_homeroom_classes_of_several_school_years(call, make, world, db):
    """Each class counts its own school year's roster (one UNION ALL branch per school and year)."""
    last_year = make.school_class(school=world.school, homeroom=world.teacher_a, school_year=_year() - 1, name="去年班")
    pupil = make.student(last_year, name="去年学生", left_behind=True)
    db.session.commit()
    body = call("GET", f"{API}/me/visits-to-do?page_size=100", world.teacher_a).json
    assert body["total"] == 2  # child_a of class_a (this year) and the pupil of last year's class
    assert {(i["name"], i["school_class"]["name"], tuple(i["flags"])) for i in body["items"]} == {
        (world.child_a.name, world.class_a.name, ("left_behind",)),
        ("去年学生", "去年班", ("left_behind",)),
    }
    assert (
        call("GET", f"{API}/me/visits-to-do?school_year={_year() - 1}", world.teacher_a).json["items"][0]["id"]
        == pupil.id
    )
