"""flask-smorest ``Api`` with the project's error envelope."""

from flask_smorest import Api

from jlt_family.core.errors import render_http_exception
from jlt_family.core.schemas import ErrorSchema


class JltApi(Api):
    """Api whose HTTP errors use ``{code, message, errors}`` and keep their headers (``Allow`` on 405)."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return render_http_exception(error)
