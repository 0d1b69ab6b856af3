"""Endpoints of the parent school (家长学校): courses, sessions, enrolment, check-in, records and compliance."""

from jlt_family.auth.context import current_actor
from jlt_family.core.errors import PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.core.timeutil import shanghai_today
from jlt_family.courses import (
    catalogue,
    enrolment_routes,
    output_schemas,
    permissions,
    planning,
    reports,
    schemas,
    session_routes,
)
from jlt_family.courses.blueprint import (
    blp,
    course_out,
    require_manager,
)
from jlt_family.courses.views import CourseView
from jlt_family.organizations import permissions as org

ROUTE_MODULES = (session_routes, enrolment_routes)  # their views join this blueprint too

# ---- courses ----------------------------------------------------------------------------------------------------


@blp.route("/courses", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CourseQuerySchema, location="query")
@blp.response(200, page_of(output_schemas.CourseItemSchema))
@blp.errors(422)
def list_courses(args):
    """课程目录: the courses open to me as a parent (scope=open) or those I run or oversee (scope=staff),
    sorted by next session."""
    result, nexts, mine = catalogue.page(current_actor(), args)
    return present_page(result, lambda c: CourseView(c, nexts.get(c.id), mine.get(c.id)))


@blp.route("/courses", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.CourseCreateSchema)
@blp.response(201, output_schemas.CourseSchema)
@blp.errors(403, 404, 409, 422)
def create_course(data):
    """新建课程 (unpublished) for a school, alliance, community parent school or region I run."""
    actor = current_actor()
    kind, provider_id = data.pop("provider_kind"), data.pop("provider_id")
    provider = permissions.provider_or_404(actor, kind, provider_id)
    org.require(
        permissions.can_manage_provider(actor, kind, provider), "您不能以该举办方名义开课", "not_course_organiser"
    )
    course = planning.create_course(actor, kind=kind, provider=provider, details=data)
    db.session.commit()
    return course_out(actor, course)


@blp.route("/courses/<id:course_id>", methods=["GET"])
@blp.login_required
@blp.response(200, output_schemas.CourseSchema)
@blp.errors(404)
def get_course(course_id):
    """课程详情, with its next session and my enrolment."""
    actor = current_actor()
    return course_out(actor, permissions.course_or_404(actor, course_id))


@blp.route("/courses/<id:course_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.CourseUpdateSchema)
@blp.response(200, output_schemas.CourseSchema)
@blp.errors(403, 404, 422)
def update_course(data, course_id):
    """修改课程 (its organisers)."""
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    require_manager(actor, course)
    planning.update_course(course, changes=data)
    db.session.commit()
    return course_out(actor, course)


@blp.route("/courses/<id:course_id>/publish", methods=["POST"])
@blp.login_required
@blp.response(200, output_schemas.CourseSchema)
@blp.errors(403, 404, 409)
def publish_course(course_id):
    """发布课程: parents of its audience see it and may enrol."""
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    require_manager(actor, course)
    planning.publish_course(course)
    db.session.commit()
    return course_out(actor, course)


@blp.route("/courses/<id:course_id>/unpublish", methods=["POST"])
@blp.login_required
@blp.response(200, output_schemas.CourseSchema)
@blp.errors(403, 404, 409)
def unpublish_course(course_id):
    """撤回发布: hidden from parents (existing enrolments stay)."""
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    require_manager(actor, course)
    planning.unpublish_course(course)
    db.session.commit()
    return course_out(actor, course)


@blp.route("/courses/<id:course_id>/feedback", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, output_schemas.CourseFeedbackPageSchema)
@blp.errors(403, 404, 422)
def list_course_feedback(args, course_id):
    """课程评价: the average, the count per rating and the comments (without names), for organisers."""
    actor = current_actor()
    course = permissions.course_or_404(actor, course_id)
    if not permissions.sees_as_staff(actor, course):
        raise PermissionDenied("只有举办方可以查看评价汇总", code="not_course_organiser")
    count, average, by_rating = reports.feedback_stats(course.id)
    page = paginate(reports.feedback_comments(course.id), args["page"], args["page_size"])
    return {**page, "count": count, "average": average, "by_rating": by_rating}


# ---- compliance -------------------------------------------------------------------------------------------------


@blp.route("/schools/<id:school_id>/course-compliance", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CourseSchoolYearArgsSchema, location="query")
@blp.response(200, output_schemas.CourseComplianceSchema)
@blp.errors(403, 404, 422)
def get_compliance(args, school_id):
    """家校活动达标统计 (school admins and those above): held activities per term and year against the policy."""
    actor = current_actor()
    school = org.school_staff_area_or_404(actor, school_id)
    org.require(org.administers_school(actor, school), "只有学校管理员可以查看达标统计", "not_school_admin")
    year = reports.school_year(args.get("school_year"), school.region, shanghai_today())
    return reports.compliance(school, year)
