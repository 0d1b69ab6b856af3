"""Oversized and pathological bodies: 413 ``payload_too_large`` at the configured limit (JSON and multipart) in
the error envelope, and JSON nested deeper than the interpreter's stack answers 400 ``malformed_json`` on every
operation with a JSON body (it was a 500: RecursionError)."""

import io

import pytest

from tests.fuzz import spec_support

JSON_BODIES = [
    (method, path)
    for method, path, operation in spec_support.operations_with_spec()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
]


def _envelope(response, status, code):
    body = response.get_json()
    assert (response.status_code, body["code"]) == (status, code)
    assert set(body) == {"code", "message", "errors"} and body["message"]


def test_a_body_over_the_default_limit_is_413(app, call, world):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 4 * 1024 * 1024
    response = call(
        "PATCH",
        "/api/v1/family",
        world.guardian_a,
        data=b'{"home_address": "' + b"x" * limit + b'"}',
        content_type="application/json",
    )
    _envelope(response, 413, "payload_too_large")


def test_a_multipart_upload_over_the_limit_is_413(call, world, configure):
    configure(MAX_CONTENT_LENGTH=64 * 1024)
    big = io.BytesIO(("学年,年级,班级,学号,姓名\n" + "2026,3,三年级1班,S1,某某\n" * 10000).encode())
    response = call(
        "POST",
        f"/api/v1/schools/{world.school.id}/roster-import",
        world.school_admin,
        data={"file": (big, "roster.csv")},
        content_type="multipart/form-data",
    )
    _envelope(response, 413, "payload_too_large")


@pytest.mark.parametrize("nested", ["[" * 100_000, '{"a":' * 50_000, "[" * 5000 + "]" * 5000])
def test_deeply_nested_json_is_malformed_on_every_operation(call, world, nested):
    wrong = []
    for method, path in JSON_BODIES:
        response = call(
            method,
            spec_support.url(path, world.school.id),
            world.school_admin,
            data=nested,
            content_type="application/json",
        )
        body = response.get_json(silent=True) or {}
        if response.status_code >= 500 or (response.status_code == 400 and body.get("code") != "malformed_json"):
            wrong.append((method, path, response.status_code, body.get("code")))
    assert wrong == []
