"""Endpoints of venues: the blueprint; the views live in one module per sub-resource, registered on it below."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("venues", __name__, url_prefix="/api/v1", description="场馆预约 (venue bookings)")

# The views register themselves on blp when imported.
from jlt_family.venues import (  # noqa: E402, F401
    booking_routes,
    closure_routes,
    feedback_routes,
    offering_routes,
    policy_routes,
    staff_routes,
)
