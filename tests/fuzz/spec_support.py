"""The fuzzer's helpers: the spec's operations, aiming generated ids at existing rows, and two extra checks."""

import io
import json
import re

from schemathesis.core.failures import Failure

HTTP_METHODS = ("get", "put", "post", "patch", "delete")

# Path and query parameters whose name does not say their table.
ALIASES = {"child": "student", "parent": "region", "resource_unit": "resource_unit", "request": "binding_request"}


_SPEC = []


def app_spec():
    """The OpenAPI description of a fresh app (no database needed), read once at collection."""
    if not _SPEC:
        from config import TestingConfig
        from jlt_family import create_app

        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = "sqlite://"

        _SPEC.append(create_app(Config).test_client().get("/api/v1/openapi.json").get_json())
    return _SPEC[0]


def operations_with_spec():
    """``[(METHOD, path, operation object)]`` of every operation of the spec."""
    return [
        (method.upper(), path, operation)
        for path, item in app_spec()["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def operations():
    """``[(METHOD, path)]`` of every operation of the spec."""
    return [(method, path) for method, path, _ in operations_with_spec()]


def url(path, value="1"):
    """The spec path with every ``{parameter}`` replaced by ``value``."""
    return re.sub(r"\{[^}]+\}", str(value), path)


def matrix_body(app, world, method, path):
    """A function giving the request keyword arguments of the body the permission matrix sends to this
    operation (a valid one), or none when the matrix sends none. Builds the matrix's records once."""
    from tests.matrix_support import Form
    from tests.test_permission_matrix import ENDPOINTS

    adapter = app.url_map.bind("localhost")
    wanted = adapter.match(url(path), method=method)[0]
    for _name, row_method, row_path, body, _expected in ENDPOINTS:
        if row_method == method and body and adapter.match(row_path(world).split("?")[0], method=method)[0] == wanted:
            payload = body(world)
            if isinstance(payload, Form):
                files = {key: (value[0].read(), value[1]) for key, value in payload.items()}
                return lambda: {
                    "data": {key: (io.BytesIO(content), name) for key, (content, name) in files.items()},
                    "content_type": "multipart/form-data",
                }
            return lambda: {"json": payload}
    return dict


def tables_for(name, ids):
    """Tables whose ids a parameter called ``name`` (``school_id``, ``booking_id`` ...) refers to."""
    stem = ALIASES.get(name.removesuffix("_id"), name.removesuffix("_id"))
    return [table for table in ids if table == stem or table.endswith(f"_{stem}")]


def can_be_invalid(operation):
    """Whether an operation has anything a client could get wrong: a body or a constrained parameter."""
    definition = operation.definition.raw
    if definition.get("requestBody"):
        return True
    for parameter in definition.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") != "header" and set(schema) - {"type", "description", "title"}:
            return True
        if parameter.get("in") != "header" and schema.get("type") not in (None, "string"):
            return True
    return False


def pick(name, value, ids, aim):
    """An existing id for ``name`` four times in five; the generated (probably unknown) value otherwise."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1 or aim % 5 == 0:
        return value
    tables = tables_for(name, ids)
    pool = [i for table in tables for i in ids[table]] or [i for rows in ids.values() for i in rows]
    return pool[(value + aim) % len(pool)] if pool else value


def aim_ids(case, ids, aim):
    """Point the case's ``*_id`` path, query and top-level body values at rows of the seeded world."""
    for container in (case.path_parameters, case.query):
        if isinstance(container, dict):
            for name, value in container.items():
                if name.endswith("_id"):
                    container[name] = pick(name, value, ids, aim)
    body = getattr(case, "body", None)
    if isinstance(body, dict):
        for name, value in body.items():
            if name.endswith("_id"):
                body[name] = pick(name, value, ids, aim)


class UndocumentedStatus(Failure):
    def __init__(self, *, operation, status, documented):
        self.operation = operation
        self.status = status
        self.title = "Status not documented explicitly"
        self.message = f"{status} is not among the documented statuses {sorted(documented)} (default aside)"
        self.case_id = None
        self.severity = None

    @property
    def _unique_key(self):
        return f"{self.operation}:{self.status}"


class BadErrorEnvelope(Failure):
    def __init__(self, *, operation, status, body):
        self.operation = operation
        self.title = "Error body is not {code, message, errors}"
        self.message = f"{status}: {body[:300]}"
        self.case_id = None
        self.severity = None

    @property
    def _unique_key(self):
        return f"{self.operation}:{self.message}"


def status_documented(ctx, response, case):
    """The status is one the operation lists itself: ``default`` documents nothing in particular."""
    documented = {code for code in case.operation.responses.status_codes if code != "default"}
    if str(response.status_code) not in documented:
        raise UndocumentedStatus(operation=case.operation.label, status=response.status_code, documented=documented)


def error_envelope(ctx, response, case):
    """Every 4xx/5xx answers ``{code: snake_case, message: non-empty, errors: object}``."""
    if response.status_code < 400:
        return
    text = response.content.decode("utf-8", "replace") if response.content else ""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    ok = (
        isinstance(body, dict)
        and set(body) == {"code", "message", "errors"}
        and isinstance(body["code"], str)
        and body["code"].replace("_", "").isalnum()
        and body["code"] == body["code"].lower()
        and isinstance(body["message"], str)
        and body["message"]
        and isinstance(body["errors"], dict)
    )
    if not ok:
        raise BadErrorEnvelope(operation=case.operation.label, status=response.status_code, body=text)
