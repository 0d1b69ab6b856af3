"""Managing courses and sessions: who runs what, bad input, publishing, moving and cancelling sessions."""

import datetime as dt

import pytest

from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import ResourceUnitKind, StaffRole

NEW_COURSE = {
    "title": "网络素养家长课",
    "category": "internet_literacy",
    "activity_kind": "evening_class",
    "format": "offline",
}


def _times(start_in_days=3, hours=2):
    start = utcnow() + dt.timedelta(days=start_in_days)
    return {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=hours)).isoformat()}


def _create(call, user, kind, provider_id, **extra):
    return call(
        "POST", "/api/v1/courses", user, json={**NEW_COURSE, "provider_kind": kind, "provider_id": provider_id, **extra}
    )


def test_a_teacher_creates_an_unpublished_course_of_their_school(call, world):
    response = _create(call, world.teacher_a, "school", world.school.id, grade_min=1, grade_max=6)
    assert response.status_code == 201
    assert (response.json["is_published"], response.json["provider"]["name"]) == (False, world.school.name)
    assert response.json["can_manage"] is True


def test_an_alliance_admin_runs_alliance_wide_courses(call, world):
    assert _create(call, world.alliance_admin, "alliance", world.alliance.id).status_code == 201
    assert _create(call, world.teacher_a, "alliance", world.alliance.id).json["code"] == "not_course_organiser"


def test_a_region_admin_runs_county_wide_courses(call, world):
    assert _create(call, world.region_admin, "region", world.county.id).status_code == 201
    assert _create(call, world.other_region_admin, "region", world.county.id).status_code == 403


def test_community_parent_school_staff_run_its_courses(call, world, make, db):
    unit = make.resource_unit(
        region=world.county, alliances=[world.alliance], kind=ResourceUnitKind.COMMUNITY, name="兴安社区家长学校"
    )
    staff = make.user()
    make.grant(staff, StaffRole.VENUE_STAFF, unit)
    db.session.commit()
    assert _create(call, staff, "community", unit.id).status_code == 201
    assert _create(call, world.alliance_admin, "community", unit.id).status_code == 201
    not_community = _create(call, world.venue_staff, "community", world.venue.id)
    assert not_community.status_code == 404 and not_community.json["code"] == "community_school_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grade_min": 0}, "grade_min"),
        ({"grade_max": 13}, "grade_max"),
        ({"category": "cooking"}, "category"),
        ({"title": ""}, "title"),
        ({"format": "tv"}, "format"),
    ],
)
def test_bad_course_input_is_refused(call, world, body, field):
    response = _create(call, world.teacher_a, "school", world.school.id, **body)
    assert response.status_code == 422 and field in response.json["errors"]["json"]


def test_grades_in_the_wrong_order_are_refused(call, world):
    response = _create(call, world.teacher_a, "school", world.school.id, grade_min=6, grade_max=1)
    assert response.status_code == 422 and response.json["code"] == "grade_range_invalid"


def test_publish_and_unpublish(call, cast, world):
    path = f"/api/v1/courses/{cast.draft.id}"
    assert call("GET", path, world.guardian_a).status_code == 404
    assert call("POST", f"{path}/publish", world.teacher_b).json["is_published"] is True
    assert call("GET", path, world.guardian_a).status_code == 200
    again = call("POST", f"{path}/publish", world.teacher_b)
    assert again.status_code == 409 and again.json["code"] == "already_published"
    assert call("POST", f"{path}/unpublish", world.school_admin).status_code == 200
    assert call("GET", path, world.guardian_a).status_code == 404


def test_creating_a_session(call, cast, world):
    body = {
        **_times(),
        "place": "学校报告厅",
        "capacity": 80,
        "learning_hours": 2,
        "cancel_deadline": (utcnow() + dt.timedelta(days=2)).isoformat(),
    }
    response = call("POST", f"/api/v1/courses/{cast.course.id}/sessions", world.teacher_a, json=body)
    assert response.status_code == 201
    assert (response.json["places_left"], response.json["learning_hours"], response.json["status"]) == (
        80,
        2.0,
        "scheduled",
    )
    assert response.json["starts_at"].endswith("+08:00")


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"capacity": 0}, "validation_error", "capacity"),
        ({"capacity": -5}, "validation_error", "capacity"),
        ({"ends_at": (utcnow() + dt.timedelta(days=1)).isoformat()}, "validation_error", "ends_at"),
        ({"starts_at": "2026-12-01T10:00:00"}, "validation_error", "starts_at"),
        ({"learning_hours": 0}, "validation_error", "learning_hours"),
        ({"online_url": "not a link"}, "validation_error", "online_url"),
    ],
)
def test_bad_session_input_is_refused(call, cast, world, change, code, field):
    body = {**_times(), "place": "学校报告厅", "capacity": 30, **change}
    response = call("POST", f"/api/v1/courses/{cast.course.id}/sessions", world.teacher_a, json=body)
    assert response.status_code == 422 and response.json["code"] == code
    assert field in response.json["errors"]["json"]


def test_an_offline_session_needs_a_place(call, cast, world):
    body = {**_times(), "capacity": 30}
    response = call("POST", f"/api/v1/courses/{cast.course.id}/sessions", world.teacher_a, json=body)
    assert response.status_code == 422 and response.json["code"] == "place_required"


def test_moving_the_end_before_the_start_is_refused(call, cast, world):
    body = {"ends_at": (cast.upcoming.starts_at - dt.timedelta(hours=1)).isoformat()}
    response = call("PATCH", f"/api/v1/course-sessions/{cast.upcoming.id}", world.teacher_a, json=body)
    assert response.status_code == 422 and response.json["code"] == "session_end_before_start"


def test_capacity_cannot_drop_below_the_places_taken(call, h, db, world, cast):
    h.enrolment(db, cast.upcoming, world.guardian_a)
    h.enrolment(db, cast.upcoming, world.guardian_b)
    db.session.commit()
    response = call("PATCH", f"/api/v1/course-sessions/{cast.upcoming.id}", world.teacher_a, json={"capacity": 1})
    assert response.status_code == 409 and response.json["code"] == "capacity_below_taken"


def test_more_places_promote_the_waitlist(call, h, db, world, sent):
    from jlt_family.courses.models import EnrolmentStatus

    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    h.enrolment(db, session, world.guardian_a)
    waiting = h.enrolment(db, session, world.guardian_b, status=EnrolmentStatus.WAITLISTED)
    db.session.commit()
    response = call("PATCH", f"/api/v1/course-sessions/{session.id}", world.teacher_a, json={"capacity": 2})
    assert (response.json["taken"], response.json["waitlisted"]) == (2, 0)
    db.session.refresh(waiting)
    assert waiting.status == EnrolmentStatus.ENROLLED
    assert sent["notice"][-1][1]["user_ids"] == [world.guardian_b.id]


def test_moving_a_session_reschedules_the_reminders_of_the_enrolled(call, cast, world, sent):
    new_start = cast.later.starts_at + dt.timedelta(hours=1)
    body = {"starts_at": new_start.isoformat(), "ends_at": (new_start + dt.timedelta(hours=2)).isoformat()}
    assert call("PATCH", f"/api/v1/course-sessions/{cast.later.id}", world.teacher_a, json=body).status_code == 200
    kwargs = sent["schedule"][-1][1]
    assert (kwargs["user_ids"], kwargs["starts_at"]) == ([world.guardian_a.id], new_start)
    assert sent["notice"][-1][1]["kind"] == "course_session_changed"


def test_cancelling_a_session_tells_everyone_and_releases_the_places(call, h, db, world, sent):
    from jlt_family.courses.models import EnrolmentStatus

    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    h.enrolment(db, session, world.guardian_a)
    h.enrolment(db, session, world.guardian_b, status=EnrolmentStatus.WAITLISTED)
    db.session.commit()
    response = call(
        "POST", f"/api/v1/course-sessions/{session.id}/cancel", world.teacher_a, json={"reason": "讲师生病"}
    )
    assert response.status_code == 200
    assert (response.json["status"], response.json["taken"], response.json["waitlisted"]) == ("cancelled", 0, 0)
    notice = sent["notice"][-1][1]
    assert (notice["kind"], notice["user_ids"]) == (
        "course_session_cancelled",
        [world.guardian_a.id, world.guardian_b.id],
    )
    assert "讲师生病" in notice["body"]
    assert sent["cancel"][-1][1] == {"subject_type": "course_session", "subject_id": session.id, "user_ids": None}
    again = call("POST", f"/api/v1/course-sessions/{session.id}/cancel", world.teacher_a, json={})
    assert again.status_code == 409 and again.json["code"] == "session_not_scheduled"


def test_the_roster_masks_phones_and_lists_the_waitlist_last(call, h, db, world, cast):
    from jlt_family.courses.models import EnrolmentStatus

    h.enrolment(db, cast.upcoming, world.guardian_b, status=EnrolmentStatus.WAITLISTED)
    h.enrolment(db, cast.upcoming, world.guardian_a)
    db.session.commit()
    items = call("GET", f"/api/v1/course-sessions/{cast.upcoming.id}/enrolments", world.teacher_a).json["items"]
    assert [(i["status"], i["phone"]) for i in items] == [("enrolled", "138****0001"), ("waitlisted", "138****0002")]
