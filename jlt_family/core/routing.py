"""Blueprint with the project's documentation helpers, and the ``<id:...>`` URL converter."""

import json
from http import HTTPStatus

import flask_smorest
from flask import g
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

    def to_python(self, value):
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0

    def to_url(self, value):
        return str(int(value))


def id_param_schema(converter):
    return {"type": "integer", "format": "int64", "minimum": 1}


class JsonParser(FlaskParser):
    """webargs parser that also refuses JSON whose strings hold lone surrogates (``"\\ud800"``) or that is nested
    deeper than Python's recursion limit.

    Such strings are valid JSON but not valid Unicode: no database can store them. Refusing them here, for
    every endpoint, turns what would be a database error into ``400 malformed_json``.
    """

    def _raw_load_json(self, req):
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


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint plus ``login_required`` and ``errors`` (documented error responses)."""

    ARGUMENTS_PARSER = JsonParser()
    BODY_LOCATIONS = frozenset({"json", "form", "files", "multipart", "json_or_form"})

    def arguments(self, schema, *, location="json", **kwargs):
        """As flask-smorest's, and a request body also documents 400 (malformed) and 413 (too large)."""
        decorator = super().arguments(schema, location=location, **kwargs)
        if location not in self.BODY_LOCATIONS:
            return decorator

        def wrap(func):
            func = decorator(func)
            responses = func._apidoc["arguments"].setdefault("responses", {})
            for status in (400, 413):
                responses[status] = HTTPStatus(status).name
            return func

        return wrap

    def errors(self, *statuses):
        """Document the error responses a view can give, each in the ``{code, message, errors}`` envelope."""

        def decorator(func):
            for status in statuses:
                func = self.alt_response(status, response=HTTPStatus(status).name)(func)
            return func

        return decorator

    def login_required(self, func):
        """Refuse anonymous callers with 401; documents the bearer token and the 401 response."""
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            actor = g.get("actor")
            if actor is None or not actor.is_authenticated:
                raise g.get("auth_error") or Unauthenticated()
            return func(*args, **kwargs)

        wrapper = self.doc(security=[{"bearerAuth": []}])(wrapper)
        return self.alt_response(401, response="UNAUTHORIZED")(wrapper)
