"""Staff reads leave a trail (查阅留痕): every staff read of a booking list, a visit, a roster, an entrustment or a
child's flags writes one audit entry (who, what, which scope, how many rows, when), and the school's leaders and
the bureau read their scope's trail through the API, by person and date; out of scope: 404."""

import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from jlt_family.core.timeutil import shanghai_today, to_shanghai
from tests.courses import helpers as course_helpers
from tests.venues import matrix as venues
from tests.visits.conftest import proposal

API = "/api/v1"


def _entries(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()


def _ok(response):
    assert response.status_code == 200, response.json
    return response.json


def _one_new_entry(db, before):
    entries = _entries(db)[len(before) :]
    assert len(entries) == 1, [(e.action, e.subject_type) for e in entries]
    return entries[0]


def _read(call, db, user, path):
    """GET ``path`` as ``user``; the one entry it wrote."""
    before = _entries(db)
    body = _ok(call("GET", path, user))
    return body, _one_new_entry(db, before)


def _entrustment(call, world):
    today = shanghai_today()
    body = {
        "caretaker_name": "张奶奶",
        "caretaker_relation": "祖母",
        "caretaker_phone": "13712345678",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=90)).isoformat(),
    }
    response = call("POST", f"{API}/children/{world.child_a.id}/care-entrustments", world.guardian_a, json=body)
    assert response.status_code == 201, response.json


def _visit(call, world, student=None, teacher=None):
    response = call("POST", f"{API}/visits", teacher or world.teacher_a, json=proposal(student or world.child_a))
    assert response.status_code == 201, response.json
    return response.json


def test_a_venues_booking_list_is_one_entry_with_its_rows_and_scope(call, world, db):
    for _ in range(3):
        venues._booking(world)
    body, entry = _read(
        call,
        db,
        world.venue_staff,
        f"{API}/resource-units/{world.venue.id}/venue-bookings?page_size=2&status=confirmed",
    )
    assert (body["total"], len(body["items"])) == (3, 2)
    assert (entry.actor_user_id, entry.action, entry.subject_type, entry.subject_id) == (
        world.venue_staff.id,
        "read_venue_bookings",
        "resource_unit",
        world.venue.id,
    )
    assert (entry.row_count, entry.school_id, entry.region_id) == (2, None, world.county.id)
    assert entry.detail == {"total": 3, "query": {"page": 1, "page_size": 2, "status": "confirmed"}}
    assert entry.created_at is not None


def test_visit_lists_and_records_read_by_staff_are_trailed_the_familys_own_reads_are_not(call, world, db):
    visit = _visit(call, world)
    _visit(call, world, world.child_b, world.teacher_b)  # class_b: teacher_b's homeroom, not teacher_a's
    body, entry = _read(call, db, world.teacher_a, f"{API}/visits")
    assert (entry.action, entry.row_count, entry.school_id) == ("read_visits", len(body["items"]), world.school.id)
    assert entry.row_count == 1
    _, entry = _read(call, db, world.school_admin, f"{API}/visits?page_size=5")
    assert (entry.action, entry.row_count) == ("read_visits", 2)
    before = _entries(db)
    _ok(call("GET", f"{API}/visits/{visit['id']}", world.teacher_a))
    read = [e for e in _entries(db)[len(before) :] if e.action == "read_visit"]
    assert [(e.actor_user_id, e.subject_type, e.subject_id, e.row_count, e.school_id) for e in read] == [
        (world.teacher_a.id, "home_visit", visit["id"], 1, world.school.id)
    ]
    before = _entries(db)
    _ok(call("GET", f"{API}/visits", world.guardian_a))
    _ok(call("GET", f"{API}/visits/{visit['id']}", world.guardian_a))
    assert _entries(db) == before


def test_every_roster_read_is_trailed_with_or_without_the_flags(call, make, world, db):
    make.student(world.class_a)
    db.session.commit()
    path = f"{API}/classes/{world.class_a.id}/students"
    _, subject_teacher = _read(call, db, world.teacher_b, path)
    assert (subject_teacher.action, subject_teacher.subject_type, subject_teacher.subject_id) == (
        "read_class_roster",
        "school_class",
        world.class_a.id,
    )
    assert (subject_teacher.row_count, subject_teacher.school_id) == (2, world.school.id)
    _, homeroom = _read(call, db, world.teacher_a, path + "?page_size=1")
    assert (homeroom.action, homeroom.row_count, homeroom.detail["total"]) == ("read_student_sensitive", 1, 2)


def test_a_course_sessions_roster_read_by_its_organiser_is_trailed(call, world, db):
    course = course_helpers.course(db, world.school, world.teacher_a)
    session = course_helpers.session(db, course)
    course_helpers.enrolment(db, session, world.guardian_a)
    db.session.commit()
    _, entry = _read(call, db, world.teacher_a, f"{API}/course-sessions/{session.id}/enrolments")
    assert (entry.action, entry.subject_type, entry.subject_id, entry.row_count, entry.school_id) == (
        "read_session_roster",
        "course_session",
        session.id,
        1,
        world.school.id,
    )


def test_a_leaders_read_of_a_childs_flags_and_entrustments_is_trailed_a_guardians_is_not(call, world, db):
    _entrustment(call, world)
    _, entry = _read(call, db, world.teacher_a, f"{API}/children/{world.child_a.id}")
    assert (entry.action, entry.subject_type, entry.subject_id, entry.row_count) == (
        "read_student_sensitive",
        "student",
        world.child_a.id,
        1,
    )
    _, entry = _read(call, db, world.school_admin, f"{API}/children/{world.child_a.id}/care-entrustments")
    assert (entry.action, entry.row_count, entry.school_id) == ("read_care_entrustments", 1, world.school.id)
    before = _entries(db)
    _ok(call("GET", f"{API}/children/{world.child_a.id}", world.guardian_a))
    _ok(call("GET", f"{API}/children/{world.child_a.id}/care-entrustments", world.guardian_a))
    assert _entries(db) == before


def test_a_refused_read_leaves_no_entry(call, world, db):
    venues._booking(world)
    assert call("GET", f"{API}/resource-units/{world.venue.id}/venue-bookings", world.teacher_a).status_code == 404
    assert call("GET", f"{API}/classes/{world.class_a.id}/students", world.alliance_admin).status_code == 403
    assert (
        call(
            "GET", f"{API}/resource-units/{world.venue.id}/venue-bookings?date=1999-01-01", world.venue_staff
        ).status_code
        == 422
    )
    assert _entries(db) == []


# ---- reading the trail ------------------------------------------------------------------------------------------


def _trail(call, user, path, query=""):
    response = call("GET", f"{API}{path}/audit-log{query}", user)
    assert response.status_code == 200, response.json
    return response.json


def _reads(call, world):
    """A venue's booking list (the county's trail), a roster by teacher_b and one by teacher_a (the school's)."""
    venues._booking(world)
    _ok(call("GET", f"{API}/resource-units/{world.venue.id}/venue-bookings", world.venue_staff))
    _ok(call("GET", f"{API}/classes/{world.class_a.id}/students", world.teacher_b))
    _ok(call("GET", f"{API}/classes/{world.class_a.id}/students", world.teacher_a))


def test_the_school_admin_reads_the_schools_trail_by_person_and_date(call, world, db):
    _reads(call, world)
    school = f"/schools/{world.school.id}"
    body = _trail(call, world.school_admin, school)
    assert [(i["action"], i["actor_name"], i["row_count"]) for i in body["items"]] == [
        ("read_student_sensitive", "甲老师", 1),
        ("read_class_roster", "乙老师", 1),
    ]
    assert body["items"][0]["detail"]["student_ids"] == [world.child_a.id]
    by_b = _trail(call, world.school_admin, school, f"?actor_user_id={world.teacher_b.id}")
    assert [i["actor_user_id"] for i in by_b["items"]] == [world.teacher_b.id]
    today = to_shanghai(_entries(db)[0].created_at).date()
    assert _trail(call, world.school_admin, school, f"?date_from={today}&date_to={today}")["total"] == 2
    assert _trail(call, world.school_admin, school, f"?date_to={today - dt.timedelta(days=1)}")["total"] == 0
    assert _trail(call, world.school_admin, school, f"?date_from={today + dt.timedelta(days=1)}")["total"] == 0
    paged = _trail(call, world.school_admin, school, "?page=2&page_size=1")
    assert (paged["total"], [i["actor_name"] for i in paged["items"]]) == (2, ["乙老师"])


def test_a_day_of_the_trail_is_a_day_in_shanghai(call, world, db):
    _reads(call, world)
    first = _entries(db)[0]
    first.created_at = dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)  # 1 December, 00:30 in Shanghai
    db.session.commit()
    path = f"/regions/{world.county.id}"
    assert [
        i["id"] for i in _trail(call, world.region_admin, path, "?date_from=2026-12-01&date_to=2026-12-01")["items"]
    ] == [first.id]
    assert _trail(call, world.region_admin, path, "?date_from=2026-11-30&date_to=2026-11-30")["total"] == 0


def test_the_bureau_reads_its_regions_trail_with_the_venues_and_its_schools(call, world, db):
    _reads(call, world)
    body = _trail(call, world.region_admin, f"/regions/{world.county.id}")
    assert [(i["action"], i["subject_type"], i["row_count"]) for i in body["items"]] == [
        ("read_student_sensitive", "school_class", 1),
        ("read_class_roster", "school_class", 1),
        ("read_venue_bookings", "resource_unit", 1),
    ]
    assert body["items"][0]["detail"] == {}  # a school's details stay with its leaders
    assert body["items"][2]["detail"]["total"] == 1
    venue_staff = _trail(
        call, world.region_admin, f"/regions/{world.county.id}", f"?actor_user_id={world.venue_staff.id}"
    )
    assert [i["region_id"] for i in venue_staff["items"]] == [world.county.id]
    above = _trail(call, world.region_admin, f"/regions/{world.county.id}", "?action=read_class_roster")
    assert above["total"] == 1
    assert _trail(call, world.other_region_admin, f"/regions/{world.other_county.id}")["total"] == 0


def test_the_city_bureau_reads_the_trail_of_its_counties(call, world, make, db):
    city_admin = make.user(nickname="市教育局")
    make.grant(city_admin, "region_admin", world.city)
    db.session.commit()
    _reads(call, world)
    assert _trail(call, city_admin, f"/regions/{world.city.id}")["total"] == 3
    assert _trail(call, city_admin, f"/schools/{world.school.id}")["total"] == 2


@pytest.mark.parametrize(
    "who",
    ["other_region_admin", "school_admin", "alliance_admin", "teacher_a", "venue_staff", "guardian_a", "stranger"],
)
def test_a_regions_trail_out_of_scope_is_404(call, world, who):
    response = call("GET", f"{API}/regions/{world.county.id}/audit-log", getattr(world, who))
    assert (response.status_code, response.json["code"]) == (404, "region_not_found")


def test_a_missing_region_is_404_and_bad_filters_422(call, world):
    missing = call("GET", f"{API}/regions/999999/audit-log", world.region_admin)
    assert (missing.status_code, missing.json["code"]) == (404, "region_not_found")
    for query in ("?date_from=2026-12-02&date_to=2026-12-01", "?actor_user_id=abc", "?date_from=12/01"):
        for path in (f"/regions/{world.county.id}", f"/schools/{world.school.id}"):
            response = call("GET", f"{API}{path}/audit-log{query}", world.region_admin)
            assert response.status_code == 422, (path, query, response.json)
            assert response.json["code"] == "validation_error" and response.json["errors"]
