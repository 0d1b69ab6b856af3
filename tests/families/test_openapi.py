"""Every families endpoint is documented: summary, security, error responses."""

import pytest

ENDPOINTS = [
    ("get", "/api/v1/family"),
    ("patch", "/api/v1/family"),
    ("delete", "/api/v1/family/guardians/me"),
    ("post", "/api/v1/family/invites"),
    ("get", "/api/v1/family/invites"),
    ("delete", "/api/v1/family/invites/{invite_id}"),
    ("post", "/api/v1/family/invites/redeem"),
    ("post", "/api/v1/binding-requests"),
    ("get", "/api/v1/binding-requests"),
    ("delete", "/api/v1/binding-requests/{request_id}"),
    ("get", "/api/v1/classes/{class_id}/binding-requests"),
    ("post", "/api/v1/binding-requests/{request_id}/approve"),
    ("post", "/api/v1/binding-requests/{request_id}/reject"),
    ("get", "/api/v1/children/{student_id}"),
    ("patch", "/api/v1/children/{student_id}/flags"),
    ("post", "/api/v1/children/{student_id}/care-entrustments"),
    ("get", "/api/v1/children/{student_id}/care-entrustments"),
    ("post", "/api/v1/care-entrustments/{entrustment_id}/acknowledge"),
    ("post", "/api/v1/care-entrustments/{entrustment_id}/withdraw"),
]


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/v1/openapi.json").json


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_endpoint_is_documented(spec, method, path):
    operation = spec["paths"][path][method]
    assert operation["summary"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "401" in operation["responses"]
    assert any(code.startswith("2") for code in operation["responses"])


def test_paginated_lists_carry_their_metadata_in_the_body(spec):
    schema = spec["components"]["schemas"]["BindingRequestPage"]
    assert set(schema["properties"]) == {"items", "page", "page_size", "total"}
