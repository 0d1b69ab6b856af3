"""Endpoints of the parent school (家长学校): courses, sessions, enrolment, check-in, records and compliance."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import current_actor
from jlt_family.core import ratelimit
from jlt_family.core.audit import audit_read
from jlt_family.core.errors import PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.core.timeutil import shanghai_today, utcnow
from jlt_family.courses import (
    attendance,
    catalogue,
    meetings,
    permissions,
    presenters,
    reports,
    schemas,
    service,
)
from jlt_family.courses.models import CourseSession, Enrolment
from jlt_family.families.models import Guardian
from jlt_family.organizations import permissions as org

blp = Blueprint("courses", __name__, url_prefix="/api/v1", description="家长学校 (parent school courses)")


def _require_manager(actor, course):
    """403 for a caller who sees the course but does not run it."""
    if not permissions.manages_course(actor, course):
        raise PermissionDenied("只有课程的举办方可以执行此操作", code="not_course_organiser")


def _require_backfiller(actor, course):
    if not permissions.may_backfill(actor, course):
        raise PermissionDenied("补录已结束的场次需由学校管理员操作", code="backfill_needs_admin")


def _require_guardian(actor):
    if actor.guardian is None:
        raise PermissionDenied("仅家长可以报名、签到和评价", code="not_a_guardian")
    return actor.guardian


def _course_out(actor, course):
    now = utcnow()
    nxt = catalogue.next_sessions([course.id], now).get(course.id)
    mine = catalogue.my_enrolments(actor, [course.id], now).get(course.id)
    return presenters.course_view(course, nxt, mine, permissions.manages_course(actor, course))


def _session_out(actor, session):
    mine = service.active_enrolment(session.id, actor.guardian.id) if actor.guardian else None
    return presenters.session_view(session, mine, permissions.manages_course(actor, session.course))


def _enrolment_out(enrolment):
    return presenters.enrolment_view(enrolment, service.waitlist_rank(enrolment))


# ---- courses ----------------------------------------------------------------------------------------------------


@blp.route("/courses", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CourseQuerySchema, location="query")
@blp.response(200, page_of(schemas.CourseItemSchema))
@blp.errors(422)
def list_courses(args):
    """课程目录: the courses open to me as a parent (scope=open) or those I run or oversee (scope=staff),
    sorted by next session."""
    result, nexts, mine = catalogue.page(current_actor(), args)
    return present_page(result, lambda c: presenters.course_item(c, nexts.get(c.id), mine.get(c.id)))


@blp.route("/courses", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.CourseCreateSchema)
@blp.response(201, schemas.CourseSchema)
@blp.errors(403, 404, 409, 422)
def create_course(data):
    """新建课程 (unpublished) for a school, alliance, community parent school or region I run."""
    actor = current_actor()
    kind, provider_id = data.pop("provider_kind"), data.pop("provider_id")
    provider = permissions.provider_or_404(actor, kind, provider_id)
    org.require(
        permissions.can_manage_provider(actor, kind, provider), "您不能以该举办方名义开课", "not_course_organiser"
    )
    course = service.create_course(actor, kind, provider, **data)
    db.session.commit()
    return _course_out(actor, course)


@blp.route("/courses/<id:course_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.CourseSchema)
@blp.errors(404)
def get_course(course_id):
    """课程详情, with its next session and my enrolment."""
    actor = current_actor()
    return _course_out(actor, permissions.course_or_404(actor, course_id))


@blp.route("/courses/<id:course_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.CourseUpdateSchema)
@blp.response(200, schemas.CourseSchema)
@blp.errors(403, 404, 422)
def update_course(data, course_id):
    """修改课程 (its organisers)."""
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    _require_manager(actor, course)
    service.update_course(course, **data)
    db.session.commit()
    return _course_out(actor, course)


@blp.route("/courses/<id:course_id>/publish", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.CourseSchema)
@blp.errors(403, 404, 409)
def publish_course(course_id):
    """发布课程: parents of its audience see it and may enrol."""
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    _require_manager(actor, course)
    service.publish_course(course)
    db.session.commit()
    return _course_out(actor, course)


@blp.route("/courses/<id:course_id>/unpublish", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.CourseSchema)
@blp.errors(403, 404, 409)
def unpublish_course(course_id):
    """撤回发布: hidden from parents (existing enrolments stay)."""
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    _require_manager(actor, course)
    service.unpublish_course(course)
    db.session.commit()
    return _course_out(actor, course)


@blp.route("/courses/<id:course_id>/feedback", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, schemas.CourseFeedbackPageSchema)
@blp.errors(403, 404, 422)
def list_course_feedback(args, course_id):
    """课程评价: the average, the count per rating and the comments (without names), for organisers."""
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    if not permissions.sees_as_staff(actor, course):
        raise PermissionDenied("只有举办方可以查看评价汇总", code="not_course_organiser")
    count, average, by_rating = reports.feedback_stats(course.id)
    result = paginate(reports.feedback_comments(course.id), args["page"], args["page_size"], scalars=False)
    page = present_page(result, presenters.feedback_item)
    return {**page, "count": count, "average": average, "by_rating": by_rating}


# ---- sessions ---------------------------------------------------------------------------------------------------


@blp.route("/courses/<id:course_id>/sessions", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(schemas.CourseSessionBriefSchema))
@blp.errors(404, 422)
def list_sessions(args, course_id):
    """课程的场次, in time order."""
    course = permissions.course_or_404(current_actor(), course_id)
    stmt = (
        sa.select(CourseSession)
        .where(CourseSession.course_id == course.id)
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    return present_page(paginate(stmt, args["page"], args["page_size"]), presenters.session_brief)


@blp.route("/courses/<id:course_id>/sessions", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.CourseSessionCreateSchema)
@blp.response(201, schemas.CourseSessionSchema)
@blp.errors(403, 404, 422)
def create_session(data, course_id):
    """新建场次: times, place or link, places, enrolment window, cancel deadline and 学时.

    A session that has already ended is back-filled (补录, ``backfilled``): only a school admin (the provider's
    admins) may add one (403 ``backfill_needs_admin``), and it counts as held once its attendance is recorded.
    """
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    _require_manager(actor, course)
    if data["ends_at"] <= utcnow():
        _require_backfiller(actor, course)
    session = service.create_session(course, **data)
    db.session.commit()
    return _session_out(actor, session)


@blp.route("/course-sessions/<id:session_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.CourseSessionSchema)
@blp.errors(404)
def get_session(session_id):
    """场次详情, with places left and my enrolment."""
    actor = current_actor()
    return _session_out(actor, permissions.session_or_404(actor, session_id))


@blp.route("/course-sessions/<id:session_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.CourseSessionUpdateSchema)
@blp.response(200, schemas.CourseSessionSchema)
@blp.errors(403, 404, 409, 422)
def update_session(data, session_id):
    """修改场次: enrolled parents are told of a new time or place; more places promote the waitlist."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    _require_manager(actor, session.course)
    session = service.update_session(session, **data)
    db.session.commit()
    return _session_out(actor, session)


@blp.route("/course-sessions/<id:session_id>/cancel", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.CourseSessionCancelSchema)
@blp.response(200, schemas.CourseSessionSchema)
@blp.errors(403, 404, 409, 422)
def cancel_session(data, session_id):
    """取消场次: every enrolled and waitlisted parent is told; places are released."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    _require_manager(actor, session.course)
    session = service.cancel_session(session, data["reason"])
    db.session.commit()
    return _session_out(actor, session)


@blp.route("/course-sessions/<id:session_id>/enrolments", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CourseRosterQuerySchema, location="query")
@blp.response(200, page_of(schemas.CourseRosterItemSchema))
@blp.errors(403, 404, 422)
def list_session_enrolments(args, session_id):
    """报名名单 (organisers): enrolled first, then the waitlist in order; phones masked."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    _require_manager(actor, session.course)
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.session_id == session.id)
        .options(selectinload(Enrolment.guardian).selectinload(Guardian.user))
        .order_by(Enrolment.waitlist_position.is_not(None), Enrolment.waitlist_position, Enrolment.id)
    )
    if args.get("status"):
        stmt = stmt.where(Enrolment.status == args["status"])
    result = paginate(stmt, args["page"], args["page_size"])
    audit_read(
        actor, "read_session_roster", "course_session", session.id, result, within=session.course.provider, query=args
    )
    return present_page(result, presenters.roster_item)


@blp.route("/course-sessions/<id:session_id>/checkin-code", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.CourseCheckinCodeSchema)
@blp.errors(403, 404, 409, 422)
def get_checkin_code(session_id):
    """当前签到码 (organisers): changes every step; valid from shortly before the start to the end."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    _require_manager(actor, session.course)
    return attendance.current_code(session)


# ---- enrolment (parents) ------------------------------------------------------------------------------------------


@blp.route("/course-sessions/<id:session_id>/enrolments", methods=["POST"])
@blp.login_required
@ratelimit.per_user("booking", "BOOKING_ATTEMPTS_PER_MINUTE", 60)
@idempotent
@blp.arguments(schemas.CourseEnrolSchema)
@blp.response(201, schemas.CourseEnrolmentSchema)
@blp.errors(403, 404, 409, 422, 429)
def enrol(data, session_id):
    """报名: a place if one is left, else the waitlist (join_waitlist=false: 409 session_full).

    At most ``BOOKING_ATTEMPTS_PER_MINUTE`` booking and enrolment attempts per user and minute (429).
    """
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    guardian = _require_guardian(actor)
    enrolment = service.enrol(session, guardian, join_waitlist=data["join_waitlist"])
    db.session.commit()
    return _enrolment_out(enrolment)


@blp.route("/course-enrolments/<id:enrolment_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.CourseEnrolmentSchema)
@blp.errors(404)
def get_enrolment(enrolment_id):
    """报名详情, with my place on the waitlist."""
    return _enrolment_out(permissions.enrolment_or_404(current_actor(), enrolment_id))


@blp.route("/course-enrolments/<id:enrolment_id>/cancel", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.CourseEnrolmentSchema)
@blp.errors(403, 404, 409, 422)
def cancel_enrolment(enrolment_id):
    """取消报名 (the parent, before the cancel deadline): the place goes to the head of the waitlist."""
    actor = current_actor()
    enrolment = permissions.enrolment_or_404(actor, enrolment_id)
    if enrolment.user_id != actor.user_id:
        raise PermissionDenied("只能取消自己的报名", code="not_own_enrolment")
    service.cancel_enrolment(enrolment)
    db.session.commit()
    return _enrolment_out(enrolment)


@blp.route("/course-enrolments/<id:enrolment_id>/attendance", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.CourseAttendanceSchema)
@blp.response(200, schemas.CourseEnrolmentSchema)
@blp.errors(403, 404, 409, 422)
def mark_attendance(data, enrolment_id):
    """登记出勤 by hand (organisers): attended or absent."""
    actor = current_actor()
    enrolment = permissions.enrolment_or_404(actor, enrolment_id)
    _require_manager(actor, enrolment.session.course)
    attendance.mark_attendance(enrolment, data["attended"], actor.user_id)
    db.session.commit()
    return _enrolment_out(enrolment)


@blp.route("/course-sessions/<id:session_id>/backfilled-attendance", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.BackfilledAttendanceSchema)
@blp.response(200, schemas.CourseSessionSchema)
@blp.errors(403, 404, 409, 422)
def record_backfilled_attendance(data, session_id):
    """补登出勤 of a back-filled session (school admins): each listed child's family attended, recorded for its
    primary guardian (learning hours included). Ordinary sessions use check-in and per-enrolment attendance."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    _require_manager(actor, session.course)
    _require_backfiller(actor, session.course)
    session = attendance.record_backfilled(session, data["child_ids"], actor.user_id)
    db.session.commit()
    return _session_out(actor, session)


@blp.route("/course-sessions/<id:session_id>/checkin", methods=["POST"])
@blp.login_required
@ratelimit.per_user("course_checkin", "COURSE_CHECKIN_ATTEMPTS_PER_HOUR", 3600)
@blp.arguments(schemas.CourseCheckinSchema)
@blp.response(200, schemas.CourseEnrolmentSchema)
@blp.errors(403, 404, 409, 422, 429)
def check_in(data, session_id):
    """签到 with the code shown at the session."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    enrolment = attendance.check_in(session, _require_guardian(actor), data["code"])
    db.session.commit()
    return _enrolment_out(enrolment)


@blp.route("/course-sessions/<id:session_id>/feedback", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.CourseFeedbackCreateSchema)
@blp.response(201, schemas.CourseFeedbackSchema)
@blp.errors(403, 404, 409, 422)
def leave_feedback(data, session_id):
    """评价场次 (after attending): a rating 1–5 and a comment."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    feedback = reports.leave_feedback(session, _require_guardian(actor), data["rating"], data["comment"])
    db.session.commit()
    return presenters.feedback_item((feedback, session.starts_at))


@blp.route("/me/course-enrolments", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.MyCourseEnrolmentQuerySchema, location="query")
@blp.response(200, page_of(schemas.MyCourseEnrolmentItemSchema))
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
    return present_page(paginate(stmt, args["page"], args["page_size"]), presenters.my_enrolment_item)


@blp.route("/me/course-record", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CourseRecordArgsSchema, location="query")
@blp.response(200, schemas.LearningRecordSchema)
@blp.errors(404, 422)
def get_learning_record(args):
    """我的学习记录: sessions attended and 学时 of a school year (the child's region's calendar), by category."""
    actor = current_actor()
    region = reports.record_region(actor, args.get("child_id"))
    year = reports.school_year(args.get("school_year"), region, shanghai_today())
    return reports.learning_record(actor.user_id, year)


# ---- compliance -------------------------------------------------------------------------------------------------


@blp.route("/schools/<id:school_id>/course-compliance", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CourseSchoolYearArgsSchema, location="query")
@blp.response(200, schemas.CourseComplianceSchema)
@blp.errors(403, 404, 422)
def get_compliance(args, school_id):
    """家校活动达标统计 (school admins and those above): held activities per term and year against the policy."""
    actor = current_actor()
    school = org.school_staff_area_or_404(actor, school_id)
    org.require(org.administers_school(actor, school), "只有学校管理员可以查看达标统计", "not_school_admin")
    year = reports.school_year(args.get("school_year"), school.region, shanghai_today())
    return reports.compliance(school, year)


# ---- 教联体协调会参会代表 (who attended a coordination meeting) --------------------------------------------------


@blp.route("/course-sessions/<id:session_id>/meeting-attendance", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.MeetingAttendanceSchema)
@blp.errors(403, 404, 409)
def get_meeting_attendance(session_id):
    """协调会参会代表: the representatives of families, communities and resource units who attended (staff who
    see the course)."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    if not permissions.sees_as_staff(actor, session.course):
        raise PermissionDenied("只有举办方和上级管理员可以查看参会情况", code="not_course_staff")
    return meetings.view(session, meetings.attendance_of(session))


@blp.route("/course-sessions/<id:session_id>/meeting-attendance", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.MeetingAttendanceInSchema)
@blp.response(200, schemas.MeetingAttendanceSchema)
@blp.errors(403, 404, 409, 422)
def put_meeting_attendance(data, session_id):
    """登记协调会参会代表 (organisers, once the meeting has begun): how many representatives of families,
    communities and social resource units attended; the evaluation reports count them per school and alliance."""
    actor = current_actor()
    session = permissions.session_or_404(actor, session_id)
    _require_manager(actor, session.course)
    row = meetings.record_attendance(session, actor.user_id, **data)
    db.session.commit()
    return meetings.view(session, row)
