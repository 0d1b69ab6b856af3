"""Endpoints of venues."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("venues", __name__, url_prefix="/api/v1", description="场馆预约 (venue bookings)")
