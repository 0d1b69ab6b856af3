"""Who may see and do what with families and children: predicates over the caller's scopes (deny by default).

Sensitive data of a child (the flags, the home address, care entrustments) is for the child's guardians, the
homeroom teacher (班主任) of the child's class and the school's leaders (school_admin); a subject teacher
(科任教师) of the class sees the child's name, class and student number; everyone else sees nothing (404).
"""

from jlt_family.auth.context import Actor
from jlt_family.core.db_types import StrEnum
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Student


class ChildAccess(StrEnum):
    """How much of a child the caller may see."""

    GUARDIAN = "guardian"  # the child's own guardians: everything
    LEADER = "leader"  # homeroom teacher or school admin: sensitive data, audit-logged
    BASIC = "basic"  # subject teacher of the class: name, class, student number


def is_guardian_of(actor: Actor, student: Student) -> bool:
    """The caller is a guardian of the child's family."""
    return actor.family_id is not None and student.family_id == actor.family_id


def is_homeroom_of(actor: Actor, class_id: int | None, school_id: int) -> bool:
    """The caller is the 班主任 of the class and still staff of its school."""
    return class_id is not None and class_id in actor.homeroom_class_ids and school_id in actor.staff_school_ids


def is_school_admin_of(actor: Actor, school_id: int) -> bool:
    return school_id in actor.admin_school_ids


def leads_class(actor: Actor, school_class: SchoolClass) -> bool:
    """班主任 of the class or a leader of its school: may decide binding requests of the class."""
    return is_homeroom_of(actor, school_class.id, school_class.school_id) or is_school_admin_of(
        actor, school_class.school_id
    )


def leads_student(actor: Actor, student: Student) -> bool:
    """班主任 of the child's class or a leader of the child's school: sees and changes sensitive data."""
    return is_homeroom_of(actor, student.class_id, student.school_id) or is_school_admin_of(actor, student.school_id)


def is_teacher_of(actor: Actor, student: Student) -> bool:
    """The caller teaches the child's class (班主任 or 科任教师) and is still staff of its school."""
    return (
        student.class_id is not None
        and student.class_id in actor.taught_class_ids
        and student.school_id in actor.staff_school_ids
    )


def child_access(actor: Actor, student: Student) -> ChildAccess | None:
    """The caller's view of a child, or None when the child is out of their scope."""
    if is_guardian_of(actor, student):
        return ChildAccess.GUARDIAN
    if leads_student(actor, student):
        return ChildAccess.LEADER
    if is_teacher_of(actor, student):
        return ChildAccess.BASIC
    return None
