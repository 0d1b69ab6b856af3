"""The parent school's blueprint (家长学校) and what its route modules share: the caller checks and the output."""

from jlt_family.core.errors import PermissionDenied
from jlt_family.core.routing import Blueprint
from jlt_family.core.timeutil import utcnow
from jlt_family.courses import (
    catalogue,
    permissions,
    receivers,
    service,
)
from jlt_family.courses.views import CourseView, EnrolmentView, SessionView

blp = Blueprint("courses", __name__, url_prefix="/api/v1", description="家长学校 (parent school courses)")
receivers.connect()


def require_manager(actor, course):
    """403 for a caller who sees the course but does not run it."""
    if not permissions.manages_course(actor, course):
        raise PermissionDenied("只有课程的举办方可以执行此操作", code="not_course_organiser")


def require_backfiller(actor, course):
    if not permissions.may_backfill(actor, course):
        raise PermissionDenied("补录已结束的场次需由学校管理员操作", code="backfill_needs_admin")


def require_guardian(actor):
    if actor.guardian is None:
        raise PermissionDenied("仅家长可以报名、签到和评价", code="not_a_guardian")
    return actor.guardian


def course_out(actor, course):
    now = utcnow()
    nxt = catalogue.next_sessions([course.id], now).get(course.id)
    mine = catalogue.my_enrolments(actor, [course.id], now).get(course.id)
    return CourseView(course, nxt, mine, permissions.manages_course(actor, course))


def session_out(actor, session):
    mine = service.active_enrolment(session.id, actor.guardian.id) if actor.guardian else None
    return SessionView(session, mine, permissions.manages_course(actor, session.course))


def enrolment_out(enrolment):
    return EnrolmentView(enrolment, service.waitlist_rank(enrolment))
