"""后续跟进 endpoints: the caller's own follow-ups (as their owner), and closing or reopening one."""

from typing import Any

from jlt_family.auth.context import current_actor
from jlt_family.core.extensions import db
from jlt_family.core.schemas import page_of
from jlt_family.visits import permissions, reading, records, schemas
from jlt_family.visits.blueprint import blp
from jlt_family.visits.models import FollowUpAction


@blp.route("/me/visit-follow-ups", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.FollowUpQuerySchema, location="query")
@blp.response(200, page_of(schemas.MyFollowUpSchema))
@blp.errors(422)
def my_follow_ups(args: dict[str, Any]) -> dict[str, Any]:
    """我的后续跟进: follow-ups I own at schools where I am staff, soonest due first (open ones by default)."""
    return reading.my_follow_ups(current_actor(), status=args["status"], page=args["page"], page_size=args["page_size"])


@blp.route("/visit-follow-ups/<id:follow_up_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.FollowUpPatchSchema)
@blp.response(200, schemas.MyFollowUpSchema)
@blp.errors(400, 403, 404, 422)
def update_follow_up(data: dict[str, Any], follow_up_id: int) -> FollowUpAction:
    """完成或重新打开后续跟进 (its owner, the class's 班主任 or a school leader)."""
    actor = current_actor()
    follow_up, visit = permissions.follow_up_or_404(actor, follow_up_id)
    permissions.require(
        permissions.may_close_follow_up(actor, follow_up, visit), "仅跟进负责人、班主任或学校领导可操作"
    )
    follow_up = records.set_follow_up_done(actor, follow_up, done=data["done"])
    db.session.commit()
    return follow_up
