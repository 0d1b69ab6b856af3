"""Endpoints of venues: the blueprint with every view module of the package registered on it (one module per
sub-resource)."""

from jlt_family.venues import (  # noqa: F401  (each registers its views on blp)
    booking_routes,
    closure_routes,
    feedback_routes,
    offering_routes,
    policy_routes,
    staff_routes,
)
from jlt_family.venues.blueprint import blp

__all__ = ["blp"]
