"""A visit is dated by when it was held: the record's time stays near the agreed window, and the visit's school
year follows the time it is agreed for and, once recorded, the time it was held (the school calendar of the
school's region), whatever the class's school year was when it was proposed."""

import datetime as dt

import pytest

from jlt_family.core.timeutil import SHANGHAI, shanghai_today, utcnow
from jlt_family.organizations.calendar import school_year_for, school_year_starting
from tests.visits.conftest import API, record_body, scheduled_visit, window


def _record(call, world, visit_id, visited_at):
    return call(
        "POST",
        f"{API}/visits/{visit_id}/record",
        world.teacher_a,
        json=record_body(visited_at=visited_at.isoformat(), follow_ups=[]),
    )


def _on(day, hour):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _span(start, minutes=60):
    return {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(minutes=minutes)).isoformat()}


def test_a_record_long_before_the_agreed_window_is_refused(call, world, schedule):
    visit = schedule(windows=[window(9, 10)])  # agreed in nine days: "held an hour ago" is 9 days early
    refused = _record(call, world, visit["id"], utcnow() - dt.timedelta(hours=1))
    assert (refused.status_code, refused.json["code"]) == (422, "visited_at_out_of_range")
    assert "7" in refused.json["message"]
    assert call("GET", f"{API}/visits/{visit['id']}", world.teacher_a).json["state"] == "scheduled"


def test_a_record_shortly_before_the_agreed_window_is_taken(call, world, schedule):
    visit = schedule(windows=[window(6, 10)])
    assert _record(call, world, visit["id"], utcnow() - dt.timedelta(hours=1)).status_code == 201


@pytest.mark.parametrize(("held_after_days", "status"), [(6, 201), (8, 422)])
def test_a_record_long_after_the_agreed_window_is_refused(call, world, held_after_days, status):
    starts_at = _on(shanghai_today() - dt.timedelta(days=10), 10)
    visit_id = scheduled_visit(world, starts_at)
    held = starts_at + dt.timedelta(hours=1, days=held_after_days)
    response = _record(call, world, visit_id, held)
    assert response.status_code == status, response.json
    if status == 422:
        assert response.json["code"] == "visited_at_out_of_range"


def test_a_record_in_the_future_is_still_refused(call, world, schedule):
    visit = schedule(windows=[window(1, 10)])
    refused = _record(call, world, visit["id"], utcnow() + dt.timedelta(hours=2))
    assert (refused.status_code, refused.json["code"]) == (422, "visit_in_future")


def test_a_visit_held_after_the_school_year_began_counts_in_the_new_year(call, world):
    """Proposed in the last days of a school year for the first days of the next (the class's year is the old
    one), held on the new year's first day: it belongs to the new school year."""
    new_year = school_year_for(shanghai_today()).start_year - 1  # a year boundary that lies in the past
    first_day = school_year_starting(new_year).starts_on
    visit_id = scheduled_visit(world, _on(first_day + dt.timedelta(days=1), 10), school_year=new_year - 1)
    recorded = _record(call, world, visit_id, _on(first_day, 15))
    assert recorded.status_code == 201, recorded.json
    assert call("GET", f"{API}/visits/{visit_id}", world.teacher_a).json["school_year"] == new_year


def test_a_visit_held_before_the_school_year_ended_counts_in_the_old_year(call, world):
    old_year = school_year_for(shanghai_today()).start_year - 1
    last_day = school_year_starting(old_year).ends_on
    visit_id = scheduled_visit(world, _on(last_day + dt.timedelta(days=1), 10), school_year=old_year + 1)
    assert _record(call, world, visit_id, _on(last_day, 16)).status_code == 201
    assert call("GET", f"{API}/visits/{visit_id}", world.teacher_a).json["school_year"] == old_year


def test_a_visit_proposed_for_next_school_year_carries_that_year(call, world, propose):
    this_year = school_year_for(shanghai_today()).start_year
    next_start = school_year_starting(this_year + 1).starts_on
    visit = propose(windows=[_span(_on(next_start, 10))])
    assert visit["school_year"] == this_year + 1
    accepted = call(
        "POST", f"{API}/visits/{visit['id']}/accept", world.guardian_a, json={"window_id": visit["windows"][0]["id"]}
    )
    assert accepted.json["school_year"] == this_year + 1
    back = call("POST", f"{API}/visits/{visit['id']}/move", world.teacher_a, json={**window(5, 10), "reason": "提前"})
    assert back.status_code == 200, back.json
    assert back.json["school_year"] == this_year


def test_an_accepted_window_decides_the_school_year(call, world, propose):
    this_year = school_year_for(shanghai_today()).start_year
    next_start = school_year_starting(this_year + 1).starts_on
    visit = propose(windows=[window(5, 10), _span(_on(next_start, 10))])
    assert visit["school_year"] == this_year  # the earliest window on offer
    later = next(w for w in visit["windows"] if w["starts_at"].startswith(next_start.isoformat()))
    accepted = call("POST", f"{API}/visits/{visit['id']}/accept", world.guardian_a, json={"window_id": later["id"]})
    assert accepted.json["school_year"] == this_year + 1
