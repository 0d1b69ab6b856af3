"""Who may see and do what with home visits (deny by default; out of scope answers 404).

- Staff side: teachers of the visit's class (班主任, 科任教师), the school's leaders (school_admin) and the
  staff taking part see the visit. Only the teachers it names (the proposer and the staff taking part) act for
  the school (answer, propose new windows, cancel, move, answer a counter-proposal, record), or the class's
  班主任 acting for them (the history names whom they acted for); the others get 403.
- Family side: the child's guardians. They see the visit and act for the family (accept, suggest, decline,
  cancel, ask to move, feedback).
- Visit notes and follow-ups: the visiting teachers, the class's 班主任 and school leaders only (audit-logged).
- Home address: the 班主任 of the class and the staff of a scheduled home visit (入户) only (audit-logged).
- A follow-up: its owner (while staff of the school) and those who see the notes see it; its owner, the class's
  班主任 and school leaders close it.
"""

from jlt_family.auth.context import Actor
from jlt_family.core.errors import NotFound, PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.families.permissions import is_guardian_of, is_homeroom_of, is_school_admin_of
from jlt_family.organizations.students import Student
from jlt_family.visits.models import FollowUpAction, HomeVisit, Side, VisitMode, VisitState


class VisitNotFound(NotFound):
    code = "visit_not_found"
    message = "未找到该家访"


class FollowUpNotFound(NotFound):
    code = "follow_up_not_found"
    message = "未找到该跟进事项"


def is_class_staff(actor: Actor, class_id: int, school_id: int) -> bool:
    """Teaches the class (and is still staff of its school) or leads the school."""
    teaches = class_id in actor.taught_class_ids and school_id in actor.staff_school_ids
    return teaches or is_school_admin_of(actor, school_id)


def may_propose_for(actor: Actor, student: Student) -> bool:
    return student.class_id is not None and is_class_staff(actor, student.class_id, student.school_id)


def is_participant(actor: Actor, visit: HomeVisit) -> bool:
    return actor.user_id in visit.staff_ids and visit.school_id in actor.staff_school_ids


def staff_side(actor: Actor, visit: HomeVisit) -> bool:
    return is_class_staff(actor, visit.class_id, visit.school_id) or is_participant(actor, visit)


def family_side(actor: Actor, visit: HomeVisit) -> bool:
    return is_guardian_of(actor, visit.student)


def side_of(actor: Actor, visit: HomeVisit) -> Side | None:
    """The caller's side of the visit, or None when it is out of their scope. Staff wins for a teacher who is
    also a guardian of the child (they act for the school)."""
    if staff_side(actor, visit):
        return Side.STAFF
    if family_side(actor, visit):
        return Side.FAMILY
    return None


def sees_notes(actor: Actor, visit: HomeVisit) -> bool:
    """The visiting teachers, the class's 班主任 and the school's leaders (not the other subject teachers)."""
    return (
        is_participant(actor, visit)
        or is_homeroom_of(actor, visit.class_id, visit.school_id)
        or is_school_admin_of(actor, visit.school_id)
    )


def acts_for_school(actor: Actor, visit: HomeVisit) -> bool:
    """A teacher the visit names, or the class's 班主任 (acting for them)."""
    return is_participant(actor, visit) or is_homeroom_of(actor, visit.class_id, visit.school_id)


def acting_for(actor: Actor, visit: HomeVisit) -> int | None:
    """The teacher a 班主任 acts for (the visit's proposer), or None when the caller is named by the visit."""
    return None if is_participant(actor, visit) else visit.proposed_by_id


def require_visit_staff(actor: Actor, visit: HomeVisit, side: Side) -> None:
    """403 for staff who see the visit but are neither named by it nor the class's 班主任."""
    if side == Side.STAFF:
        require(acts_for_school(actor, visit), "仅本次家访的教师或本班班主任可执行此操作")


def sees_address(actor: Actor, visit: HomeVisit) -> bool:
    """班主任 of the class, or staff of this visit while it is a scheduled home visit."""
    if is_homeroom_of(actor, visit.class_id, visit.school_id):
        return True
    return visit.mode == VisitMode.HOME and visit.state == VisitState.SCHEDULED and is_participant(actor, visit)


def visit_or_404(actor: Actor, visit_id: int) -> tuple[HomeVisit, Side]:
    """The visit and the caller's side; one and the same 404 for unknown and out-of-scope ids."""
    visit = db.session.get(HomeVisit, visit_id)
    side = side_of(actor, visit) if visit is not None else None
    if visit is None or side is None:
        raise VisitNotFound()
    return visit, side


def owns_follow_up(actor: Actor, follow_up: FollowUpAction, visit: HomeVisit) -> bool:
    return follow_up.owner_id == actor.user_id and visit.school_id in actor.staff_school_ids


def follow_up_or_404(actor: Actor, follow_up_id: int) -> tuple[FollowUpAction, HomeVisit]:
    """The follow-up and its visit; one and the same 404 for unknown ids and those the caller may not see."""
    follow_up = db.session.get(FollowUpAction, follow_up_id)
    visit = follow_up.record.visit if follow_up is not None else None
    if follow_up is None or visit is None or not (owns_follow_up(actor, follow_up, visit) or sees_notes(actor, visit)):
        raise FollowUpNotFound()
    return follow_up, visit


def may_close_follow_up(actor: Actor, follow_up: FollowUpAction, visit: HomeVisit) -> bool:
    return (
        owns_follow_up(actor, follow_up, visit)
        or is_homeroom_of(actor, visit.class_id, visit.school_id)
        or is_school_admin_of(actor, visit.school_id)
    )


def require_side(side: Side, wanted: Side, message: str) -> None:
    if side != wanted:
        raise PermissionDenied(message, code="wrong_side")


def require(allowed: bool, message: str, code: str = "permission_denied") -> None:
    """403 for a caller who sees the visit but may not do this."""
    if not allowed:
        raise PermissionDenied(message, code=code)
