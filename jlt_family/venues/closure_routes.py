"""Endpoints of a unit's closures (闭馆安排), for its venue staff."""

from collections.abc import Mapping
from typing import Any

from jlt_family.auth.context import Actor, current_actor
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import ErrorSchema, page_of
from jlt_family.organizations.models import ResourceUnit
from jlt_family.venues import closures, queries, schemas
from jlt_family.venues.blueprint import blp
from jlt_family.venues.permissions import closure_or_404, staffed_unit_or_404


@blp.route("/resource-units/<id:unit_id>/venue-closures", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.PageArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueClosureSchema))
@blp.errors(404, 422)
def list_closures(args, unit_id):
    """闭馆安排 of a unit (its staff)."""
    unit = staffed_unit_or_404(current_actor(), unit_id)
    return paginate(queries.unit_closures(unit.id), args["page"], args["page_size"])


CLOSURE_CONFLICT_LISTED = 100  # bookings listed in the 409 (``count`` has them all)
_CLOSURE_CONFLICT = (
    "409 closure_cancels_bookings: the closure would cancel pending or confirmed bookings and ``confirm`` was not "
    "true; nothing was written. ``errors`` is {count, bookings: [VenueStaffBooking]} (the first 100 by id; masked "
    'names, party size, code). Send the same body with "confirm": true to close and cancel them. Other 409s: '
    "idempotency_key_reused, request_in_progress."
)
_CLOSURE_CONFLICT_EXAMPLE = {
    "code": "closure_cancels_bookings",
    "message": "闭馆期间有 1 个待确认或已确认的预约，闭馆将取消这些预约并通知预约人；"
    '确认后请带 "confirm": true 重新提交',
    "errors": {
        "count": 1,
        "bookings": [
            {
                "id": 12,
                "slot_id": 34,
                "starts_at": "2026-10-01T09:30:00+08:00",
                "offering_title": "展厅参观",
                "kind": "family",
                "channel": "green",
                "status": "confirmed",
                "status_label": "已确认",
                "names": ["张*明", "王*"],
                "group": None,
                "headcount": 2,
                "code": "K7M2Q4NX",
                "checked_in_count": None,
            }
        ],
    },
}


@blp.route("/resource-units/<id:unit_id>/venue-closures", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.VenueClosureInputSchema)
@blp.response(201, schemas.VenueClosureResultSchema)
@blp.alt_response(
    200,
    schema=schemas.VenueClosureResultSchema,
    description="重试：同一闭馆（同一单位、日期和原因）已存在，原样返回，不重复取消",
)
@blp.alt_response(409, schema=ErrorSchema, description=_CLOSURE_CONFLICT, example=_CLOSURE_CONFLICT_EXAMPLE)
@blp.errors(404, 422)
def create_closure(data, unit_id):
    """新增闭馆 (e.g. 国庆节): the slots of those days close; their pending and confirmed bookings are cancelled by
    the venue (``cancelled_by_venue``, the closure's reason on each; places and green quota back, reminders
    cancelled, bookers told) once the request confirms it: without ``"confirm": true`` such a closure answers
    409 ``closure_cancels_bookings`` listing them. Unbooked slots of those days go away."""
    actor = current_actor()
    result = _close(staffed_unit_or_404(actor, unit_id), actor, data)
    db.session.commit()
    return result, 201 if result.created else 200


def _close(unit: ResourceUnit, actor: Actor, data: Mapping[str, Any]) -> closures.ClosureResult:
    """``closures.close`` with the bookings of a 409 ``closure_cancels_bookings`` listed as the staff see them."""
    try:
        return closures.close(
            unit,
            actor,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            confirm=data["confirm"],
        )
    except closures.ClosureCancelsBookings as exc:
        listed = {"count": len(exc.bookings), "bookings": exc.bookings[:CLOSURE_CONFLICT_LISTED]}
        exc.errors = schemas.VenueClosureConflictErrorsSchema().dump(listed)
        raise


@blp.route("/venue-closures/<id:closure_id>", methods=["DELETE"])
@blp.login_required
@blp.response(204)
@blp.errors(404)
def delete_closure(closure_id):
    """取消闭馆: the unbooked slots of those days come back (the bookings it cancelled stay cancelled, their slots
    closed)."""
    closures.delete(closure_or_404(current_actor(), closure_id))
    db.session.commit()
