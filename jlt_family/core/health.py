"""Liveness and readiness.

``/healthz`` (进程存活) never touches the database: a GET or HEAD is answered by a WSGI middleware in front of
Flask, before the request hooks (which would read the bearer token's session from the database), so that a
database freeze or a slow query cannot fail the liveness check and get a healthy process restarted.
``/readyz`` (数据库可用) runs ``SELECT 1`` under its own short bound (``DB_READY_TIMEOUT_SECONDS``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
import swagger_ui_bundle
from flask import Flask, Response, jsonify, send_from_directory

from jlt_family.core import dbwaits
from jlt_family.core.extensions import db

ALIVE = json.dumps({"status": "ok"}).encode()


class Liveness:
    """WSGI middleware: ``GET``/``HEAD /healthz`` → 200 ``{"status": "ok"}`` without the app (nor its database)."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response(
                "200 OK",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(ALIVE))),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [] if environ["REQUEST_METHOD"] == "HEAD" else [ALIVE]
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = Liveness(app.wsgi_app)  # type: ignore[method-assign]

    @app.get("/healthz")
    def healthz() -> Response:
        """进程存活 (answered by ``Liveness`` in front of the app; this view documents it in the URL map)."""
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> Response:
        """数据库可用."""
        try:
            dbwaits.use("ready")
            db.session.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            response = jsonify(code="database_unavailable", message="数据库暂时不可用", errors={})
            response.status_code = 503
            return response
        return jsonify(status="ready", database=db.engine.dialect.name)

    @app.get("/api/v1/docs-assets/<path:filename>")
    def swagger_assets(filename: str) -> Response:
        """Swagger UI's files, served locally (nothing is fetched from the internet)."""
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
