"""Endpoints of the bookers: family and group bookings, my bookings, cancelling, the family's green channel."""

from jlt_family.auth.context import Actor, current_actor
from jlt_family.core import ratelimit
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import page_of
from jlt_family.venues import decisions, eligibility, lifecycle, queries, schemas, service
from jlt_family.venues.blueprint import blp
from jlt_family.venues.permissions import booking_or_404, owns_booking, slot_or_404, taught_class_or_404


def _family_id_or_404(actor: Actor) -> int:
    if actor.family_id is None:
        raise NotFound("您还没有加入家庭，请先绑定孩子", code="family_not_found")
    return actor.family_id


# ---- booking --------------------------------------------------------------------------------------------------


@blp.route("/venue-slots/<id:slot_id>/bookings", methods=["POST"])
@blp.login_required
@ratelimit.per_user("booking", "BOOKING_ATTEMPTS_PER_MINUTE", 60)
@idempotent
@blp.arguments(schemas.VenueFamilyBookingInputSchema)
@blp.response(201, schemas.VenueBookingSchema)
@blp.errors(404, 409, 422, 429)
def book_slot(data, slot_id):
    """家长预约: children of the family + adults, on the green or general channel (Idempotency-Key).

    At most ``BOOKING_ATTEMPTS_PER_MINUTE`` booking and enrolment attempts per user and minute (429).
    """
    actor = current_actor()
    _family_id_or_404(actor)
    slot = slot_or_404(actor, slot_id)
    booking = service.book_for_family(
        actor, slot, channel=data["channel"], child_ids=data["child_ids"], adults=data["adults"]
    )
    db.session.commit()
    return booking


@blp.route("/venue-slots/<id:slot_id>/group-bookings", methods=["POST"])
@blp.login_required
@ratelimit.per_user("booking", "BOOKING_ATTEMPTS_PER_MINUTE", 60)
@idempotent
@blp.arguments(schemas.VenueGroupBookingInputSchema)
@blp.response(201, schemas.VenueBookingSchema)
@blp.errors(404, 409, 422, 429)
def book_group(data, slot_id):
    """教师团体预约 for a class they teach: pupils + chaperones, confirmed by the venue (Idempotency-Key).

    At most ``BOOKING_ATTEMPTS_PER_MINUTE`` booking and enrolment attempts per user and minute (429).
    """
    actor = current_actor()
    group = taught_class_or_404(actor, data["class_id"])
    slot = slot_or_404(actor, slot_id)
    channel, headcount, chaperones = data["channel"], data["headcount"], data["chaperones"]
    booking = service.book_for_class(
        actor, slot, school_class=group, channel=channel, headcount=headcount, chaperones=chaperones
    )
    db.session.commit()
    return booking


@blp.route("/venue-bookings", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VenueBookingArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueBookingSchema))
@blp.errors(422)
def list_my_bookings(args):
    """我的预约: the family's bookings and the groups I booked, newest first."""
    stmt = queries.my_bookings(current_actor(), args.get("status"))
    return paginate(stmt, args["page"], args["page_size"])


@blp.route("/venue-bookings/<id:booking_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VenueBookingSchema)
@blp.errors(404)
def get_booking(booking_id):
    """预约详情 with the booking code and QR payload once confirmed (the booker; staff get the masked view)."""
    actor = current_actor()
    booking = booking_or_404(actor, booking_id)
    if not owns_booking(actor, booking):
        raise NotFound("未找到该预约", code="booking_not_found")
    return booking


@blp.route("/venue-bookings/<id:booking_id>/cancel", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.VenueCancelSchema)
@blp.response(200, schemas.VenueBookingSchema)
@blp.errors(404, 409, 422)
def cancel_booking(data, booking_id):
    """取消预约: the booker before the cancel deadline, or the venue's staff with a reason."""
    actor = current_actor()
    booking = booking_or_404(actor, booking_id)
    if owns_booking(actor, booking):
        decisions.cancel_by_booker(booking, actor, reason=data["reason"])
    else:
        decisions.cancel_by_staff(booking, actor, reason=data["reason"])
    db.session.commit()
    return booking


@blp.route("/venue-bookings/<id:booking_id>/history", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VenueBookingHistorySchema)
@blp.errors(404)
def booking_history(booking_id):
    """预约的状态记录, oldest first: who changed it (null for the system, e.g. an expiry), from and to, and why.

    For the unit's venue staff and the booker (the family's guardians or the teacher who booked the group).
    """
    booking = booking_or_404(current_actor(), booking_id)
    return {"items": lifecycle.booking_history(booking)}


# ---- the family's green channel ---------------------------------------------------------------------------------


@blp.route("/venue-green-channel", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VenueGreenChannelSchema)
@blp.errors(404)
def my_green_channel():
    """我的绿色通道: the alliances that make the family eligible, and a suspension (why, until when)."""
    return eligibility.green_channel(_family_id_or_404(current_actor()))
