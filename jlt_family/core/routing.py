"""Blueprint with the project's documentation helpers, and the ``<id:...>`` URL converter."""

from __future__ import annotations

import functools
import json
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import g
from marshmallow import RAISE, Schema
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser
from werkzeug.routing import BaseConverter

from jlt_family.core.errors import Unauthenticated
from jlt_family.core.schemas import MAX_ID


class IdConverter(BaseConverter):
    """A positive 64-bit id in a path; anything else is simply not found (404), never a database error.

    Digits out of range become 0, which no row has: the view's own lookup then answers 404. (Refusing the
    match instead would let another rule of the same path answer 405.)
    """

    regex = r"[0-9]{1,40}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0

    def to_url(self, value: Any) -> str:
        return str(int(value))


def id_param_schema(converter: Any) -> dict[str, Any]:
    return {"type": "integer", "format": "int64", "minimum": 1}


class JsonParser(FlaskParser):
    """webargs parser that also refuses JSON whose strings hold lone surrogates (``"\\ud800"``) or that is nested
    deeper than Python's recursion limit.

    Such strings are valid JSON but not valid Unicode: no database can store them. Refusing them here, for
    every endpoint, turns what would be a database error into ``400 malformed_json``.
    """

    def _raw_load_json(self, req: Any) -> Any:
        try:
            data = super()._raw_load_json(req)
        except RecursionError:  # ``[[[[…`` nested deeper than the interpreter's stack: hostile, not a 500
            raise json.JSONDecodeError("nested too deeply", "<body>", 0) from None
        if data is not webargs_core.missing:
            try:
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError as exc:
                raise json.JSONDecodeError("lone surrogate in a string", "<body>", exc.start) from exc
        return data


class EmptyBodySchema(Schema):
    """空请求体: what an action without parameters accepts (nothing, or ``{}``); any field is unknown (422)."""

    class Meta:
        unknown = RAISE


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint plus ``login_required`` and ``errors`` (documented error responses).

    Every POST, PUT and PATCH view validates its body: one declared with ``arguments``, or else the strict empty
    body of ``EmptyBodySchema`` (added when the route is registered), so a body no view reads is refused, not
    ignored.
    """

    ARGUMENTS_PARSER = JsonParser()
    BODY_LOCATIONS = frozenset({"json", "form", "files", "multipart", "json_or_form"})

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Any = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        methods = {method.upper() for method in options.get("methods") or ()}
        if view_func is not None and methods & WRITE_METHODS and not self._has_body(view_func):
            view_func = self._empty_body(view_func)
        return super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)

    def _has_body(self, view_func: Any) -> bool:
        parameters = getattr(view_func, "_apidoc", {}).get("arguments", {}).get("parameters", [])
        return any(parameter.get("in") in self.BODY_LOCATIONS for parameter in parameters)

    def _empty_body(self, view_func: Any) -> Any:
        """Refuse any body but nothing or ``{}`` before the view runs (after its sign-in check: 401 first)."""
        schema = EmptyBodySchema()
        signed_in_only = getattr(view_func, "_login_required", False)

        @functools.wraps(view_func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = g.get("actor")
            if not signed_in_only or (actor is not None and actor.is_authenticated):
                self.ARGUMENTS_PARSER.parse(schema, location="json")
            return view_func(*args, **kwargs)

        apidoc = wrapper._apidoc = dict(getattr(view_func, "_apidoc", {}))  # type: ignore[attr-defined]
        arguments = apidoc["arguments"] = {"parameters": [{"in": "json", "required": False, "schema": EmptyBodySchema}]}
        arguments["responses"] = {status: HTTPStatus(status).name for status in (400, 413, 422)}
        return wrapper

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        """As flask-smorest's, and a request body also documents 400 (malformed) and 413 (too large)."""
        decorator = super().arguments(schema, location=location, **kwargs)
        if location not in self.BODY_LOCATIONS:
            return decorator

        def wrap(func: Any) -> Any:
            func = decorator(func)
            responses = func._apidoc["arguments"].setdefault("responses", {})
            for status in (400, 413):
                responses[status] = HTTPStatus(status).name
            return func

        return wrap

    def errors(self, *statuses: int) -> Any:
        """Document the error responses a view can give, each in the ``{code, message, errors}`` envelope."""

        def decorator(func: Any) -> Any:
            for status in statuses:
                func = self.alt_response(status, response=HTTPStatus(status).name)(func)
            return func

        return decorator

    def login_required(self, func: Any) -> Any:
        """Refuse anonymous callers with 401; documents the bearer token and the 401 response."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = g.get("actor")
            if actor is None or not actor.is_authenticated:
                raise g.get("auth_error") or Unauthenticated()
            return func(*args, **kwargs)

        wrapper._login_required = True  # type: ignore[attr-defined]
        wrapper = self.doc(security=[{"bearerAuth": []}])(wrapper)
        return self.alt_response(401, response="UNAUTHORIZED")(wrapper)
