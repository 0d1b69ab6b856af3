"""Endpoints of the venue staff's booking desk: the unit's bookings, decisions, slot cancellation, check-in."""

from jlt_family.auth.context import current_actor
from jlt_family.core.audit import audit_read
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import page_of
from jlt_family.venues import decisions, queries, schemas
from jlt_family.venues.blueprint import blp
from jlt_family.venues.permissions import managed_booking_or_404, managed_slot_or_404, staffed_unit_or_404
from jlt_family.venues.views import SlotCancellation, SlotView

# ---- venue staff: bookings and check-in --------------------------------------------------------------------------


@blp.route("/resource-units/<id:unit_id>/venue-bookings", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VenueStaffBookingArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueStaffBookingSchema))
@blp.errors(404, 422)
def list_unit_bookings(args, unit_id):
    """场馆预约单 per slot (today's and upcoming, or one day): masked names, party size and code only."""
    unit = staffed_unit_or_404(current_actor(), unit_id)
    result = paginate(queries.unit_bookings(unit.id, args), args["page"], args["page_size"])
    audit_read(current_actor(), "read_venue_bookings", "resource_unit", unit.id, result, within=unit, query=args)
    return result


@blp.route("/venue-bookings/<id:booking_id>/confirm", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.VenueStaffBookingSchema)
@blp.errors(403, 404, 409)
def confirm_booking(booking_id):
    """确认预约 (venue staff; 409 booking_already_decided once decided)."""
    actor = current_actor()
    booking = decisions.confirm(managed_booking_or_404(actor, booking_id), actor)
    db.session.commit()
    return booking


@blp.route("/venue-bookings/<id:booking_id>/reject", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.VenueReasonSchema)
@blp.response(200, schemas.VenueStaffBookingSchema)
@blp.errors(403, 404, 409, 422)
def reject_booking(data, booking_id):
    """拒绝预约 with a reason (venue staff); the places go back at once."""
    actor = current_actor()
    booking = decisions.reject(managed_booking_or_404(actor, booking_id), actor, reason=data["reason"])
    db.session.commit()
    return booking


@blp.route("/venue-slots/<id:slot_id>/cancel", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.VenueReasonSchema)
@blp.response(200, schemas.VenueSlotCancelResultSchema)
@blp.errors(403, 404, 409, 422)
def cancel_slot(data, slot_id):
    """取消场次 (venue staff, e.g. 临时闭馆): the slot closes; its bookings are cancelled and the families told."""
    actor = current_actor()
    slot = managed_slot_or_404(actor, slot_id)
    cancelled = decisions.cancel_slot(slot, actor, reason=data["reason"])
    db.session.commit()
    return SlotCancellation(slot=SlotView(slot), cancelled=cancelled)


@blp.route("/resource-units/<id:unit_id>/venue-bookings/decide", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.VenueBulkDecisionSchema)
@blp.response(200, schemas.VenueBulkResultSchema)
@blp.errors(404, 422)
def decide_bookings(data, unit_id):
    """批量确认/拒绝: each booking on its own; the result per id (``ok`` or an error code)."""
    actor = current_actor()
    unit = staffed_unit_or_404(actor, unit_id)
    results = decisions.decide_many(
        unit.id, actor, booking_ids=data["booking_ids"], approve=data["action"] == "confirm", reason=data["reason"]
    )
    db.session.commit()
    return {"results": results}


@blp.route("/resource-units/<id:unit_id>/venue-check-in", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.VenueCheckInSchema)
@blp.response(200, schemas.VenueStaffBookingSchema)
@blp.errors(404, 409, 422)
def check_in(data, unit_id):
    """核销: verify a booking code at the door (a wrong code 404, a used one 409); a group may check in fewer."""
    actor = current_actor()
    unit = staffed_unit_or_404(actor, unit_id)
    booking = decisions.check_in(unit.id, actor, code=data["code"], count=data["count"])
    db.session.commit()
    return booking
