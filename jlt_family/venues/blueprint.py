"""The venues blueprint, on which every venue view module registers its views (``venues.routes`` loads them)."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("venues", __name__, url_prefix="/api/v1", description="场馆预约 (venue bookings)")
