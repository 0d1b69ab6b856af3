"""The parent school's blueprint (家长学校) and what its route modules share: the caller checks and the output."""

from __future__ import annotations

from jlt_family.auth.context import Actor
from jlt_family.core.errors import PermissionDenied
from jlt_family.core.routing import Blueprint
from jlt_family.core.timeutil import utcnow
from jlt_family.courses import (
    catalogue,
    permissions,
    service,
)
from jlt_family.courses.models import Course, CourseSession, Enrolment
from jlt_family.courses.views import CourseView, EnrolmentView, SessionView
from jlt_family.families.models import Guardian

blp = Blueprint("courses", __name__, url_prefix="/api/v1", description="家长学校 (parent school courses)")


def require_manager(actor: Actor, course: Course) -> None:
    """403 for a caller who sees the course but does not run it."""
    if not permissions.manages_course(actor, course):
        raise PermissionDenied("只有课程的举办方可以执行此操作", code="not_course_organiser")


def require_backfiller(actor: Actor, course: Course) -> None:
    """403 unless the caller may back-fill an ended session of the course (its school's admins)."""
    if not permissions.may_backfill(actor, course):
        raise PermissionDenied("补录已结束的场次需由学校管理员操作", code="backfill_needs_admin")


def require_guardian(actor: Actor) -> Guardian:
    """403 for a caller who is no guardian (only parents enrol, check in and rate)."""
    if actor.guardian is None:
        raise PermissionDenied("仅家长可以报名、签到和评价", code="not_a_guardian")
    return actor.guardian


def course_out(actor: Actor, course: Course) -> CourseView:
    """The course as the caller sees it: its next session, their enrolment, whether they run it."""
    now = utcnow()
    nxt = catalogue.next_sessions([course.id], now).get(course.id)
    mine = catalogue.my_enrolments(actor, [course.id], now).get(course.id)
    return CourseView(course, nxt, mine, permissions.manages_course(actor, course))


def session_out(actor: Actor, session: CourseSession) -> SessionView:
    """The session as the caller sees it: their enrolment, whether they run its course."""
    mine = service.active_enrolment(session.id, actor.guardian.id) if actor.guardian else None
    return SessionView(session, mine, permissions.manages_course(actor, session.course))


def enrolment_out(enrolment: Enrolment) -> EnrolmentView:
    """The enrolment with its place on the waitlist now."""
    return EnrolmentView(enrolment, service.waitlist_rank(enrolment))
