"""SQL and template injection, NUL bytes, lone surrogates and very long strings in every free-text query filter
and every text field of every body (generated from the spec and the permission matrix's bodies): a 4xx or a
normal answer, never a 5xx, never an evaluated template, and a text filter matches its text literally."""

import json

import pytest

from jlt_family.core.extensions import db
from tests.fuzz import spec_support
from tests.fuzz.world import seeded_world
from tests.matrix_support import ROLES

# {{7*191}} and friends would render as 1337 if anything evaluated them.
EVALUATED = "1337"
PAYLOADS = [
    "'",
    '"',
    "%",
    "_",
    "\\",
    "%%_",
    "' OR 1=1 --",
    '" OR ""="',
    "'; DROP TABLE user; --",
    "1; SELECT SLEEP(5)",
    "{{7*191}}",
    "${7*191}",
    "#{7*191}",
    "<%= 7*191 %>",
    "{% print(7*191) %}",
    "<script>alert(1)</script>",
    "a\x00b",
    "\x00",
    "\u202eevil",
    "😀" * 30,
    "長" * 300,
    "x" * 100_000,
]
LITERAL_NO_MATCH = ["%", "_", "\\", "%%_", "' OR 1=1 --", '" OR ""="', "{{7*191}}"]


def _text_filters():
    found = []
    for method, path, operation in spec_support.operations_with_spec():
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if (
                parameter["in"] == "query"
                and schema.get("type") == "string"
                and "enum" not in schema
                and "format" not in schema
                and "pattern" not in schema
            ):
                found.append((method, path, parameter["name"]))
    return found


TEXT_FILTERS = _text_filters()


@pytest.mark.parametrize(("method", "path", "name"), TEXT_FILTERS, ids=[f"{m} {p} {n}" for m, p, n in TEXT_FILTERS])
def test_injection_in_text_filters(call, make, method, path, name):
    world = seeded_world(make)
    url = spec_support.url(path, world.school.id)
    for role in ("guardian_a", "teacher_a", "school_admin", "region_admin"):
        user = getattr(world, role)
        for payload in PAYLOADS:
            response = call(method, url, user, query_string={name: payload})
            text = response.get_data(as_text=True)
            assert response.status_code < 500, (role, payload[:30], text[:300])
            assert EVALUATED not in text.replace(f'"total": {EVALUATED}', "")
            if response.status_code == 200 and payload in LITERAL_NO_MATCH:
                assert response.get_json()["total"] == 0, (role, payload, text[:300])
        # bytes that are not UTF-8 (a lone surrogate's encoding) and a NUL in the raw query string
        for raw in (b"%ED%A0%80", b"%00", b"%FF%FE"):
            response = call(method, f"{url}?{name}={raw.decode()}", user)
            assert response.status_code < 500


def _bodies():
    from tests.test_permission_matrix import ENDPOINTS

    return [
        (name, method, path, body, next(role for role in ROLES if 200 <= expected[role] < 300))
        for name, method, path, body, expected in ENDPOINTS
        if body is not None and any(200 <= expected[role] < 300 for role in ROLES if role != "anonymous")
    ]


BODIES = _bodies()


@pytest.mark.parametrize(("name", "method", "path", "body", "role"), BODIES, ids=[row[0] for row in BODIES])
def test_injection_in_every_text_field(app, call, make, name, method, path, body, role):
    world = make.world()
    url = path(world)  # in the matrix's order: the path, then the body
    payload = body(world)
    if not isinstance(payload, dict):
        pytest.skip("multipart body (the roster file has its own bad-input tests)")
    text_fields = [key for key, value in payload.items() if isinstance(value, str)]
    list_fields = [
        key
        for key, value in payload.items()
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    ]
    if not text_fields and not list_fields:
        pytest.skip("no text field")
    db.session.commit()
    user = None if role == "anonymous" else getattr(world, role)
    # a lone surrogate (valid JSON, not valid Unicode) is refused as malformed, never stored
    field = (text_fields + list_fields)[0]
    raw = json.dumps({**payload, field: "\ud800" if field in text_fields else ["\ud800"]})
    response = call(method, url, user, data=raw, content_type="application/json")
    assert (response.status_code, response.get_json()["code"]) == (400, "malformed_json"), field
    for field in text_fields + list_fields:
        for attack in PAYLOADS:
            value = [attack] if field in list_fields else attack
            response = call(method, url, user, json={**payload, field: value})
            db.session.rollback()
            text = response.get_data(as_text=True)
            assert response.status_code < 500, (field, attack[:30], text[:300])
            assert EVALUATED not in text or EVALUATED in json.dumps(payload, ensure_ascii=False), (field, attack)


def test_organization_endpoints_refuse_lone_surrogates_like_the_others(call, world):
    """Regression: the organizations blueprint had its own parser without the lone-surrogate guard (500)."""
    raw = json.dumps({"user_id": world.teacher_a.id, "subject": "\ud800"})
    response = call(
        "POST",
        f"/api/v1/classes/{world.class_b.id}/teachers",
        world.school_admin,
        data=raw,
        content_type="application/json",
    )
    assert (response.status_code, response.get_json()["code"]) == (400, "malformed_json")
