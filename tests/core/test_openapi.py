"""The API description: a valid OpenAPI 3 document, and Swagger UI served without the internet."""

import re

import pytest
from openapi_spec_validator import validate

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def spec(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def _response_schema_ref(spec, response):
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"].get("$ref")


def test_spec_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"] == "v1"


def test_every_path_is_under_api_v1(spec):
    assert spec["paths"]
    assert all(path.startswith("/api/v1/") for path in spec["paths"])


def test_bearer_security_scheme(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_error_schema_is_the_envelope(spec):
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "errors"}
    assert set(error["required"]) >= {"code", "message"}


def test_every_error_response_uses_the_envelope(spec):
    for path, method, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if status == "default" or status.startswith(("4", "5")):
                assert _response_schema_ref(spec, response) == ERROR_REF, (method, path, status)


def test_every_operation_has_a_summary(spec):
    for path, method, operation in _operations(spec):
        assert operation.get("summary"), (method, path)


def test_secured_operations_document_401(spec):
    secured = [(p, m, op) for p, m, op in _operations(spec) if op.get("security") == [{"bearerAuth": []}]]
    assert secured
    for path, method, operation in secured:
        assert "401" in operation["responses"], (method, path)


def test_public_sign_in_is_not_secured(spec):
    assert "security" not in spec["paths"]["/api/v1/auth/dev-login"]["post"]


def test_swagger_ui_loads_its_assets_locally(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(asset.startswith("/api/v1/docs-assets/") for asset in assets), assets
    assert "/api/v1/openapi.json" in html
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()


def test_unknown_docs_asset_is_404(client):
    assert client.get("/api/v1/docs-assets/nothing-here.js").status_code == 404
