"""Every POST, PUT and PATCH of the spec validates its body: a wrongly typed or malformed body answers 400 or 422
in the ``{code, message, errors}`` envelope (never 2xx, never 5xx), before any work, for a caller who can reach
the operation; an operation without parameters accepts nothing or ``{}`` and refuses unknown fields.

Generated over the spec's operations: each is called through the permission matrix's row for it (its path, with
the records the row creates) as a role the matrix lets through, so the body is what is refused, not the caller.
"""

import pytest

from jlt_family.core.extensions import db
from tests.fuzz import spec_support
from tests.matrix_support import ROLES

WRITES = [(method, path) for method, path in spec_support.operations() if method in ("POST", "PUT", "PATCH")]
WRONG_BODIES = {
    "a list": "[]",
    "a list of objects": '[{"name": "x"}]',
    "a string": '"text"',
    "a number": "42",
    "true": "true",
    "null": "null",
    "invalid JSON": '{"broken": ',
}


def _reaching_role(expected):
    """A role the matrix lets through (2xx) or, failing that, one it refuses for the data, not the caller."""
    for role in ROLES:
        if role != "anonymous" and 200 <= expected[role] < 300:
            return role
    for role in ROLES:
        if role != "anonymous" and expected[role] not in (401, 403, 404):
            return role
    return None


def _matrix_row(app, world, method, path):
    from tests.test_permission_matrix import ENDPOINTS

    adapter = app.url_map.bind("localhost")
    wanted = adapter.match(spec_support.url(path), method=method)[0]
    for _name, row_method, row_path, _body, expected in ENDPOINTS:
        url = row_path(world)
        if row_method == method and adapter.match(url.split("?")[0], method=method)[0] == wanted:
            return url, _reaching_role(expected)
    raise AssertionError(f"{method} {path} has no row in the permission matrix")


def _assert_refused(response, label):
    assert response.status_code in (400, 422), (label, response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"} and body["message"], (label, body)
    if response.status_code == 422:
        assert body["code"] == "validation_error" and body["errors"], (label, body)
    else:
        assert body["code"] == "malformed_json", (label, body)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_wrongly_typed_body_is_refused(app, call, world, method, path):
    url, role = _matrix_row(app, world, method, path)
    db.session.commit()
    user = getattr(world, role) if role else world.school_admin
    for label, raw in WRONG_BODIES.items():
        response = call(method, url, user, data=raw, content_type="application/json")
        _assert_refused(response, label)


def test_every_write_is_covered():
    assert len(WRITES) > 80


BODYLESS = [
    (method, path)
    for method, path, operation in spec_support.operations_with_spec()
    if method in ("POST", "PUT", "PATCH")
    and operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    == {"$ref": "#/components/schemas/EmptyBody"}
]


def test_actions_without_parameters_declare_an_empty_body(app):
    spec = spec_support.app_spec()
    assert spec["components"]["schemas"]["EmptyBody"] == {
        "type": "object",
        "properties": {},
        "additionalProperties": False,
    }
    assert ("POST", "/api/v1/auth/logout") in BODYLESS and len(BODYLESS) >= 15
    for method, path, operation in spec_support.operations_with_spec():
        if method in ("POST", "PUT", "PATCH"):
            assert operation.get("requestBody"), (method, path)
            assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize(("method", "path"), BODYLESS, ids=[f"{m} {p}" for m, p in BODYLESS])
def test_an_unknown_field_to_an_action_without_parameters_is_422(app, call, world, method, path):
    url, role = _matrix_row(app, world, method, path)
    db.session.commit()
    user = getattr(world, role) if role else world.school_admin
    response = call(method, url, user, json={"unexpected": 1})
    _assert_refused(response, "unknown field")
    assert response.get_json()["errors"] == {"json": {"unexpected": ["未知字段"]}}


def test_logout_with_a_body_keeps_the_session(call, client, world, make):
    headers = make.login(world.guardian_a)
    refused = client.post("/api/v1/auth/logout", headers=headers, json={"all": True})
    assert refused.status_code == 422
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers, json={}).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_anonymous_with_a_bad_body_is_told_to_sign_in_first(client):
    response = client.post("/api/v1/auth/logout", data="[]", content_type="application/json")
    assert (response.status_code, response.get_json()["code"]) == (401, "unauthenticated")
