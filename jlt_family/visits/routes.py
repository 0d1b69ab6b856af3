"""Endpoints of visits."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("visits", __name__, url_prefix="/api/v1", description="家访 (home visits)")
