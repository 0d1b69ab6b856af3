"""Family, children, binding requests, family invites and care entrustments."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("families", __name__, url_prefix="/api/v1", description="家庭与子女 (families and children)")
