"""Classes (班级): invite codes, teachers, the school's class list and a class's roster. Services raise domain
errors and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.models import User
from jlt_family.core.audit import audit_read
from jlt_family.core.codes import CLASS_CODE_LENGTH, new_code
from jlt_family.core.errors import Conflict, NotFound, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate
from jlt_family.organizations import permissions
from jlt_family.organizations.models import ClassTeacher, School, SchoolClass, StaffMembership, StaffRole
from jlt_family.organizations.service import CODE_ATTEMPTS
from jlt_family.organizations.students import Student

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor


def school_classes(actor: Actor, school: School, *, school_year: int | None, grade: int | None) -> sa.Select:
    """The statement of the school's classes the caller may list, newest school year first, then by grade."""
    stmt = (
        sa.select(SchoolClass)
        .where(SchoolClass.school_id == school.id)
        .where(permissions.visible_classes_clause(actor, school))
        .options(
            selectinload(SchoolClass.homeroom_teacher),
            selectinload(SchoolClass.subject_teachers).selectinload(ClassTeacher.user),
        )
        .order_by(SchoolClass.school_year.desc(), SchoolClass.grade, SchoolClass.name)
    )
    if school_year is not None:
        stmt = stmt.where(SchoolClass.school_year == school_year)
    if grade is not None:
        stmt = stmt.where(SchoolClass.grade == grade)
    return stmt


def student_counts(class_ids: Sequence[int]) -> dict[int, int]:
    """{class_id: number of students}, in one query."""
    if not class_ids:
        return {}
    rows = db.session.execute(
        sa.select(Student.class_id, sa.func.count()).where(Student.class_id.in_(class_ids)).group_by(Student.class_id)
    )
    return {class_id: count for class_id, count in rows.all() if class_id is not None}


def read_class_roster(actor: Actor, school_class: SchoolClass, *, page: int, page_size: int) -> dict[str, Any]:
    """One page of the class list (a ``paginate`` page of students), audit-logged.

    One entry per read of the roster; with the sensitive flags shown, the entry names the children whose flags
    were read.
    """
    stmt = sa.select(Student).where(Student.class_id == school_class.id).order_by(Student.student_no, Student.id)
    result = paginate(stmt, page, page_size)
    if permissions.sees_sensitive_flags(actor, school_class):
        audit_read(
            actor,
            "read_student_sensitive",
            "school_class",
            school_class.id,
            result,
            school_id=school_class.school_id,
            student_ids=[student.id for student in result["items"]],
        )
    else:
        audit_read(
            actor, "read_class_roster", "school_class", school_class.id, result, school_id=school_class.school_id
        )
    return result


# Invite codes and teachers --------------------------------------------------------------------------------------


def unused_class_codes(count: int) -> list[str]:
    """``count`` fresh class invite codes, none of them in use."""
    codes: set[str] = set()
    for _ in range(CODE_ATTEMPTS):
        wanted = {new_code(CLASS_CODE_LENGTH) for _ in range(count - len(codes))}
        taken = set(db.session.scalars(sa.select(SchoolClass.invite_code).where(SchoolClass.invite_code.in_(wanted))))
        codes |= wanted - taken
        if len(codes) >= count:
            return list(codes)[:count]
    raise Conflict("邀请码生成失败，请重试", code="code_generation_failed")


def regenerate_invite_code(school_class: SchoolClass) -> SchoolClass:
    """换一个班级邀请码: the old one stops working at once."""
    school_class.invite_code = unused_class_codes(1)[0]
    return school_class


def _is_active_teacher(user_id: int, school_id: int) -> bool:

    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(StaffMembership)
        .join(User, User.id == StaffMembership.user_id)
        .where(
            StaffMembership.user_id == user_id,
            StaffMembership.school_id == school_id,
            StaffMembership.role == StaffRole.TEACHER,
            StaffMembership.active_key == 1,
            User.is_active.is_(True),
        )
    )
    return bool(count)


def _require_teacher(user_id: int, school_class: SchoolClass) -> None:
    if not _is_active_teacher(user_id, school_class.school_id):
        raise RuleViolation(
            "该用户不是本校在岗教师",
            code="not_a_teacher_of_school",
            errors={"json": {"user_id": ["该用户不是本校在岗教师"]}},
        )


def set_homeroom_teacher(school_class: SchoolClass, *, user_id: int | None) -> SchoolClass:
    """指定班主任 (``None`` clears it); the teacher must hold an active teacher role at the school."""
    if user_id is not None:
        _require_teacher(user_id, school_class)
    school_class.homeroom_teacher_id = user_id
    return school_class


def add_subject_teacher(school_class: SchoolClass, *, user_id: int, subject: str = "") -> ClassTeacher:
    """添加科任教师."""
    _require_teacher(user_id, school_class)
    if any(t.user_id == user_id for t in school_class.subject_teachers):
        raise Conflict("该教师已是本班科任教师", code="already_class_teacher")
    assignment = ClassTeacher(class_id=school_class.id, user_id=user_id, subject=subject)
    school_class.subject_teachers.append(assignment)
    db.session.flush()
    return assignment


def remove_subject_teacher(school_class: SchoolClass, user_id: int) -> None:
    """移除科任教师."""
    for assignment in school_class.subject_teachers:
        if assignment.user_id == user_id:
            school_class.subject_teachers.remove(assignment)
            db.session.flush()
            return
    raise NotFound("该教师不是本班科任教师", code="class_teacher_not_found")
