"""Endpoints of enrolment (报名): enrol, cancel, attendance, check-in, feedback, my enrolments and record."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import current_actor
from jlt_family.core import ratelimit
from jlt_family.core.errors import PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import page_of
from jlt_family.core.timeutil import shanghai_today, utcnow
from jlt_family.courses import (
    attendance,
    output_schemas,
    permissions,
    reports,
    schemas,
    service,
)
from jlt_family.courses.blueprint import (
    blp,
    enrolment_out,
    require_backfiller,
    require_guardian,
    require_manager,
    session_out,
)
from jlt_family.courses.models import CourseSession, Enrolment

# ---- enrolment (parents) ------------------------------------------------------------------------------------------


@blp.route("/course-sessions/<id:session_id>/enrolments", methods=["POST"])
@blp.login_required
@ratelimit.per_user("booking", "BOOKING_ATTEMPTS_PER_MINUTE", 60)
@idempotent
@blp.arguments(schemas.CourseEnrolSchema)
@blp.response(201, output_schemas.CourseEnrolmentSchema)
@blp.errors(403, 404, 409, 422, 429)
def enrol(data, session_id):
    """报名: a place if one is left, else the waitlist (join_waitlist=false: 409 session_full).

    At most ``BOOKING_ATTEMPTS_PER_MINUTE`` booking and enrolment attempts per user and minute (429).
    """
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    guardian = require_guardian(actor)
    enrolment = service.enrol(session, guardian, join_waitlist=data["join_waitlist"])
    db.session.commit()
    return enrolment_out(enrolment)


@blp.route("/course-enrolments/<id:enrolment_id>", methods=["GET"])
@blp.login_required
@blp.response(200, output_schemas.CourseEnrolmentSchema)
@blp.errors(404)
def get_enrolment(enrolment_id):
    """报名详情, with my place on the waitlist."""
    return enrolment_out(permissions.enrolment_or_404(current_actor(), enrolment_id))


@blp.route("/course-enrolments/<id:enrolment_id>/cancel", methods=["POST"])
@blp.login_required
@blp.response(200, output_schemas.CourseEnrolmentSchema)
@blp.errors(403, 404, 409, 422)
def cancel_enrolment(enrolment_id):
    """取消报名 (the parent, before the cancel deadline): the place goes to the head of the waitlist."""
    actor = current_actor()
    enrolment = permissions.enrolment_or_404(actor, enrolment_id)
    if enrolment.user_id != actor.user_id:
        raise PermissionDenied("只能取消自己的报名", code="not_own_enrolment")
    service.cancel_enrolment(enrolment, actor_id=actor.user_id)
    db.session.commit()
    return enrolment_out(enrolment)


@blp.route("/course-enrolments/<id:enrolment_id>/attendance", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.CourseAttendanceSchema)
@blp.response(200, output_schemas.CourseEnrolmentSchema)
@blp.errors(403, 404, 409, 422)
def mark_attendance(data, enrolment_id):
    """登记出勤 by hand (organisers): attended or absent."""
    actor = current_actor()
    enrolment = permissions.enrolment_or_404(actor, enrolment_id)
    require_manager(actor, enrolment.session.course)
    attendance.mark_attendance(enrolment, attended=data["attended"], by_user_id=actor.user_id)
    db.session.commit()
    return enrolment_out(enrolment)


@blp.route("/course-sessions/<id:session_id>/backfilled-attendance", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.BackfilledAttendanceSchema)
@blp.response(200, output_schemas.CourseSessionSchema)
@blp.errors(403, 404, 409, 422)
def record_backfilled_attendance(data, session_id):
    """补登出勤 of a back-filled session (school admins): each listed child's family attended, recorded for its
    primary guardian (learning hours included). Ordinary sessions use check-in and per-enrolment attendance."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    require_manager(actor, session.course)
    require_backfiller(actor, session.course)
    session = attendance.record_backfilled(session, child_ids=data["child_ids"], by_user_id=actor.user_id)
    db.session.commit()
    return session_out(actor, session)


@blp.route("/course-sessions/<id:session_id>/checkin", methods=["POST"])
@blp.login_required
@ratelimit.per_user("course_checkin", "COURSE_CHECKIN_ATTEMPTS_PER_HOUR", 3600)
@blp.arguments(schemas.CourseCheckinSchema)
@blp.response(200, output_schemas.CourseEnrolmentSchema)
@blp.errors(403, 404, 409, 422, 429)
def check_in(data, session_id):
    """签到 with the code shown at the session."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    enrolment = attendance.check_in(session, require_guardian(actor), data["code"])
    db.session.commit()
    return enrolment_out(enrolment)


@blp.route("/course-sessions/<id:session_id>/feedback", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.CourseFeedbackCreateSchema)
@blp.response(201, output_schemas.CourseFeedbackSchema)
@blp.errors(403, 404, 409, 422)
def leave_feedback(data, session_id):
    """评价场次 (after attending): a rating 1–5 and a comment."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    feedback = reports.leave_feedback(session, require_guardian(actor), data["rating"], data["comment"])
    db.session.commit()
    return feedback


@blp.route("/me/course-enrolments", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.MyCourseEnrolmentQuerySchema, location="query")
@blp.response(200, page_of(output_schemas.MyCourseEnrolmentItemSchema))
@blp.errors(422)
def list_my_enrolments(args):
    """我的报名, latest session first (upcoming=true: only sessions not yet ended)."""
    stmt = (
        sa.select(Enrolment)
        .join(CourseSession, CourseSession.id == Enrolment.session_id)
        .where(Enrolment.user_id == current_actor().user_id)
        .options(selectinload(Enrolment.session).selectinload(CourseSession.course))
        .order_by(CourseSession.starts_at.desc(), Enrolment.id.desc())
    )
    if args["upcoming"]:
        stmt = stmt.where(CourseSession.ends_at > utcnow())
    return paginate(stmt, args["page"], args["page_size"])


@blp.route("/me/course-record", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CourseRecordArgsSchema, location="query")
@blp.response(200, output_schemas.LearningRecordSchema)
@blp.errors(404, 422)
def get_learning_record(args):
    """我的学习记录: sessions attended and 学时 of a school year (the child's region's calendar), by category."""
    actor = current_actor()
    region = reports.record_region(actor, args.get("child_id"))
    year = reports.school_year(args.get("school_year"), region, shanghai_today())
    return reports.learning_record(actor.user_id, year)
