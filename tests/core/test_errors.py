"""The one error envelope: every bad request answers 4xx with {code, message, errors}, never a 500."""

import re

import pytest

from jlt_family.core.schemas import MAX_ID

CHINESE = re.compile(r"[\u4e00-\u9fff]")
DEV_LOGIN = "/api/v1/auth/dev-login"


def assert_error(response, status, code):
    """The response is the error envelope with ``status``, a code matching ``code`` and a Chinese message."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) == {"code", "message", "errors"}
    assert re.fullmatch(code, body["code"]), body["code"]
    assert CHINESE.search(body["message"]), body["message"]
    assert isinstance(body["errors"], dict)
    return body


@pytest.fixture
def auth(make):
    return make.login(make.user())


@pytest.mark.parametrize("payload", [b'{"openid": "demo-parent-1"', b"{'openid': 1}", b"\xff\xfe\x00"])
def test_malformed_json_is_400(client, payload):
    response = client.post(DEV_LOGIN, data=payload, content_type="application/json")
    assert_error(response, 400, "malformed_json")


def test_wrong_type_is_422_with_the_field(client):
    body = assert_error(client.post(DEV_LOGIN, json={"openid": 123}), 422, "validation_error")
    assert list(body["errors"]["json"]) == ["openid"]


def test_unknown_field_is_422_with_the_field(client):
    body = assert_error(
        client.post(DEV_LOGIN, json={"openid": "demo", "role": "region_admin"}), 422, "validation_error"
    )
    assert list(body["errors"]["json"]) == ["role"]


def test_missing_field_is_422(client):
    body = assert_error(client.post(DEV_LOGIN, json={}), 422, "validation_error")
    assert "openid" in body["errors"]["json"]


def test_body_that_is_not_an_object_is_422(client):
    body = assert_error(client.post(DEV_LOGIN, json=["demo-parent-1"]), 422, "validation_error")
    assert body["errors"]["json"]


def test_huge_integer_for_a_text_field_is_422(client, auth):
    body = assert_error(client.patch("/api/v1/me", json={"nickname": 10**40}, headers=auth), 422, "validation_error")
    assert list(body["errors"]["json"]) == ["nickname"]


def _json_operations(spec):
    """(method, path with 1 for each path parameter, body schema) of every operation taking a JSON body."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                yield method.upper(), re.sub(r"\{\w+\}", "1", path), content["schema"]


def _id_body_fields(spec):
    """(method, path, field) of every JSON body property documented as a database id (``Id``)."""
    schemas = spec["components"]["schemas"]
    for method, path, schema in _json_operations(spec):
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        for name, prop in schema.get("properties", {}).items():
            if prop.get("type") == "integer" and prop.get("maximum") == MAX_ID:
                yield method, path, name


def test_huge_integer_in_an_id_body_field_is_422_not_500(client, auth):
    fields = list(_id_body_fields(client.get("/api/v1/openapi.json").json))
    assert fields, "no endpoint takes an Id in its body"
    for method, path, name in fields:
        response = client.open(path, method=method, json={name: 2**70}, headers=auth)
        body = assert_error(response, 422, "validation_error")
        assert name in body["errors"]["json"], (method, path, body)


def _id_routes(app):
    """GET routes of the API with an ``<id:...>`` path segment, as (rule, argument names). (The dashboard's pages
    need its own sign-in: tests/dashboard/test_scopes.py checks them.)"""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/dashboard/"):
            continue
        ids = [name for name, converter in rule._converters.items() if converter.__class__.__name__ == "IdConverter"]
        if ids and "GET" in rule.methods:
            yield rule.rule, ids


def _fill(rule, value):
    return re.sub(r"<id:\w+>", str(value), rule)


def test_huge_id_in_a_path_is_404(app, client, auth):
    """Also where the same path has rules for other methods (werkzeug would answer 405 for a refused match)."""
    routes = list(_id_routes(app))
    assert routes
    for rule, _ids in routes:
        for huge in (MAX_ID + 1, "9" * 30):
            # The view's own lookup answers, so the code may be specific ("region_not_found").
            assert_error(client.get(_fill(rule, huge), headers=auth), 404, r"(\w+_)?not_found")


def test_largest_id_in_a_path_still_matches_its_route(app):
    """So the 404 above comes from the id's size, not from a route that never matches."""
    adapter = app.url_map.bind("localhost")
    for rule, ids in _id_routes(app):
        _endpoint, values = adapter.match(_fill(rule, MAX_ID), method="GET")
        assert [values[name] for name in ids] == [MAX_ID] * len(ids)


def test_body_over_the_limit_is_413(app, client):
    payload = b'{"openid": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    assert_error(client.post(DEV_LOGIN, data=payload, content_type="application/json"), 413, "payload_too_large")


def test_wrong_method_is_405_with_allow(client):
    response = client.get(DEV_LOGIN)
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("url", ["/api/v1/no-such-thing", "/no-such-page", "/api/v1/me/extra/1"])
def test_unknown_url_is_404(client, url):
    assert_error(client.get(url), 404, "not_found")


def test_anonymous_is_401(client):
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_bad_token_is_401(client, header):
    assert_error(client.get("/api/v1/me", headers={"Authorization": header}), 401, "token_invalid")


def test_every_json_endpoint_rejects_malformed_json_with_400(client, auth):
    operations = list(_json_operations(client.get("/api/v1/openapi.json").json))
    assert len(operations) >= 3
    for method, path, _schema in operations:
        response = client.open(path, method=method, data=b"{", content_type="application/json", headers=auth)
        assert_error(response, 400, "malformed_json")


def test_a_body_that_is_not_json_is_told_in_chinese_in_the_field_errors_too(call, world):
    response = call(
        "POST", "/api/v1/family/invites", world.guardian_a, data='{"reason": ', content_type="application/json"
    )
    assert (response.status_code, response.get_json()) == (
        400,
        {"code": "malformed_json", "message": "请求体不是有效的 JSON", "errors": {"json": ["请求体不是有效的 JSON"]}},
    )
