"""Endpoints of venues: offerings and slots, family and group bookings, staff decisions, check-in, policy."""

import sqlalchemy as sa

from jlt_family.auth.context import current_actor
from jlt_family.core import ratelimit
from jlt_family.core.audit import audit_read
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import ErrorSchema, page_of
from jlt_family.organizations.permissions import administers_alliance, alliance_or_404
from jlt_family.venues import closures, eligibility, jobs, presenters, queries, schemas, service, slots
from jlt_family.venues.models import Booking, Closure, VenuePolicy
from jlt_family.venues.permissions import (
    administers_suspension,
    booking_or_404,
    closure_or_404,
    offering_or_404,
    owns_booking,
    require,
    slot_or_404,
    staffed_unit_or_404,
    staffs_unit,
    suspension_or_404,
)

blp = Blueprint("venues", __name__, url_prefix="/api/v1", description="场馆预约 (venue bookings)")


def _family_id_or_404(actor):
    if actor.family_id is None:
        raise NotFound("您还没有加入家庭，请先绑定孩子", code="family_not_found")
    return actor.family_id


# ---- offerings and slots (everyone signed in) ---------------------------------------------------------------------


@blp.route("/venue-offerings", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VenueOfferingArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueOfferingSchema))
@blp.errors(422)
def list_offerings(args):
    """场馆开放项目: a guardian sees those of their children's alliances (``all=true`` for every one)."""
    actor = current_actor()
    green = eligibility.family_alliance_ids(actor.family_id)
    result = paginate(queries.offerings(actor, args, green), args["page"], args["page_size"])
    return present_page(result, lambda offering: presenters.offering_out(offering, green))


@blp.route("/venue-offerings/<id:offering_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VenueOfferingSchema)
@blp.errors(404)
def get_offering(offering_id):
    """开放项目详情, with whether the caller's family may use the green channel."""
    actor = current_actor()
    offering = offering_or_404(actor, offering_id)
    return presenters.offering_out(offering, eligibility.family_alliance_ids(actor.family_id))


@blp.route("/venue-offerings/<id:offering_id>/slots", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VenueSlotArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueSlotSchema))
@blp.errors(404, 422)
def list_slots(args, offering_id):
    """场次: places left per channel, and whether the caller's family is green-eligible there."""
    actor = current_actor()
    offering = offering_or_404(actor, offering_id)
    unit_alliances = eligibility.unit_alliance_ids(offering.resource_unit_id)
    green = bool(unit_alliances & eligibility.family_alliance_ids(actor.family_id))
    green = green and eligibility.suspension_in_force(actor.family_id) is None
    result = paginate(queries.slots(offering, args), args["page"], args["page_size"])
    return present_page(result, lambda slot: presenters.slot_out(slot, green))


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
    booking = service.book_for_family(actor, slot, **data)
    db.session.commit()
    return presenters.booking_out(booking)


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
    from jlt_family.organizations.models import SchoolClass

    actor = current_actor()
    school_class = db.session.get(SchoolClass, data.pop("class_id"))
    if school_class is None or school_class.id not in actor.taught_class_ids:
        raise NotFound("未找到该班级", code="class_not_found")
    slot = slot_or_404(actor, slot_id)
    booking = service.book_for_class(actor, slot, school_class=school_class, **data)
    db.session.commit()
    return presenters.booking_out(booking)


@blp.route("/venue-bookings", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VenueBookingArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueBookingSchema))
@blp.errors(422)
def list_my_bookings(args):
    """我的预约: the family's bookings and the groups I booked, newest first."""
    stmt = queries.my_bookings(current_actor(), args.get("status"))
    return present_page(paginate(stmt, args["page"], args["page_size"]), presenters.booking_out)


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
    return presenters.booking_out(booking)


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
        service.cancel_by_booker(booking, actor, data["reason"])
    else:
        service.cancel_by_staff(booking, actor, data["reason"])
    db.session.commit()
    return presenters.booking_out(booking)


# ---- the family's green channel ---------------------------------------------------------------------------------


@blp.route("/venue-green-channel", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VenueGreenChannelSchema)
@blp.errors(404)
def my_green_channel():
    """我的绿色通道: the alliances that make the family eligible, and a suspension (why, until when)."""
    family_id = _family_id_or_404(current_actor())
    suspension = eligibility.suspension_in_force(family_id)
    return {
        "eligible_alliance_ids": sorted(eligibility.family_alliance_ids(family_id)),
        "suspended": suspension is not None,
        "suspended_until": suspension.ends_at if suspension else None,
        "reason": suspension.reason if suspension else None,
    }


# ---- venue staff: offerings, rules, closures --------------------------------------------------------------------


@blp.route("/resource-units/<id:unit_id>/venue-offerings", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.VenueOfferingInputSchema)
@blp.response(201, schemas.VenueOfferingSchema)
@blp.errors(404, 409, 422)
def create_offering(data, unit_id):
    """发布开放项目 (venue staff of the unit)."""
    unit = staffed_unit_or_404(current_actor(), unit_id)
    offering = service.create_offering(unit, **data)
    db.session.commit()
    return presenters.offering_out(offering)


def _managed_offering(offering_id):
    actor = current_actor()
    offering = offering_or_404(actor, offering_id)
    require(staffs_unit(actor, offering.resource_unit_id))
    return offering


@blp.route("/venue-offerings/<id:offering_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.VenueOfferingUpdateSchema(partial=True))
@blp.response(200, schemas.VenueOfferingSchema)
@blp.errors(403, 404, 409, 422)
def update_offering(data, offering_id):
    """修改开放项目; unbooked future slots follow the change, booked ones stay as they are."""
    offering = service.update_offering(_managed_offering(offering_id), **data)
    slots.generate_slots(offering)
    db.session.commit()
    return presenters.offering_out(offering)


@blp.route("/venue-offerings/<id:offering_id>/rules", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.VenueRulesInputSchema)
@blp.response(200, schemas.VenueRulesResultSchema)
@blp.errors(403, 404, 409, 422)
def replace_rules(data, offering_id):
    """设置每周开放规则 and regenerate the slots of the horizon (slots with bookings are never disturbed)."""
    offering = _managed_offering(offering_id)
    service.replace_rules(offering, _unique_rules(data["rules"]))
    added = slots.generate_slots(offering)
    db.session.commit()
    return {"rules": [presenters.rule_out(rule) for rule in offering.rules], "slots_added": added}


def _unique_rules(rules):
    return list({(rule["weekday"], rule["start_time"]): rule for rule in rules}.values())


@blp.route("/resource-units/<id:unit_id>/venue-closures", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.PageArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueClosureSchema))
@blp.errors(404, 422)
def list_closures(args, unit_id):
    """闭馆安排 of a unit (its staff)."""
    unit = staffed_unit_or_404(current_actor(), unit_id)
    stmt = sa.select(Closure).where(Closure.resource_unit_id == unit.id).order_by(Closure.starts_on.desc())
    return paginate(stmt, args["page"], args["page_size"])


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
    unit = staffed_unit_or_404(actor, unit_id)
    try:
        result = closures.close(unit, actor, **data)
    except closures.ClosureCancelsBookings as exc:
        listed = exc.bookings[:CLOSURE_CONFLICT_LISTED]
        exc.errors = schemas.VenueClosureConflictErrorsSchema().dump(
            {"count": len(exc.bookings), "bookings": [presenters.staff_booking_out(booking) for booking in listed]}
        )
        raise
    db.session.commit()
    closure = result.closure
    body = {
        "id": closure.id,
        "resource_unit_id": closure.resource_unit_id,
        "starts_on": closure.starts_on,
        "ends_on": closure.ends_on,
        "reason": closure.reason,
        "cancelled_booking_ids": [booking.id for booking in result.cancelled],
    }
    return body, 201 if result.created else 200


@blp.route("/venue-closures/<id:closure_id>", methods=["DELETE"])
@blp.login_required
@blp.response(204)
@blp.errors(404)
def delete_closure(closure_id):
    """取消闭馆: the unbooked slots of those days come back (the bookings it cancelled stay cancelled, their slots
    closed)."""
    closures.delete(closure_or_404(current_actor(), closure_id))
    db.session.commit()


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
    return present_page(result, presenters.staff_booking_out)


def _staff_booking(booking_id):
    actor = current_actor()
    booking = booking_or_404(actor, booking_id)
    require(staffs_unit(actor, booking.resource_unit_id), "只有场馆工作人员可以处理预约")
    return actor, booking


@blp.route("/venue-bookings/<id:booking_id>/confirm", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.VenueStaffBookingSchema)
@blp.errors(403, 404, 409)
def confirm_booking(booking_id):
    """确认预约 (venue staff; 409 booking_already_decided once decided)."""
    actor, booking = _staff_booking(booking_id)
    service.confirm(booking, actor)
    db.session.commit()
    return presenters.staff_booking_out(booking)


@blp.route("/venue-bookings/<id:booking_id>/reject", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.VenueReasonSchema)
@blp.response(200, schemas.VenueStaffBookingSchema)
@blp.errors(403, 404, 409, 422)
def reject_booking(data, booking_id):
    """拒绝预约 with a reason (venue staff); the places go back at once."""
    actor, booking = _staff_booking(booking_id)
    service.reject(booking, actor, data["reason"])
    db.session.commit()
    return presenters.staff_booking_out(booking)


@blp.route("/venue-slots/<id:slot_id>/cancel", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.VenueReasonSchema)
@blp.response(200, schemas.VenueSlotCancelResultSchema)
@blp.errors(403, 404, 409, 422)
def cancel_slot(data, slot_id):
    """取消场次 (venue staff, e.g. 临时闭馆): the slot closes; its bookings are cancelled and the families told."""
    actor = current_actor()
    slot = slot_or_404(actor, slot_id)
    require(staffs_unit(actor, slot.offering.resource_unit_id), "只有场馆工作人员可以取消场次")
    cancelled = service.cancel_slot(slot, actor, data["reason"])
    db.session.commit()
    return {"slot": presenters.slot_out(slot, False), "cancelled_booking_ids": [b.id for b in cancelled]}


@blp.route("/resource-units/<id:unit_id>/venue-bookings/decide", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.VenueBulkDecisionSchema)
@blp.response(200, schemas.VenueBulkResultSchema)
@blp.errors(404, 422)
def decide_bookings(data, unit_id):
    """批量确认/拒绝: each booking on its own; the result per id (``ok`` or an error code)."""
    actor = current_actor()
    unit = staffed_unit_or_404(actor, unit_id)
    ids = sorted(set(data["booking_ids"]))
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.id.in_(ids), Booking.resource_unit_id == unit.id).order_by(Booking.id)
    ).all()
    results = {str(i): "booking_not_found" for i in ids}
    outcomes = service.decide_many(bookings, actor, approve=data["action"] == "confirm", reason=data["reason"])
    results.update({str(i): outcome for i, outcome in outcomes.items()})
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
    code = data["code"].removeprefix("JLT-VENUE:")
    booking = service.check_in(unit.id, code, actor, data["count"])
    db.session.commit()
    return presenters.staff_booking_out(booking)


# ---- alliance policy and green-channel suspensions ----------------------------------------------------------------


@blp.route("/alliances/<id:alliance_id>/venue-policy", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VenuePolicySchema)
@blp.errors(404)
def get_policy(alliance_id):
    """教联体场馆预约规则 (defaults when the alliance has set none)."""
    alliance = alliance_or_404(current_actor(), alliance_id)
    return presenters.policy_out(eligibility.policy_of(alliance.id))


@blp.route("/alliances/<id:alliance_id>/venue-policy", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.VenuePolicySchema)
@blp.response(200, schemas.VenuePolicySchema)
@blp.errors(403, 404, 422)
def put_policy(data, alliance_id):
    """设置场馆预约规则 (the alliance's administrators)."""
    actor = current_actor()
    alliance = alliance_or_404(actor, alliance_id)
    require(administers_alliance(actor, alliance))
    policy = db.session.get(VenuePolicy, alliance.id) or VenuePolicy(alliance_id=alliance.id)
    for name, value in data.items():
        setattr(policy, name, value)
    db.session.add(policy)
    db.session.commit()
    return presenters.policy_out(policy)


@blp.route("/alliances/<id:alliance_id>/green-suspensions", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VenueSuspensionArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueSuspensionSchema))
@blp.errors(404, 422)
def list_suspensions(args, alliance_id):
    """绿色通道暂停名单 of an alliance (its administrators)."""
    actor = current_actor()
    alliance = alliance_or_404(actor, alliance_id)
    if not administers_alliance(actor, alliance):
        raise NotFound("未找到该教联体", code="alliance_not_found")
    result = paginate(queries.suspensions(alliance.id, args["in_force"]), args["page"], args["page_size"])
    return present_page(result, presenters.suspension_out)


@blp.route("/venue-green-suspensions/<id:suspension_id>/lift", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.VenueSuspensionSchema)
@blp.errors(403, 404, 409)
def lift_suspension(suspension_id):
    """解除绿色通道暂停 (the alliance's administrators; 409 when already lifted)."""
    actor = current_actor()
    suspension = suspension_or_404(actor, suspension_id)
    require(administers_suspension(actor, suspension))
    jobs.lift_suspension(suspension, actor)
    db.session.commit()
    return presenters.suspension_out(suspension)


from jlt_family.venues import feedback_routes  # noqa: E402, F401  (registers the venue feedback views on blp)
