"""Reading a school's classes and a class's roster (班级与花名册). Services raise domain errors and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.core.audit import audit_read
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate
from jlt_family.families.models import Student
from jlt_family.organizations import permissions
from jlt_family.organizations.models import ClassTeacher, School, SchoolClass

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
