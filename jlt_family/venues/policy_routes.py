"""Endpoints of an alliance's venue policy and its green-channel suspensions."""

from jlt_family.auth.context import current_actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import page_of
from jlt_family.organizations.permissions import administers_alliance, alliance_or_404
from jlt_family.venues import eligibility, jobs, queries, schemas
from jlt_family.venues.blueprint import blp
from jlt_family.venues.permissions import administers_suspension, require, suspension_or_404

# ---- alliance policy and green-channel suspensions ----------------------------------------------------------------


@blp.route("/alliances/<id:alliance_id>/venue-policy", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VenuePolicySchema)
@blp.errors(404)
def get_policy(alliance_id):
    """教联体场馆预约规则 (defaults when the alliance has set none)."""
    alliance = alliance_or_404(current_actor(), alliance_id)
    return eligibility.policy_of(alliance.id)


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
    policy = eligibility.set_policy(
        alliance.id,
        max_active_bookings=data["max_active_bookings"],
        no_show_limit=data["no_show_limit"],
        no_show_window_days=data["no_show_window_days"],
        suspension_days=data["suspension_days"],
    )
    db.session.commit()
    return policy


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
    return result


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
    return suspension
