"""Bad proposals get a clear 4xx with a stable code."""

import pytest

from tests.visits.conftest import API, proposal, window


def _propose(call, world, user=None, **body):
    return call("POST", f"{API}/visits", user or world.teacher_a, json=proposal(world.child_a, **body))


@pytest.mark.parametrize(
    ("windows", "code"),
    [
        ([window(-1, 10)], "window_in_past"),
        ([{"starts_at": window(3, 11)["starts_at"], "ends_at": window(3, 10)["starts_at"]}], "window_end_before_start"),
        ([window(3, 9), window(4, 9), window(5, 9), window(6, 9)], "too_many_windows"),
        ([], "no_windows"),
        ([window(3, 7)], "outside_allowed_hours"),
        ([window(3, 20, 30, minutes=60)], "outside_allowed_hours"),
        ([window(3, 23, minutes=120)], "outside_allowed_hours"),
    ],
)
def test_bad_windows_are_refused(call, world, windows, code):
    response = _propose(call, world, windows=windows)
    assert (response.status_code, response.json["code"]) == (422, code)


def test_windows_need_an_offset(call, world):
    response = _propose(call, world, windows=[{"starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T11:00:00"}])
    assert (response.status_code, response.json["code"]) == (422, "validation_error")


def test_an_unknown_student_is_not_found(call, world):
    response = call("POST", f"{API}/visits", world.teacher_a, json={**proposal(world.child_a), "student_id": 999999})
    assert (response.status_code, response.json["code"]) == (404, "student_not_found")


def test_another_class_teacher_cannot_propose_and_cannot_tell_the_student_exists(call, world):
    response = _propose(call, world, user=world.teacher_c)
    assert (response.status_code, response.json["code"]) == (404, "student_not_found")


def test_a_guardian_cannot_propose(call, world):
    response = _propose(call, world, user=world.guardian_a)
    assert (response.status_code, response.json["code"]) == (403, "staff_only")


def test_staff_of_another_school_cannot_take_part(call, world):
    response = _propose(call, world, staff_ids=[world.other_school_admin.id])
    assert (response.status_code, response.json["code"]) == (422, "staff_not_in_school")
    assert response.json["errors"] == {"staff_ids": [world.other_school_admin.id]}


def test_a_non_staff_user_cannot_take_part(call, world):
    response = _propose(call, world, staff_ids=[world.guardian_b.id])
    assert response.json["code"] == "staff_not_in_school"


def test_unknown_mode_and_purpose_are_refused(call, world):
    assert _propose(call, world, mode="visit").status_code == 422
    assert _propose(call, world, purpose="fun").status_code == 422


def test_the_school_setting_narrows_the_allowed_hours(call, world):
    put = call(
        "PUT",
        f"{API}/schools/{world.school.id}/visit-settings",
        world.school_admin,
        json={"travel_buffer_minutes": 45, "allowed_start": "09:00", "allowed_end": "18:00"},
    )
    assert put.status_code == 200, put.json
    assert _propose(call, world, windows=[window(3, 8, 30)]).json["code"] == "outside_allowed_hours"
    assert _propose(call, world, windows=[window(3, 9)]).status_code == 201
    reversed_hours = call(
        "PUT",
        f"{API}/schools/{world.school.id}/visit-settings",
        world.school_admin,
        json={"travel_buffer_minutes": 45, "allowed_start": "18:00", "allowed_end": "09:00"},
    )
    assert (reversed_hours.status_code, reversed_hours.json["code"]) == (422, "hours_order")


def test_settings_default_when_never_set(call, world):
    settings = call("GET", f"{API}/schools/{world.school.id}/visit-settings", world.teacher_a).json
    assert settings == {
        "school_id": world.school.id,
        "travel_buffer_minutes": 30,
        "allowed_start": "08:00",
        "allowed_end": "21:00",
    }
