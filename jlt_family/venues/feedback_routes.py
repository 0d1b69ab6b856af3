"""场馆评价 endpoints: a guardian rates a checked-in visit; the unit's staff and administrators read the ratings."""

from marshmallow import Schema, fields, validate

from jlt_family.auth.context import Actor, current_actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import PageArgsSchema, ShanghaiDateTime, SmallInt, page_of
from jlt_family.organizations.models import ResourceUnit
from jlt_family.organizations.permissions import administers_unit
from jlt_family.venues import feedback
from jlt_family.venues.blueprint import blp
from jlt_family.venues.permissions import booking_or_404, require, staffs_unit


class VenueFeedbackInSchema(Schema):
    rating = SmallInt(min=1, max=5, required=True, metadata={"description": "1–5 分"})
    comment = fields.String(load_default="", validate=validate.Length(max=500, error="评价内容最多 500 字"))


class VenueFeedbackSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer()
    rating = fields.Integer()
    comment = fields.String()
    created_at = ShanghaiDateTime()


class VenueFeedbackItemSchema(Schema):
    id = fields.Integer()
    rating = fields.Integer()
    comment = fields.String()
    created_at = ShanghaiDateTime()
    offering_title = fields.String()
    visited_at = ShanghaiDateTime()


class VenueFeedbackPageSchema(page_of(VenueFeedbackItemSchema)):  # type: ignore[misc]  # a generated page envelope
    count = fields.Integer(metadata={"description": "评价总数"})
    average = fields.Float(allow_none=True, metadata={"description": "平均分"})


def _feedback_unit_or_404(actor: Actor, unit_id: int) -> ResourceUnit:
    """The unit whose ratings the caller may read: its staff and the administrators above it."""
    unit = db.session.get(ResourceUnit, unit_id)
    if unit is None or not (staffs_unit(actor, unit.id) or administers_unit(actor, unit)):
        raise NotFound("未找到该资源单位", code="resource_unit_not_found")
    return unit


@blp.route("/venue-bookings/<id:booking_id>/feedback", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(VenueFeedbackInSchema)
@blp.response(201, VenueFeedbackSchema)
@blp.errors(403, 404, 409, 422)
def leave_venue_feedback(data, booking_id):
    """场馆评价: a guardian of the family rates a checked-in visit 1–5 with an optional comment, once."""
    actor = current_actor()
    booking = booking_or_404(actor, booking_id)
    require(
        booking.family_id is not None and booking.family_id == actor.family_id,
        "只有预约的家长可以评价",
        "not_booking_family",
    )
    row = feedback.leave_feedback(actor, booking, rating=data["rating"], comment=data["comment"].strip())
    db.session.commit()
    return row


@blp.route("/resource-units/<id:unit_id>/venue-feedback", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, VenueFeedbackPageSchema)
@blp.errors(404, 422)
def list_venue_feedback(args, unit_id):
    """场馆评价列表 of a unit, newest first, with the count and average (its staff and administrators above it;
    anonymous: no names)."""
    unit = _feedback_unit_or_404(current_actor(), unit_id)
    page = paginate(feedback.unit_feedback(unit.id), args["page"], args["page_size"], scalars=False)
    stats = feedback.unit_stats(unit.id)
    return {**page, "count": stats.count, "average": stats.average}
