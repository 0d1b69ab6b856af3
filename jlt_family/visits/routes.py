"""Endpoints of home visits (家访): proposals, answers, scheduling, records, feedback, coverage, calendar feed."""

from typing import Any

from jlt_family.auth.context import Actor, current_actor
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.schemas import page_of
from jlt_family.visits import permissions, reading, records, schemas, service
from jlt_family.visits.blueprint import blp
from jlt_family.visits.models import HomeVisit, Side, VisitFeedback, VisitRecord
from jlt_family.visits.permissions import require_side, require_visit_staff
from jlt_family.visits.reading import SeenVisit

_FAMILY_ONLY = "此操作由家长完成"
_STAFF_ONLY = "此操作由老师完成"


@blp.route("/visits", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.VisitProposeSchema)
@blp.response(201, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def propose_visit(data: dict[str, Any]) -> SeenVisit:
    """发起家访: a teacher of the class or a school leader offers 1–3 time windows to the family."""
    actor = current_actor()
    visit = service.propose_visit(
        actor,
        service.student_for_proposal(actor, data["student_id"]),
        mode=data["mode"],
        purpose=data["purpose"],
        note_to_family=data["note_to_family"],
        windows=data["windows"],
        staff_ids=data["staff_ids"],
    )
    return _done(visit, Side.STAFF)


@blp.route("/visits", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.VisitQuerySchema, location="query")
@blp.response(200, page_of(schemas.VisitSchema))
@blp.errors(422)
def list_visits(args: dict[str, Any]) -> dict[str, Any]:
    """我的家访 (teachers: their classes' and their own; families: their children's), newest first."""
    return reading.list_visits(
        current_actor(),
        state=args.get("state"),
        awaiting=args.get("awaiting"),
        student_id=args.get("student_id"),
        class_id=args.get("class_id"),
        page=args["page"],
        page_size=args["page_size"],
        query=args,
    )


@blp.route("/visits/<id:visit_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.VisitDetailSchema)
@blp.errors(404)
def get_visit(visit_id: int) -> SeenVisit:
    """家访详情: history, record, feedback; notes and the home address only where allowed (audit-logged)."""
    seen = reading.read_visit(current_actor(), visit_id)
    db.session.commit()
    return seen


def _answer(visit_id: int, wanted: Side | None = None, message: str = "") -> tuple[Actor, HomeVisit, Side]:
    """The caller, the visit and their side; 403 for staff the visit neither names nor is the 班主任 of."""
    actor = current_actor()
    visit, side = permissions.visit_or_404(actor, visit_id)
    if wanted is not None:
        require_side(side, wanted, message)
    require_visit_staff(actor, visit, side)
    return actor, visit, side


def _done(visit: HomeVisit, side: Side) -> SeenVisit:
    db.session.commit()
    return SeenVisit(visit, side)


@blp.route("/visits/<id:visit_id>/accept", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.AcceptSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def accept_visit(data: dict[str, Any], visit_id: int) -> SeenVisit:
    """接受时段: the family takes a teacher's window, or a teacher takes the family's suggestion (→ scheduled)."""
    actor, visit, side = _answer(visit_id)
    visit = service.accept_window(actor, visit, side, window_id=data["window_id"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/suggest", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.SuggestSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def suggest_time(data: dict[str, Any], visit_id: int) -> SeenVisit:
    """家长另提时间: the family suggests one window of their own; the teacher answers next."""
    actor, visit, side = _answer(visit_id, Side.FAMILY, _FAMILY_ONLY)
    visit = service.suggest_time(actor, visit, starts_at=data["starts_at"], ends_at=data["ends_at"], note=data["note"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/windows", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.ReproposeSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def repropose_visit(data: dict[str, Any], visit_id: int) -> SeenVisit:
    """教师给出新时段 (answering a family's suggestion, or revising the offer); replaces the windows on offer."""
    actor, visit, side = _answer(visit_id, Side.STAFF, _STAFF_ONLY)
    visit = service.repropose(actor, visit, windows=data["windows"], note=data["note"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/decline", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def decline_visit(data: dict[str, Any], visit_id: int) -> SeenVisit:
    """家长婉拒家访, with a reason."""
    actor, visit, side = _answer(visit_id, Side.FAMILY, _FAMILY_ONLY)
    visit = service.decline(actor, visit, reason=data["reason"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/cancel", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def cancel_visit(data: dict[str, Any], visit_id: int) -> SeenVisit:
    """取消家访 (either side, proposed or scheduled), with a reason."""
    actor, visit, side = _answer(visit_id)
    visit = service.cancel(actor, visit, side, reason=data["reason"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/move", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.MoveSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def move_visit(data: dict[str, Any], visit_id: int) -> SeenVisit:
    """家访改期 (scheduled): the visit's teachers move it at once (checked against their other visits); a family's
    move is a counter-proposal (改期申请) the teachers accept or decline, the visit keeping its time meanwhile."""
    actor, visit, side = _answer(visit_id)
    move = service.request_move if side == Side.FAMILY else service.move
    visit = move(actor, visit, starts_at=data["starts_at"], ends_at=data["ends_at"], reason=data["reason"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/move-request/accept", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.VisitSchema)
@blp.errors(403, 404, 409, 422)
def accept_move_request(visit_id: int) -> SeenVisit:
    """同意改期: a teacher of the visit takes the family's counter-proposal (409 ``staff_busy`` if it clashes)."""
    actor, visit, side = _answer(visit_id, Side.STAFF, _STAFF_ONLY)
    visit = service.accept_move(actor, visit)
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/move-request/decline", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.VisitSchema)
@blp.errors(400, 403, 404, 409, 422)
def decline_move_request(data: dict[str, Any], visit_id: int) -> SeenVisit:
    """不同意改期: a teacher of the visit declines the family's counter-proposal, with a reason; the time stays."""
    actor, visit, side = _answer(visit_id, Side.STAFF, _STAFF_ONLY)
    visit = service.decline_move(actor, visit, reason=data["reason"])
    return _done(visit, side)


@blp.route("/visits/<id:visit_id>/record", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.RecordSchema)
@blp.response(201, schemas.RecordOutSchema)
@blp.errors(400, 403, 404, 409, 422)
def record_visit(data: records.RecordEntry, visit_id: int) -> VisitRecord:
    """记录家访 (the visit's teachers, or the class's 班主任 for them): notes, topics, follow-ups with their owners;
    the visit is completed and dated by ``visited_at`` (within 7 days of the agreed time)."""
    actor, visit, _side = _answer(visit_id, Side.STAFF, _STAFF_ONLY)
    record = records.record_visit(actor, visit, entry=data)
    db.session.commit()
    return record


@blp.route("/visits/<id:visit_id>/feedback", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.FeedbackInSchema)
@blp.response(201, schemas.FeedbackOutSchema)
@blp.errors(400, 403, 404, 409, 422)
def add_feedback(data: dict[str, Any], visit_id: int) -> VisitFeedback:
    """家长反馈 on a completed visit: rating 1–5 and a comment (once per visit)."""
    actor, visit, _side = _answer(visit_id, Side.FAMILY, _FAMILY_ONLY)
    feedback = records.add_feedback(actor, visit, rating=data["rating"], comment=data["comment"])
    db.session.commit()
    return feedback


# Coverage, calendar feed and settings, follow-ups live in their own route modules on this blueprint.
from jlt_family.visits import coverage_routes, feed_routes, follow_up_routes  # noqa: E402, F401
