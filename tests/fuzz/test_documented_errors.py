"""Every documented generic error is real: for each operation of the spec (new ones included), the 401, 404,
400, 413 and pagination 422 it documents are answered, in the envelope, when provoked.

- 401: an anonymous call is refused with ``unauthenticated``; an operation that does not document 401 is public
  and must not answer it.
- 404: ids in the path that no row has (0 after the id converter, a huge number) answer 404 to a school admin.
- 400: a body that is not JSON answers ``malformed_json``; 413: a body over ``MAX_CONTENT_LENGTH`` answers
  ``payload_too_large``; 422: ``page_size=0`` on a paginated list answers ``validation_error``.

Business errors (403, 409, 429, 422 rules, 503) are provoked by each domain's own tests.
"""

import re

import pytest

from jlt_family.core.extensions import db
from tests.fuzz import spec_support

OPERATIONS = spec_support.operations_with_spec()
BIG_ID = "99999999999999999999"


def _ids(operations):
    return [f"{method} {path}" for method, path, _ in operations]


def _url(path, value="1"):
    return re.sub(r"\{[^}]+\}", value, path)


def _documented(operation):
    return {code for code in operation["responses"] if code != "default"}


def _assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"} and body["message"]
    assert body["code"] == code, body


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=_ids(OPERATIONS))
def test_anonymous_answer_matches_the_documented_401(client, world, method, path, operation):
    response = client.open(_url(path, str(world.school.id)), method=method, json={})
    if "401" in _documented(operation):
        _assert_error(response, 401, "unauthenticated")
    else:
        assert response.status_code != 401


_WITH_ID = [op for op in OPERATIONS if "404" in _documented(op[2]) and re.search(r"\{\w+_id\}", op[1])]


@pytest.mark.parametrize(("method", "path", "operation"), _WITH_ID, ids=_ids(_WITH_ID))
def test_unknown_ids_answer_the_documented_404(app, call, world, method, path, operation):
    """With the body the matrix sends (the body is checked before the row is looked up)."""
    body = spec_support.matrix_body(app, world, method, path) if operation.get("requestBody") else dict
    db.session.commit()
    for value in ("0", BIG_ID):
        response = call(method, _url(path, value), world.school_admin, **body())
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["code"].endswith("not_found")


_JSON_BODIES = [op for op in OPERATIONS if "application/json" in op[2].get("requestBody", {}).get("content", {})]


@pytest.mark.parametrize(("method", "path", "operation"), _JSON_BODIES, ids=_ids(_JSON_BODIES))
def test_malformed_and_oversized_bodies_answer_the_documented_400_and_413(
    call, world, configure, method, path, operation
):
    assert {"400", "413"} <= _documented(operation)
    url = _url(path, str(world.school.id))
    response = call(method, url, world.school_admin, data='{"broken": ', content_type="application/json")
    _assert_error(response, 400, "malformed_json")
    configure(MAX_CONTENT_LENGTH=1024)
    response = call(method, url, world.school_admin, json={"padding": "x" * 2048})
    _assert_error(response, 413, "payload_too_large")


_PAGINATED = [op for op in OPERATIONS if any(p["name"] == "page_size" for p in op[2].get("parameters", []))]


@pytest.mark.parametrize(("method", "path", "operation"), _PAGINATED, ids=_ids(_PAGINATED))
def test_bad_paging_answers_the_documented_422(call, world, method, path, operation):
    assert "422" in _documented(operation)
    response = call(method, _url(path, str(world.school.id)) + "?page_size=0", world.school_admin)
    _assert_error(response, 422, "validation_error")
