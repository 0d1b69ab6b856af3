"""Liveness and readiness."""

import sqlalchemy as sa
from flask import jsonify, send_from_directory

from jlt_family.core.extensions import db


def init_app(app):
    @app.get("/healthz")
    def healthz():
        """进程存活."""
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        """数据库可用."""
        try:
            db.session.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            response = jsonify(code="database_unavailable", message="数据库暂时不可用", errors={})
            response.status_code = 503
            return response
        return jsonify(status="ready", database=db.engine.dialect.name)

    import swagger_ui_bundle

    @app.get("/api/v1/docs-assets/<path:filename>")
    def swagger_assets(filename):
        """Swagger UI's files, served locally (nothing is fetched from the internet)."""
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
