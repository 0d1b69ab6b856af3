"""Endpoints of a course's sessions (场次): planning, roster, check-in code, coordination-meeting attendance."""

import sqlalchemy as sa

from jlt_family.auth.context import current_actor
from jlt_family.core.audit import audit_read
from jlt_family.core.errors import PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.core.timeutil import utcnow
from jlt_family.courses import (
    attendance,
    meetings,
    output_schemas,
    permissions,
    planning,
    schemas,
    service,
)
from jlt_family.courses.blueprint import (
    blp,
    require_backfiller,
    require_manager,
    session_out,
)
from jlt_family.courses.models import CourseSession
from jlt_family.courses.views import RosterEntry

# ---- sessions ---------------------------------------------------------------------------------------------------


@blp.route("/courses/<id:course_id>/sessions", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(output_schemas.CourseSessionBriefSchema))
@blp.errors(404, 422)
def list_sessions(args, course_id):
    """课程的场次, in time order."""
    course = permissions.course_or_404(current_actor(), course_id)
    stmt = (
        sa.select(CourseSession)
        .where(CourseSession.course_id == course.id)
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    return paginate(stmt, args["page"], args["page_size"])


@blp.route("/courses/<id:course_id>/sessions", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.CourseSessionCreateSchema)
@blp.response(201, output_schemas.CourseSessionSchema)
@blp.errors(403, 404, 422)
def create_session(data, course_id):
    """新建场次: times, place or link, places, enrolment window, cancel deadline and 学时.

    A session that has already ended is back-filled (补录, ``backfilled``): only a school admin (the provider's
    admins) may add one (403 ``backfill_needs_admin``), and it counts as held once its attendance is recorded.
    """
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    require_manager(actor, course)
    if data["ends_at"] <= utcnow():
        require_backfiller(actor, course)
    session = planning.create_session(course, details=data, actor_id=actor.user_id)
    db.session.commit()
    return session_out(actor, session)


@blp.route("/course-sessions/<id:session_id>", methods=["GET"])
@blp.login_required
@blp.response(200, output_schemas.CourseSessionSchema)
@blp.errors(404)
def get_session(session_id):
    """场次详情, with places left and my enrolment."""
    actor = current_actor()
    return session_out(actor, permissions.session_or_404(actor, session_id))


@blp.route("/course-sessions/<id:session_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.CourseSessionUpdateSchema)
@blp.response(200, output_schemas.CourseSessionSchema)
@blp.errors(403, 404, 409, 422)
def update_session(data, session_id):
    """修改场次: enrolled parents are told of a new time or place; more places promote the waitlist."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    require_manager(actor, session.course)
    session = planning.update_session(session, changes=data, actor_id=actor.user_id)
    db.session.commit()
    return session_out(actor, session)


@blp.route("/course-sessions/<id:session_id>/cancel", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.CourseSessionCancelSchema)
@blp.response(200, output_schemas.CourseSessionSchema)
@blp.errors(403, 404, 409, 422)
def cancel_session(data, session_id):
    """取消场次: every enrolled and waitlisted parent is told; places are released."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    require_manager(actor, session.course)
    session = planning.cancel_session(session, reason=data["reason"], actor_id=actor.user_id)
    db.session.commit()
    return session_out(actor, session)


@blp.route("/course-sessions/<id:session_id>/enrolments", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CourseRosterQuerySchema, location="query")
@blp.response(200, page_of(output_schemas.CourseRosterItemSchema))
@blp.errors(403, 404, 422)
def list_session_enrolments(args, session_id):
    """报名名单 (organisers): enrolled first, then the waitlist in order; phones masked."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    require_manager(actor, session.course)
    result = paginate(service.roster(session.id, args.get("status")), args["page"], args["page_size"])
    audit_read(
        actor, "read_session_roster", "course_session", session.id, result, within=session.course.provider, query=args
    )
    return present_page(result, RosterEntry)


@blp.route("/course-sessions/<id:session_id>/checkin-code", methods=["GET"])
@blp.login_required
@blp.response(200, output_schemas.CourseCheckinCodeSchema)
@blp.errors(403, 404, 409, 422)
def get_checkin_code(session_id):
    """当前签到码 (organisers): changes every step; valid from shortly before the start to the end."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    require_manager(actor, session.course)
    return attendance.current_code(session)


# ---- 教联体协调会参会代表 (who attended a coordination meeting) --------------------------------------------------


@blp.route("/course-sessions/<id:session_id>/meeting-attendance", methods=["GET"])
@blp.login_required
@blp.response(200, output_schemas.MeetingAttendanceSchema)
@blp.errors(403, 404, 409)
def get_meeting_attendance(session_id):
    """协调会参会代表: the representatives of families, communities and resource units who attended (staff who
    see the course)."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    if not permissions.sees_as_staff(actor, session.course):
        raise PermissionDenied("只有举办方和上级管理员可以查看参会情况", code="not_course_staff")
    return meetings.attendance_of(session)


@blp.route("/course-sessions/<id:session_id>/meeting-attendance", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.MeetingAttendanceInSchema)
@blp.response(200, output_schemas.MeetingAttendanceSchema)
@blp.errors(403, 404, 409, 422)
def put_meeting_attendance(data, session_id):
    """登记协调会参会代表 (organisers, once the meeting has begun): how many representatives of families,
    communities and social resource units attended; the evaluation reports count them per school and alliance."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    require_manager(actor, session.course)
    row = meetings.record_attendance(session, actor.user_id, counts=data)
    db.session.commit()
    return row
