"""Who may see and do what with home visits (deny by default; out of scope answers 404).

- Staff side: teachers of the visit's class (班主任, 科任教师), the school's leaders (school_admin) and the
  staff taking part. They see the visit and act for the school (answer, cancel, move, record).
- Family side: the child's guardians. They see the visit and act for the family (accept, suggest, decline,
  cancel, move, feedback).
- Visit notes: teachers of the class and school leaders only (audit-logged).
- Home address: the 班主任 of the class and the staff of a scheduled home visit (入户) only (audit-logged).
"""

from jlt_family.core.errors import NotFound, PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.families.permissions import is_guardian_of, is_homeroom_of, is_school_admin_of
from jlt_family.visits.models import HomeVisit, Side, VisitMode, VisitState


class VisitNotFound(NotFound):
    code = "visit_not_found"
    message = "未找到该家访"


def is_class_staff(actor, class_id, school_id):
    """Teaches the class (and is still staff of its school) or leads the school."""
    teaches = class_id in actor.taught_class_ids and school_id in actor.staff_school_ids
    return teaches or is_school_admin_of(actor, school_id)


def may_propose_for(actor, student):
    return student.class_id is not None and is_class_staff(actor, student.class_id, student.school_id)


def is_participant(actor, visit):
    return actor.user_id in visit.staff_ids and visit.school_id in actor.staff_school_ids


def staff_side(actor, visit):
    return is_class_staff(actor, visit.class_id, visit.school_id) or is_participant(actor, visit)


def family_side(actor, visit):
    return is_guardian_of(actor, visit.student)


def side_of(actor, visit):
    """The caller's side of the visit, or None when it is out of their scope. Staff wins for a teacher who is
    also a guardian of the child (they act for the school)."""
    if staff_side(actor, visit):
        return Side.STAFF
    if family_side(actor, visit):
        return Side.FAMILY
    return None


def sees_notes(actor, visit):
    return is_class_staff(actor, visit.class_id, visit.school_id)


def sees_address(actor, visit):
    """班主任 of the class, or staff of this visit while it is a scheduled home visit."""
    if is_homeroom_of(actor, visit.class_id, visit.school_id):
        return True
    return visit.mode == VisitMode.HOME and visit.state == VisitState.SCHEDULED and is_participant(actor, visit)


def visit_or_404(actor, visit_id):
    """The visit and the caller's side; one and the same 404 for unknown and out-of-scope ids."""
    visit = db.session.get(HomeVisit, visit_id)
    side = side_of(actor, visit) if visit is not None else None
    if side is None:
        raise VisitNotFound()
    return visit, side


def require_side(side, wanted, message):
    if side != wanted:
        raise PermissionDenied(message, code="wrong_side")


def require(allowed, message, code="permission_denied"):
    """403 for a caller who sees the visit but may not do this."""
    if not allowed:
        raise PermissionDenied(message, code=code)
