"""Endpoints of demand ↔ resource matching (需求清单 ↔ 资源清单): needs, proposals, acceptance, feedback."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import current_actor
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.matching import needs, proposals, schemas, service, views
from jlt_family.matching.models import Need, NeedMatch, NeedMatchBooking
from jlt_family.matching.permissions import (
    accepts_match,
    manages_need,
    need_or_404,
    posts_for_school,
    sees_proposals,
    visible_needs,
)
from jlt_family.organizations.models import School, SchoolClass
from jlt_family.organizations.permissions import require, school_staff_area_or_404
from jlt_family.venues.models import Booking, Slot
from jlt_family.venues.permissions import staffed_unit_or_404

blp = Blueprint("matching", __name__, url_prefix="/api/v1", description="需求对接 (demand ↔ resource matching)")


def _with_match():
    """Loader options: a page of needs with their matches, bookings and courses in a fixed number of queries."""
    booking = selectinload(Need.matches).selectinload(NeedMatch.bookings).selectinload(NeedMatchBooking.booking)
    return (
        selectinload(Need.school),
        selectinload(Need.school_class),
        selectinload(Need.posted_by),
        selectinload(Need.matches).selectinload(NeedMatch.resource_unit),
        selectinload(Need.matches).selectinload(NeedMatch.course),
        selectinload(Need.matches).selectinload(NeedMatch.accepted_by),
        booking.selectinload(Booking.slot).selectinload(Slot.offering),
        booking.selectinload(Booking.school_class).selectinload(SchoolClass.school),
    )


def _reload(need_id):
    return db.session.scalar(
        sa.select(Need).where(Need.id == need_id).options(*_with_match()).execution_options(populate_existing=True)
    )


def _need_out(actor, need):
    """The school side and the administrators above see the need's standing match; a matched unit's staff (who see
    the need only through their unit) see their own unit's match, as venue staff see bookings."""
    if sees_proposals(actor, need):
        return views.NeedView(need)
    return views.NeedView(need, staff_view=True, unit_ids=actor.unit_ids)


@blp.route("/need-topics", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.TopicListSchema)
def list_topics():
    """需求主题 and the unit and offering kinds each is matched with."""
    return {"items": views.topics()}


@blp.route("/schools/<id:school_id>/needs", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.NeedInputSchema)
@blp.response(201, schemas.NeedSchema)
@blp.errors(403, 404, 409, 422)
def post_need(data, school_id):
    """发布需求 (the school's admins; a teacher for a class they teach) (Idempotency-Key)."""
    actor = current_actor()
    school = school_staff_area_or_404(actor, school_id)
    require(posts_for_school(actor, school), "只有本校教师和管理员可以发布需求", "not_school_staff")
    need = needs.post_need(actor, school, class_id=data.pop("class_id"), details=data)
    db.session.commit()
    return views.NeedView(_reload(need.id))


@blp.route("/needs", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.NeedArgsSchema, location="query")
@blp.response(200, page_of(schemas.NeedSchema))
@blp.errors(422)
def list_needs(args):
    """需求清单 I may see: my school's, my classes', my alliance's or region's, newest first."""
    actor = current_actor()
    stmt = sa.select(Need).join(School, School.id == Need.school_id).where(visible_needs(actor))
    for name in ("status", "school_id", "topic"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(Need, name) == args[name])
    stmt = stmt.options(*_with_match()).order_by(Need.created_at.desc(), Need.id.desc())
    return present_page(paginate(stmt, args["page"], args["page_size"]), lambda need: _need_out(actor, need))


@blp.route("/needs/<id:need_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.NeedSchema)
@blp.errors(404)
def get_need(need_id):
    """需求详情 with the accepted match, its bookings' status (as venue staff decide) or course, and the rating."""
    actor = current_actor()
    need = need_or_404(actor, need_id)
    return _need_out(actor, _reload(need.id))


@blp.route("/needs/<id:need_id>/withdraw", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.NeedSchema)
@blp.errors(403, 404, 409)
def withdraw_need(need_id):
    """撤回需求 (open only; the school's admins or the teacher who posted it)."""
    actor = current_actor()
    need = need_or_404(actor, need_id)
    require(manages_need(actor, need), "只有发布人或学校管理员可以撤回需求")
    needs.withdraw(need)
    db.session.commit()
    return views.NeedView(_reload(need.id))


@blp.route("/needs/<id:need_id>/proposals", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(schemas.ProposalSchema))
@blp.errors(403, 404, 422)
def list_proposals(args, need_id):
    """对接建议, ranked: each with why it matches and what limits it, and the first open slots in the period."""
    actor = current_actor()
    need = need_or_404(actor, need_id)
    require(sees_proposals(actor, need), "只有学校和教联体、教育局管理员可以查看对接建议")
    found = proposals.propose(need)
    start = (args["page"] - 1) * args["page_size"]
    return {
        "items": found[start : start + args["page_size"]],
        "page": args["page"],
        "page_size": args["page_size"],
        "total": len(found),
    }


@blp.route("/needs/<id:need_id>/accept", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.AcceptInputSchema)
@blp.response(201, schemas.NeedSchema)
@blp.errors(403, 404, 409, 422)
def accept_proposal(data, need_id):
    """采纳建议: a venue offering becomes group booking requests (venue staff confirm them), a course provider a
    draft course. Once per need: a second acceptance answers 409 (Idempotency-Key)."""
    actor = current_actor()
    need = need_or_404(actor, need_id)
    require(accepts_match(actor, need), "只有本校管理员或教联体管理员可以采纳对接建议", "not_need_admin")
    service.accept(actor, need, choice=data)
    db.session.commit()
    return views.NeedView(_reload(need.id))


@blp.route("/needs/<id:need_id>/reopen", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.NeedSchema)
@blp.errors(403, 404, 409)
def reopen_need(need_id):
    """重新对接: when the venue rejected (or the school cancelled) every booking of the match, the need is open
    again for another proposal; the released match stays in the history (the accepting administrators)."""
    actor = current_actor()
    need = need_or_404(actor, need_id)
    require(accepts_match(actor, need), "只有本校管理员或教联体管理员可以重新对接", "not_need_admin")
    service.reopen(need)
    db.session.commit()
    return views.NeedView(_reload(need.id))


@blp.route("/needs/<id:need_id>/feedback", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.FeedbackInputSchema)
@blp.response(201, schemas.NeedSchema)
@blp.errors(403, 404, 409, 422)
def rate_match(data, need_id):
    """评价对接 (1–5, comment) once the activity took place; the unit and the admins read it (Idempotency-Key)."""
    actor = current_actor()
    need = need_or_404(actor, need_id)
    require(manages_need(actor, need), "只有发布人或学校管理员可以评价")
    service.rate(actor, need, rating=data["rating"], comment=data["comment"])
    db.session.commit()
    return views.NeedView(_reload(need.id))


@blp.route("/resource-units/<id:unit_id>/needs", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(schemas.NeedSchema))
@blp.errors(404, 422)
def list_unit_needs(args, unit_id):
    """对接到本单位的需求 (the unit's staff): each with its booking requests and the school's rating."""
    unit = staffed_unit_or_404(current_actor(), unit_id)
    matched = sa.select(NeedMatch.need_id).where(NeedMatch.resource_unit_id == unit.id)
    stmt = (
        sa.select(Need)
        .where(Need.id.in_(matched))
        .options(*_with_match())
        .order_by(Need.created_at.desc(), Need.id.desc())
    )
    return present_page(
        paginate(stmt, args["page"], args["page_size"]),
        lambda need: views.NeedView(need, staff_view=True, unit_ids={unit.id}),
    )
