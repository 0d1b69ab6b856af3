"""No input, however wrong, makes a families endpoint answer 500; each refusal has a stable code."""

import json

import pytest

BODIES = [
    None,
    "text",
    1,
    [],
    {},
    {"unknown": 1},
    {"home_address": "\ud800"},
    {"reason": "\ud800"},
    {"code": "\ud800", "relation": "father", "name": "\ud800"},
    {"invite_code": "\ud800", "student_name": "王", "student_no": "1", "relation": "father", "guardian_name": "王"},
    {"migrant": True, "left_behind": 10**30},
    {
        "caretaker_name": "\ud800",
        "caretaker_relation": "祖母",
        "caretaker_phone": "13712345678",
        "starts_on": "2026-09-01",
    },
    {"caretaker_name": "张", "caretaker_relation": "祖母", "caretaker_phone": "13712345678", "starts_on": 10**40},
]


def _endpoints(world, pending):
    return [
        ("PATCH", "/family"),
        ("POST", "/family/invites/redeem"),
        ("POST", "/binding-requests"),
        ("POST", f"/binding-requests/{pending.id}/reject"),
        ("PATCH", f"/children/{world.child_a.id}/flags"),
        ("POST", f"/children/{world.child_a.id}/care-entrustments"),
    ]


@pytest.mark.parametrize("role", ["guardian_a", "teacher_a"])
def test_bad_bodies_never_answer_500(api, world, pending, role):
    caller = api(getattr(world, role))
    for method, url in _endpoints(world, pending):
        for body in BODIES:
            # ensure_ascii keeps lone surrogates as \ud800 escapes, as a client could send them
            response = caller._call(method, url, data=json.dumps(body), content_type="application/json")
            assert response.status_code < 500, (method, url, body, response.json)
            assert response.json["code"], (method, url, body)
        response = caller._call(method, url, data="garbage", content_type="text/plain")
        assert response.status_code < 500, (method, url)


def test_lone_surrogates_are_refused_in_chinese(api, world):
    response = api(world.guardian_a)._call(
        "PATCH", "/family", data='{"home_address": "\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["code"] == "malformed_json"


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=0", "page_size=abc", "status=%00"])
def test_bad_query_strings_are_422(api, world, query):
    assert api(world.guardian_a).get(f"/binding-requests?{query}").status_code == 422


def test_query_string_pages_are_read_as_numbers(api, world):
    response = api(world.guardian_a).get("/binding-requests?page=2&page_size=5")
    assert response.status_code == 200
    assert (response.json["page"], response.json["page_size"]) == (2, 5)
