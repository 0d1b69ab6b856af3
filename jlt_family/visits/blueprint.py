"""The blueprint of home visits (家访); ``routes`` and the route modules beside it add their views to it."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("visits", __name__, url_prefix="/api/v1", description="家访 (home visits)")
