"""The compliance page's yearly rules beside ≥2 家长会: ≥1 of the school's own 教联体工作协调会 (001 §二(二)1) and
≥2 家庭教育指导 activities a school year (003 §二(二)), as the evaluation reports count them."""

import datetime as dt

from jlt_family.core.timeutil import SHANGHAI
from jlt_family.courses.models import ActivityKind, SessionStatus


def _at(year, month, day):
    return dt.datetime(year, month, day, 19, tzinfo=SHANGHAI).astimezone(dt.UTC)


def _year_items(call, school, admin):
    response = call("GET", f"/api/v1/schools/{school.id}/course-compliance?school_year=2025", admin)
    assert response.status_code == 200
    return {item["activity_kind"]: item for item in response.json["year"]["items"]}


def _held(h, db, school, organiser, kind, *days, status=SessionStatus.HELD):
    course = h.course(db, school, organiser, activity_kind=kind)
    for day in days:
        h.session(db, course, starts_at=_at(*day), status=status)


def test_a_school_that_held_its_coordination_meeting_meets_the_rule_one_that_did_not_fails_it(call, h, db, world):
    _held(h, db, world.school, world.teacher_a, ActivityKind.ALLIANCE_MEETING, (2025, 11, 5))
    _held(
        h,
        db,
        world.other_school,
        world.other_school_admin,
        ActivityKind.ALLIANCE_MEETING,
        (2025, 11, 6),
        status=SessionStatus.CANCELLED,
    )
    db.session.commit()

    held = _year_items(call, world.school, world.school_admin)["alliance_meeting"]
    missed = _year_items(call, world.other_school, world.other_school_admin)["alliance_meeting"]

    assert (held["held"], held["required"], held["met"]) == (1, 1, True)
    assert (missed["held"], missed["required"], missed["met"]) == (0, 1, False)


def test_two_guidance_activities_in_the_school_year_meet_the_yearly_rule_one_does_not(call, h, db, world):
    _held(h, db, world.school, world.teacher_a, ActivityKind.GUIDANCE, (2025, 10, 10), (2026, 3, 10))
    _held(h, db, world.other_school, world.other_school_admin, ActivityKind.GUIDANCE, (2025, 10, 10))
    db.session.commit()

    two = _year_items(call, world.school, world.school_admin)["guidance"]
    one = _year_items(call, world.other_school, world.other_school_admin)["guidance"]

    assert (two["held"], two["required"], two["met"]) == (2, 2, True)
    assert (one["held"], one["required"], one["met"]) == (1, 2, False)


def test_the_term_rules_stay_as_they_were(call, h, db, world):
    _held(h, db, world.school, world.teacher_a, ActivityKind.GUIDANCE, (2025, 10, 10), (2026, 3, 10))
    db.session.commit()

    response = call("GET", f"/api/v1/schools/{world.school.id}/course-compliance?school_year=2025", world.school_admin)

    autumn = {item["activity_kind"]: item for item in response.json["terms"][0]["items"]}
    assert (autumn["guidance"]["held"], autumn["guidance"]["required"], autumn["guidance"]["met"]) == (1, 2, False)
    assert autumn["alliance_meeting"]["required"] is None
