"""Endpoints of home visits (家访): proposals, answers, scheduling, records, feedback, coverage, calendar feed."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import current_actor
from jlt_family.core.audit import audit, audit_read
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import page_of
from jlt_family.organizations.students import Student
from jlt_family.visits import permissions, presenters, schemas, service
from jlt_family.visits.models import HomeVisit, Side, VisitParticipant, VisitRecord
from jlt_family.visits.permissions import require_side, require_visit_staff

blp = Blueprint("visits", __name__, url_prefix="/api/v1", description="家访 (home visits)")

_FAMILY_ONLY = "此操作由家长完成"
_STAFF_ONLY = "此操作由老师完成"


def visible_visits(actor):
    """A WHERE clause narrowing visits to those the caller takes part in, as staff or as family."""
    mine = sa.select(VisitParticipant.visit_id).where(VisitParticipant.user_id == actor.user_id)
    family_students = sa.select(Student.id).where(Student.family_id == actor.family_id)
    return sa.or_(
        sa.and_(HomeVisit.class_id.in_(actor.taught_class_ids), HomeVisit.school_id.in_(actor.staff_school_ids)),
        HomeVisit.school_id.in_(actor.admin_school_ids),
        sa.and_(HomeVisit.id.in_(mine), HomeVisit.school_id.in_(actor.staff_school_ids)),
        sa.and_(sa.literal(actor.family_id is not None), HomeVisit.student_id.in_(family_students)),
    )


_LIST_LOADS = (
    selectinload(HomeVisit.student),
    selectinload(HomeVisit.school_class),
    selectinload(HomeVisit.windows),
    selectinload(HomeVisit.participants).selectinload(VisitParticipant.user),
)


@blp.route("/visits", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.VisitProposeSchema)
@blp.response(201, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def propose_visit(data):
    """发起家访: a teacher of the class or a school leader offers 1–3 time windows to the family."""
    actor = current_actor()
    student = service.student_for_proposal(actor, data.pop("student_id"))
    visit = service.propose_visit(actor, student, **data)
    db.session.commit()
    return presenters.visit_view(visit, Side.STAFF)


@blp.route("/visits", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VisitQuerySchema, location="query")
@blp.response(200, page_of(schemas.VisitSchema))
@blp.errors(422)
def list_visits(args):
    """我的家访 (teachers: their classes' and their own; families: their children's), newest first."""
    actor = current_actor()
    stmt = sa.select(HomeVisit).where(visible_visits(actor)).options(*_LIST_LOADS).order_by(HomeVisit.id.desc())
    for name in ("state", "awaiting", "student_id", "class_id"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(HomeVisit, name) == args[name])
    result = paginate(stmt, args["page"], args["page_size"])
    if actor.staff_school_ids:
        audit_read(
            actor,
            "read_visits",
            "home_visit",
            None,
            result,
            query=args,
            per_school=lambda visit: visit.school_id if permissions.side_of(actor, visit) == Side.STAFF else None,
        )
    return present_page(result, lambda visit: presenters.visit_view(visit, permissions.side_of(actor, visit)))


@blp.route("/visits/<id:visit_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VisitDetailSchema)
@blp.errors(404)
def get_visit(visit_id):
    """家访详情: history, record, feedback; notes and the home address only where allowed (audit-logged)."""
    actor = current_actor()
    visit, side = permissions.visit_or_404(actor, visit_id)
    with_notes = side == Side.STAFF and permissions.sees_notes(actor, visit) and visit.record is not None
    with_address = side == Side.STAFF and permissions.sees_address(actor, visit)
    if with_notes:
        audit(actor, "read_visit_notes", "home_visit", visit.id, school_id=visit.school_id, student_id=visit.student_id)
    if with_address:
        audit(
            actor, "read_home_address", "home_visit", visit.id, school_id=visit.school_id, student_id=visit.student_id
        )
    if side == Side.STAFF:
        audit_read(
            actor,
            "read_visit",
            "home_visit",
            visit.id,
            1,
            school_id=visit.school_id,
            student_id=visit.student_id,
            notes=with_notes,
            home_address=with_address,
        )
    view = presenters.detail_view(visit, side, with_notes=with_notes, with_address=with_address)
    db.session.commit()
    return view


def _answer(visit_id, wanted=None, message=""):
    """The caller, the visit and their side; 403 for staff the visit neither names nor is the 班主任 of."""
    actor = current_actor()
    visit, side = permissions.visit_or_404(actor, visit_id)
    if wanted is not None:
        require_side(side, wanted, message)
    require_visit_staff(actor, visit, side)
    return actor, visit, side


def _done(visit, side):
    db.session.commit()
    return presenters.visit_view(visit, side)


@blp.route("/visits/<id:visit_id>/accept", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.AcceptSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def accept_visit(data, visit_id):
    """接受时段: the family takes a teacher's window, or a teacher takes the family's suggestion (→ scheduled)."""
    actor, visit, side = _answer(visit_id)
    visit = service.accept_window(actor, visit, side, data["window_id"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/suggest", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.SuggestSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def suggest_time(data, visit_id):
    """家长另提时间: the family suggests one window of their own; the teacher answers next."""
    actor, visit, side = _answer(visit_id, Side.FAMILY, _FAMILY_ONLY)
    visit = service.suggest_time(actor, visit, **data)
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/windows", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.ReproposeSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def repropose_visit(data, visit_id):
    """教师给出新时段 (answering a family's suggestion, or revising the offer); replaces the windows on offer."""
    actor, visit, side = _answer(visit_id, Side.STAFF, _STAFF_ONLY)
    visit = service.repropose(actor, visit, **data)
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/decline", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def decline_visit(data, visit_id):
    """家长婉拒家访, with a reason."""
    actor, visit, side = _answer(visit_id, Side.FAMILY, _FAMILY_ONLY)
    visit = service.decline(actor, visit, data["reason"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/cancel", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def cancel_visit(data, visit_id):
    """取消家访 (either side, proposed or scheduled), with a reason."""
    actor, visit, side = _answer(visit_id)
    visit = service.cancel(actor, visit, side, data["reason"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/move", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.MoveSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def move_visit(data, visit_id):
    """家访改期 (scheduled): the visit's teachers move it at once (checked against their other visits); a family's
    move is a counter-proposal (改期申请) the teachers accept or decline, the visit keeping its time meanwhile."""
    actor, visit, side = _answer(visit_id)
    if side == Side.FAMILY:
        visit = service.request_move(actor, visit, **data)
    else:
        visit = service.move(actor, visit, side, **data)
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/move-request/accept", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.VisitSchema)
@blp.errors(403, 404, 409, 422)
def accept_move_request(visit_id):
    """同意改期: a teacher of the visit takes the family's counter-proposal (409 ``staff_busy`` if it clashes)."""
    actor, visit, side = _answer(visit_id, Side.STAFF, _STAFF_ONLY)
    visit = service.accept_move(actor, visit)
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/move-request/decline", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def decline_move_request(data, visit_id):
    """不同意改期: a teacher of the visit declines the family's counter-proposal, with a reason; the time stays."""
    actor, visit, side = _answer(visit_id, Side.STAFF, _STAFF_ONLY)
    visit = service.decline_move(actor, visit, data["reason"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/record", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.RecordSchema)
@blp.response(201, schemas.RecordOutSchema)
@blp.errors(400, 403, 404, 409, 422)
def record_visit(data, visit_id):
    """记录家访 (the visit's teachers, or the class's 班主任 for them): notes, topics, follow-ups with their owners;
    the visit is completed and dated by ``visited_at`` (within 7 days of the agreed time)."""
    actor, visit, side = _answer(visit_id, Side.STAFF, _STAFF_ONLY)
    visit = service.record_visit(actor, visit, **data)
    db.session.commit()
    return presenters.record_view(db.session.get(VisitRecord, visit.record.id), with_notes=True)


@blp.route("/visits/<id:visit_id>/feedback", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.FeedbackInSchema)
@blp.response(201, schemas.FeedbackOutSchema)
@blp.errors(400, 403, 404, 409, 422)
def add_feedback(data, visit_id):
    """家长反馈 on a completed visit: rating 1–5 and a comment (once per visit)."""
    actor, visit, _side = _answer(visit_id, Side.FAMILY, _FAMILY_ONLY)
    feedback = service.add_feedback(actor, visit, **data)
    db.session.commit()
    return presenters.feedback_view(feedback)


# Coverage, calendar feed and settings, follow-ups live in their own route modules on this blueprint.
from jlt_family.visits import coverage_routes, feed_routes, follow_up_routes  # noqa: E402, F401
