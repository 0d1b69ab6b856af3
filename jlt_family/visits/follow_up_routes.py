"""后续跟进 endpoints: the caller's own follow-ups (as their owner), and closing or reopening one."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from jlt_family.auth.context import current_actor
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.schemas import page_of
from jlt_family.visits import permissions, presenters, schemas, service
from jlt_family.visits.models import FollowUpAction, FollowUpStatus, HomeVisit, VisitRecord
from jlt_family.visits.routes import blp


@blp.route("/me/visit-follow-ups", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.FollowUpQuerySchema, location="query")
@blp.response(200, page_of(schemas.MyFollowUpSchema))
@blp.errors(422)
def my_follow_ups(args):
    """我的后续跟进: follow-ups I own at schools where I am staff, soonest due first (open ones by default)."""
    actor = current_actor()
    stmt = (
        sa.select(FollowUpAction)
        .join(VisitRecord, VisitRecord.id == FollowUpAction.record_id)
        .join(HomeVisit, HomeVisit.id == VisitRecord.visit_id)
        .where(FollowUpAction.owner_id == actor.user_id, HomeVisit.school_id.in_(actor.staff_school_ids))
        .options(
            joinedload(FollowUpAction.owner),
            joinedload(FollowUpAction.record)
            .joinedload(VisitRecord.visit)
            .options(selectinload(HomeVisit.student), selectinload(HomeVisit.school_class)),
        )
        .order_by(FollowUpAction.due_on, FollowUpAction.id)
    )
    if args["status"] == FollowUpStatus.OPEN:
        stmt = stmt.where(FollowUpAction.done_at.is_(None))
    elif args["status"] == FollowUpStatus.DONE:
        stmt = stmt.where(FollowUpAction.done_at.is_not(None))
    return present_page(paginate(stmt, args["page"], args["page_size"]), presenters.my_follow_up_view)


@blp.route("/visit-follow-ups/<id:follow_up_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.FollowUpPatchSchema)
@blp.response(200, schemas.MyFollowUpSchema)
@blp.errors(400, 403, 404, 422)
def update_follow_up(data, follow_up_id):
    """完成或重新打开后续跟进 (its owner, the class's 班主任 or a school leader)."""
    actor = current_actor()
    follow_up, visit = permissions.follow_up_or_404(actor, follow_up_id)
    permissions.require(
        permissions.may_close_follow_up(actor, follow_up, visit), "仅跟进负责人、班主任或学校领导可操作"
    )
    follow_up = service.set_follow_up_done(actor, follow_up, done=data["done"])
    db.session.commit()
    return presenters.my_follow_up_view(follow_up)
