"""Regions, alliances, schools, classes, resource units and staff roles."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("organizations", __name__, url_prefix="/api/v1", description="组织机构 (regions, alliances, schools)")
