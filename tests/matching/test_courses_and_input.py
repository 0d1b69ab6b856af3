"""A parent-education need accepted into a draft course; bad input answers a stable code, never a 500."""

import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.courses.models import Course, CourseCategory, ProviderKind, SessionStatus
from jlt_family.matching.models import NeedMatch, NeedTopic
from jlt_family.organizations.models import ResourceUnitKind
from tests.courses import helpers as course_helpers
from tests.matching import helpers
from tests.matching.helpers import API, need_body


@pytest.fixture
def parent_need(db, world):
    need = helpers.need(
        db,
        world.school,
        world.school_admin,
        topic=NeedTopic.PARENT_EDUCATION,
        title="青春期心理调适",
        course_category=CourseCategory.MENTAL_HEALTH,
        headcount=60,
        note="周五晚上更合适",
    )
    db.session.commit()
    return need


def test_a_course_match_becomes_a_draft_course_of_the_provider(call, make, world, db, parent_need):
    community = make.resource_unit(region=world.county, kind=ResourceUnitKind.COMMUNITY, alliances=[world.alliance])
    db.session.commit()
    body = {"kind": "course", "provider_kind": "community", "provider_id": community.id}
    accepted = call("POST", f"{API}/needs/{parent_need.id}/accept", world.alliance_admin, json=body)
    assert accepted.status_code == 201, accepted.json
    match = accepted.json["match"]
    course = db.session.get(Course, match["course"]["id"])
    assert (course.provider_kind, course.resource_unit_id, course.is_published) == (
        ProviderKind.COMMUNITY,
        community.id,
        False,
    )
    assert (course.title, course.category, course.description) == (
        "青春期心理调适",
        CourseCategory.MENTAL_HEALTH,
        "周五晚上更合适",
    )
    assert (course.grade_min, course.grade_max) == (3, 5)
    assert match["provider_kind_label"] == "社区家长学校"

    early = call("POST", f"{API}/needs/{parent_need.id}/feedback", world.school_admin, json={"rating": 4})
    assert (early.status_code, early.json["code"]) == (422, "activity_not_done")
    course_helpers.session(db, course, starts_in=-dt.timedelta(days=1), status=SessionStatus.HELD)
    db.session.commit()
    rated = call("POST", f"{API}/needs/{parent_need.id}/feedback", world.school_admin, json={"rating": 4})
    assert (rated.status_code, rated.json["match"]["feedback"]["rating"]) == (201, 4)


def test_a_venue_offering_cannot_be_accepted_for_a_parent_need(call, world, db, parent_need):
    offering = helpers.offering(db, world.venue)
    db.session.commit()
    response = call(
        "POST",
        f"{API}/needs/{parent_need.id}/accept",
        world.school_admin,
        json={"kind": "venue", "offering_id": offering.id, "bookings": []},
    )
    assert (response.status_code, response.json["code"]) == (422, "match_kind_mismatch")


def test_a_proposal_that_no_longer_fits_is_refused(call, world, db, science, open_need):
    science.is_active = False
    db.session.commit()
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": science.test_slots[0].id, "class_id": world.class_a.id}],
    }
    response = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body)
    assert (response.status_code, response.json["code"]) == (422, "proposal_no_longer_fits")
    assert response.json["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NeedMatch)) == 0


def test_a_class_outside_the_needs_grades_is_refused(call, make, world, db, science):
    need = helpers.need(db, world.school, world.school_admin, grade_min=5, grade_max=5)
    db.session.commit()
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": science.test_slots[0].id, "class_id": world.class_a.id}],
    }
    response = call("POST", f"{API}/needs/{need.id}/accept", world.school_admin, json=body)
    assert (response.status_code, response.json["code"]) == (422, "class_not_in_need")
    foreign = make.school_class(school=world.other_school, grade=5)
    body["bookings"][0]["class_id"] = foreign.id
    response = call("POST", f"{API}/needs/{need.id}/accept", world.school_admin, json=body)
    assert (response.status_code, response.json["code"]) == (404, "class_not_found")


YESTERDAY = (helpers.today() - dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"grade_min": 5, "grade_max": 3}, 422, "grade_range_invalid"),
        ({"headcount": 0}, 422, "validation_error"),
        ({"headcount": 100000}, 422, "validation_error"),
        ({"headcount": "40"}, 422, "validation_error"),
        ({"grade_min": 0}, 422, "validation_error"),
        ({"grade_max": 13}, 422, "validation_error"),
        ({"topic": "astrology"}, 422, "validation_error"),
        ({"starts_on": "2020-01-01", "ends_on": YESTERDAY}, 422, "period_in_past"),
        ({"ends_on": "2020-01-01"}, 422, "period_invalid"),
        ({"ends_on": "9999-12-31"}, 422, "validation_error"),
        ({"starts_on": None, "ends_on": None}, 422, "period_required"),
        ({"starts_on": None, "ends_on": None, "term": "spring"}, 422, "period_invalid"),
        ({"starts_on": None, "ends_on": None, "term": "summer", "school_year": 2026}, 422, "validation_error"),
        ({"starts_on": None, "ends_on": None, "term": "autumn", "school_year": 2020}, 422, "period_in_past"),
        ({"ends_on": (helpers.today() + dt.timedelta(days=400)).isoformat()}, 422, "period_too_long"),
        ({"topic": "parent_education"}, 422, "course_category_required"),
        ({"course_category": "mental_health"}, 422, "course_category_not_allowed"),
        ({"note": "长" * 1001}, 422, "validation_error"),
        ({"unknown": 1}, 422, "validation_error"),
        ({"class_id": 99999999}, 404, "class_not_found"),
    ],
)
def test_bad_needs_answer_a_stable_code_in_chinese(call, world, changes, status, code):
    response = call("POST", f"{API}/schools/{world.school.id}/needs", world.school_admin, json=need_body(**changes))
    assert (response.status_code, response.json["code"]) == (status, code), response.json
    assert response.json["message"]


def test_a_class_outside_the_posted_grades_is_refused(call, world):
    body = need_body(class_id=world.class_c.id, grade_min=3, grade_max=4)
    response = call("POST", f"{API}/schools/{world.school.id}/needs", world.school_admin, json=body)
    assert (response.status_code, response.json["code"]) == (422, "class_not_in_need")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "venue"}, "validation_error"),
        ({"kind": "course", "provider_kind": "community"}, "validation_error"),
        ({"kind": "venue", "offering_id": 1, "bookings": [{"slot_id": 1}] * 6}, "validation_error"),
        ({"kind": "venue", "offering_id": 1, "bookings": [{"slot_id": 1, "headcount": 0}]}, "validation_error"),
        ({"kind": "teleport", "offering_id": 1}, "validation_error"),
    ],
)
def test_bad_acceptances_answer_422(call, world, open_need, body, code):
    response = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body)
    assert (response.status_code, response.json["code"]) == (422, code), response.json


def test_an_accepted_venue_needs_slots(call, world, science, open_need):
    body = {"kind": "venue", "offering_id": science.id, "bookings": []}
    response = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body)
    assert (response.status_code, response.json["code"]) == (422, "bookings_required")
    assert call("GET", f"{API}/needs/{open_need.id}", world.school_admin).json["status"] == "open"


@pytest.mark.parametrize("rating", [0, 6, "5", None])
def test_bad_ratings_answer_422(call, world, open_need, rating):
    response = call("POST", f"{API}/needs/{open_need.id}/feedback", world.school_admin, json={"rating": rating})
    assert (response.status_code, response.json["code"]) == (422, "validation_error")


def test_rating_an_unmatched_need_is_a_conflict(call, world, open_need):
    response = call("POST", f"{API}/needs/{open_need.id}/feedback", world.school_admin, json={"rating": 3})
    assert (response.status_code, response.json["code"]) == (409, "need_not_matched")
