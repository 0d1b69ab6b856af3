"""Endpoints of courses."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("courses", __name__, url_prefix="/api/v1", description="家长学校 (parent school courses)")
