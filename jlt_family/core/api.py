"""flask-smorest ``Api`` with the project's error envelope."""

from __future__ import annotations

from flask import Response
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from jlt_family.core.errors import render_http_exception
from jlt_family.core.schemas import ErrorSchema


class JltApi(Api):
    """Api whose HTTP errors use ``{code, message, errors}`` and keep their headers (``Allow`` on 405)."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return render_http_exception(error)
