"""Endpoints of venue offerings: offerings and their slots for everyone; the unit's staff publish and change them."""

from jlt_family.auth.context import current_actor
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.schemas import page_of
from jlt_family.venues import eligibility, offerings, queries, schemas
from jlt_family.venues.blueprint import blp
from jlt_family.venues.permissions import managed_offering_or_404, offering_or_404, staffed_unit_or_404
from jlt_family.venues.views import OfferingView, SlotView

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
    return present_page(result, lambda offering: OfferingView(offering, green))


@blp.route("/venue-offerings/<id:offering_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VenueOfferingSchema)
@blp.errors(404)
def get_offering(offering_id):
    """开放项目详情, with whether the caller's family may use the green channel."""
    actor = current_actor()
    offering = offering_or_404(actor, offering_id)
    return OfferingView(offering, eligibility.family_alliance_ids(actor.family_id))


@blp.route("/venue-offerings/<id:offering_id>/slots", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VenueSlotArgsSchema, location="query")
@blp.response(200, page_of(schemas.VenueSlotSchema))
@blp.errors(404, 422)
def list_slots(args, offering_id):
    """场次: places left per channel, and whether the caller's family is green-eligible there."""
    actor = current_actor()
    offering = offering_or_404(actor, offering_id)
    green = eligibility.green_at_unit(actor.family_id, offering.resource_unit_id)
    result = paginate(queries.slots(offering, args), args["page"], args["page_size"])
    return present_page(result, lambda slot: SlotView(slot, green))


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
    offering = offerings.create_offering(unit, fields=data)
    db.session.commit()
    return OfferingView(offering)


@blp.route("/venue-offerings/<id:offering_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.VenueOfferingUpdateSchema(partial=True))
@blp.response(200, schemas.VenueOfferingSchema)
@blp.errors(403, 404, 409, 422)
def update_offering(data, offering_id):
    """修改开放项目; unbooked future slots follow the change, booked ones stay as they are."""
    offering = offerings.update_offering(managed_offering_or_404(current_actor(), offering_id), changes=data)
    db.session.commit()
    return OfferingView(offering)


@blp.route("/venue-offerings/<id:offering_id>/rules", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.VenueRulesInputSchema)
@blp.response(200, schemas.VenueRulesResultSchema)
@blp.errors(403, 404, 409, 422)
def replace_rules(data, offering_id):
    """设置每周开放规则 and regenerate the slots of the horizon (slots with bookings are never disturbed)."""
    result = offerings.replace_rules(managed_offering_or_404(current_actor(), offering_id), data["rules"])
    db.session.commit()
    return result
