"""Learning record, feedback and the compliance numbers."""

import datetime as dt

from jlt_family.core.timeutil import SHANGHAI
from jlt_family.courses.models import ActivityKind, CourseCategory, EnrolmentStatus, SessionStatus


def _at(year, month, day, hour=19):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def test_learning_record_by_category(call, h, db, world):
    law = h.course(db, world.school, world.teacher_a, category=CourseCategory.FAMILY_EDUCATION_LAW)
    talk = h.course(db, world.school, world.teacher_a, category=CourseCategory.PARENT_CHILD_COMMUNICATION)
    for course, start in [
        (law, _at(2025, 9, 20)),
        (law, _at(2025, 10, 20)),
        (talk, _at(2026, 3, 1)),
        (talk, _at(2026, 9, 2)),
    ]:
        session = h.session(db, course, starts_at=start)
        h.enrolment(db, session, world.guardian_a, status=EnrolmentStatus.ATTENDED)
    absent = h.session(db, talk, starts_at=_at(2025, 11, 1))
    h.enrolment(db, absent, world.guardian_a, status=EnrolmentStatus.ABSENT)
    db.session.commit()
    record = call("GET", "/api/v1/me/course-record?school_year=2025", world.guardian_a).json
    assert (record["label"], record["sessions_attended"], record["learning_hours"]) == ("2025–2026学年", 3, 4.5)
    assert [(c["label"], c["sessions"], c["hours"]) for c in record["by_category"]] == [
        ("家庭教育促进法", 2, 3.0),
        ("亲子沟通", 1, 1.5),
    ]
    assert call("GET", "/api/v1/me/course-record?school_year=2025", world.guardian_b).json["sessions_attended"] == 0


def _feedback(call, session, user, **body):
    return call("POST", f"/api/v1/course-sessions/{session.id}/feedback", user, json=body)


def test_feedback_after_attending_and_the_organisers_summary(call, h, db, world, cast):
    h.enrolment(db, cast.past, world.guardian_b, status=EnrolmentStatus.ATTENDED)
    db.session.commit()
    assert _feedback(call, cast.past, world.guardian_a, rating=5, comment="很实用").status_code == 201
    assert _feedback(call, cast.past, world.guardian_b, rating=2).status_code == 201
    again = _feedback(call, cast.past, world.guardian_a, rating=4)
    assert again.status_code == 409 and again.json["code"] == "feedback_exists"
    summary = call("GET", f"/api/v1/courses/{cast.course.id}/feedback", world.teacher_a).json
    assert (summary["count"], summary["average"], summary["by_rating"]) == (2, 3.5, {"2": 1, "5": 1})
    assert {item["comment"] for item in summary["items"]} == {"很实用", ""}
    assert "guardian" not in str(summary)


def test_a_rating_outside_one_to_five_is_refused(call, cast, world):
    for rating in (0, 6, "5"):
        response = _feedback(call, cast.past, world.guardian_a, rating=rating)
        assert response.status_code == 422 and "rating" in response.json["errors"]["json"]


def test_feedback_needs_attendance(call, cast, world):
    response = _feedback(call, cast.past, world.guardian_b, rating=4)
    assert response.status_code == 409 and response.json["code"] == "not_attended"


def test_compliance_counts_held_activities_per_term_and_year(call, h, db, world, make):
    def _held(course, start, attended=0, absent=0, status=SessionStatus.HELD):
        session = h.session(db, course, starts_at=start, status=status)
        for status_, n in ((EnrolmentStatus.ATTENDED, attended), (EnrolmentStatus.ABSENT, absent)):
            for _ in range(n):
                user = make.user()
                make.guardian(user=user)
                h.enrolment(db, session, user, status=status_)

    kinds = {kind: h.course(db, world.school, world.teacher_a, activity_kind=kind) for kind in ActivityKind}
    _held(kinds[ActivityKind.GUIDANCE], _at(2025, 10, 10), attended=3, absent=1)
    _held(kinds[ActivityKind.GUIDANCE], _at(2025, 11, 10), attended=1, absent=1)
    _held(kinds[ActivityKind.GUIDANCE], _at(2025, 12, 10), status=SessionStatus.CANCELLED)
    _held(kinds[ActivityKind.GUIDANCE], _at(2026, 3, 10))
    for day in range(1, 6):
        _held(kinds[ActivityKind.EVENING_CLASS], _at(2025, 9, day))
    _held(kinds[ActivityKind.PARENT_MEETING], _at(2025, 9, 15))
    _held(kinds[ActivityKind.PARENT_ASSEMBLY], _at(2025, 9, 20))
    other = h.course(db, world.other_school, world.other_school_admin, activity_kind=ActivityKind.PARENT_MEETING)
    _held(other, _at(2025, 9, 16))
    db.session.commit()
    body = call("GET", f"/api/v1/schools/{world.school.id}/course-compliance?school_year=2025", world.school_admin).json
    autumn, spring = ({i["activity_kind"]: i for i in term["items"]} for term in body["terms"])
    year = {i["activity_kind"]: i for i in body["year"]["items"]}
    assert (autumn["guidance"]["held"], autumn["guidance"]["met"], autumn["guidance"]["attendance_rate"]) == (
        2,
        True,
        0.6667,
    )
    assert (autumn["evening_class"]["held"], autumn["evening_class"]["met"]) == (5, True)
    assert (autumn["parent_assembly"]["held"], autumn["parent_assembly"]["required"]) == (1, 1)
    assert (spring["guidance"]["held"], spring["guidance"]["met"], spring["evening_class"]["met"]) == (1, False, False)
    assert (year["parent_meeting"]["held"], year["parent_meeting"]["required"], year["parent_meeting"]["met"]) == (
        1,
        2,
        False,
    )
    assert autumn["open_day"]["required"] is None and autumn["open_day"]["met"] is None
    assert body["terms"][0]["label"] == "2025–2026学年秋季学期"


def _region_calendar(region, year_start=None, spring_start=None):
    region.school_year_start_month, region.school_year_start_day = year_start or (None, None)
    region.spring_term_start_month, region.spring_term_start_day = spring_start or (None, None)


def _attended(h, db, world, user, *days):
    course = h.course(db, world.school, world.teacher_a)
    sessions = []
    for day in days:
        sessions.append(h.session(db, course, starts_at=_at(*day)))
        h.enrolment(db, sessions[-1], user, status=EnrolmentStatus.ATTENDED)
    return [s.id for s in sessions]


def test_the_learning_record_follows_the_school_calendar_of_the_childs_region(call, h, db, world):
    _region_calendar(world.city, year_start=(8, 20))  # the county of child_a's school inherits it
    august, september, next_august = _attended(
        h, db, world, world.guardian_a, (2025, 8, 25), (2025, 9, 5), (2026, 8, 22)
    )
    db.session.commit()
    record = call("GET", "/api/v1/me/course-record?school_year=2025", world.guardian_a).json
    assert (record["starts_on"], record["ends_on"]) == ("2025-08-20", "2026-08-19")
    assert [s["session_id"] for s in record["sessions"]] == [august, september]
    following = call("GET", "/api/v1/me/course-record?school_year=2026", world.guardian_a).json
    assert [s["session_id"] for s in following["sessions"]] == [next_august]


def test_the_record_of_a_child_in_another_region_uses_that_regions_calendar(call, h, db, world, make):
    _region_calendar(world.county, year_start=(8, 20))
    elsewhere = make.school(region=world.other_county)  # no calendar of its own: 1 September
    sibling = make.student(make.school_class(school=elsewhere), world.family_a)
    august, september, next_august = _attended(
        h, db, world, world.guardian_a, (2025, 8, 25), (2025, 9, 5), (2026, 8, 22)
    )
    db.session.commit()
    path = f"/api/v1/me/course-record?school_year=2025&child_id={sibling.id}"
    record = call("GET", path, world.guardian_a).json
    assert (record["starts_on"], record["ends_on"]) == ("2025-09-01", "2026-08-31")
    assert [s["session_id"] for s in record["sessions"]] == [september, next_august]
    first_child = call("GET", "/api/v1/me/course-record?school_year=2025", world.guardian_a).json
    assert [s["session_id"] for s in first_child["sessions"]] == [august, september]
    foreign = call("GET", f"/api/v1/me/course-record?child_id={world.child_b.id}", world.guardian_a)
    assert (foreign.status_code, foreign.json["code"]) == (404, "child_not_found")


def test_compliance_terms_follow_the_school_calendar_of_the_schools_region(call, h, db, world):
    _region_calendar(world.county, year_start=(8, 20), spring_start=(2, 15))
    guidance = h.course(db, world.school, world.teacher_a, activity_kind=ActivityKind.GUIDANCE)
    for day in ((2025, 8, 25), (2026, 2, 10), (2026, 2, 20)):
        h.session(db, guidance, starts_at=_at(*day), status=SessionStatus.HELD)
    db.session.commit()
    body = call("GET", f"/api/v1/schools/{world.school.id}/course-compliance?school_year=2025", world.school_admin).json
    autumn, spring = body["terms"]
    assert (autumn["starts_on"], autumn["ends_on"], spring["starts_on"], spring["ends_on"]) == (
        "2025-08-20",
        "2026-02-14",
        "2026-02-15",
        "2026-08-19",
    )
    held = [{i["activity_kind"]: i["held"] for i in term["items"]}["guidance"] for term in body["terms"]]
    assert held == [2, 1]
