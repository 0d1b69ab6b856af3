"""家访覆盖率: students with at least one completed visit in the school year, over all students.

Counted in SQL (one grouped query per report), never per student. Children with a sensitive flag come first in
the not-yet-visited lists of those allowed to see the flags (the 班主任 and school leaders).
"""

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.families.models import Student
from jlt_family.organizations.models import School, SchoolClass
from jlt_family.visits.models import OPEN_STATES, HomeVisit, VisitState

FLAG_COLUMNS = (Student.left_behind, Student.in_difficulty, Student.disabled, Student.migrant)


def _visited(school_year):
    """EXISTS a completed visit of the student (row of ``Student``) in ``school_year`` (a value or a column)."""
    return (
        sa.select(HomeVisit.id)
        .where(HomeVisit.student_id == Student.id, HomeVisit.state == VisitState.COMPLETED,
               HomeVisit.school_year == school_year)
        .exists()
    )


def _is_flagged():
    return sa.or_(*(column.is_(True) for column in FLAG_COLUMNS))


def _counts(stmt, school_year):
    visited = sa.func.coalesce(sa.func.sum(sa.case((_visited(school_year), 1), else_=0)), 0)
    return stmt.add_columns(sa.func.count(Student.id).label("students"), visited.label("visited"))


def class_counts(school_class):
    """(students, visited) of a class in its school year."""
    stmt = _counts(sa.select().select_from(Student).where(Student.class_id == school_class.id),
                   school_class.school_year)
    row = db.session.execute(stmt).one()
    return row.students, int(row.visited)


def not_visited(class_ids, *, flagged_first):
    """Students of these classes without a completed visit in their class's school year."""
    order = [sa.case((_is_flagged(), 0), else_=1)] if flagged_first else []
    return (
        sa.select(Student)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .where(Student.class_id.in_(list(class_ids)), ~_visited(SchoolClass.school_year))
        .order_by(*order, SchoolClass.id, Student.student_no, Student.id)
    )


def open_visits_of(student_ids):
    """The newest proposed or scheduled visit of each student (one query): {student_id: visit}."""
    if not student_ids:
        return {}
    visits = db.session.scalars(
        sa.select(HomeVisit).where(HomeVisit.student_id.in_(student_ids), HomeVisit.state.in_(OPEN_STATES))
        .order_by(HomeVisit.id)
    ).all()
    return {visit.student_id: visit for visit in visits}


def per_school(school_ids_clause, school_year):
    """Counts per school (students in the school year's classes, visited ones) for schools in the clause."""
    stmt = (
        sa.select(School.id, School.name)
        .select_from(School)
        .join(SchoolClass, sa.and_(SchoolClass.school_id == School.id, SchoolClass.school_year == school_year))
        .join(Student, Student.class_id == SchoolClass.id)
        .where(school_ids_clause)
        .group_by(School.id, School.name)
        .order_by(School.id)
    )
    rows = db.session.execute(_counts(stmt, school_year)).all()
    return [{"id": row.id, "name": row.name, "students": row.students, "visited": int(row.visited)}
            for row in rows]


def rate(visited, students):
    return round(visited / students, 4) if students else 0.0
