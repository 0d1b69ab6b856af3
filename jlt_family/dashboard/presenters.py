"""What each dashboard page shows: the organisation (scopes, drill-down) and the evaluation numbers.

The numbers come from the reports package (``jlt_family.reports``); this module only picks and shapes them for
the pages and charts. Each page costs a bounded number of queries, whatever the number of classes or schools.
"""

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.dashboard import charts, scopes
from jlt_family.families.models import Student
from jlt_family.organizations.models import SchoolClass


def _student_counts(period, **where):
    """{class_id: students} of the school year's classes (one grouped query)."""
    stmt = (
        sa.select(SchoolClass, sa.func.count(Student.id))
        .outerjoin(Student, Student.class_id == SchoolClass.id)
        .where(SchoolClass.school_year == period.year.start_year)
        .group_by(SchoolClass.id)
        .order_by(SchoolClass.grade, SchoolClass.name, SchoolClass.id)
    )
    for column, value in where.items():
        stmt = stmt.where(getattr(SchoolClass, column) == value)
    return db.session.execute(stmt).all()


def region_page(actor, region, period):
    return {"alliances": scopes.visible_alliances(actor, region=region),
            "schools": scopes.visible_schools(actor, region=region)}


def alliance_page(actor, alliance, period):
    return {"schools": scopes.visible_schools(actor, alliance=alliance)}


def school_page(school, period):
    classes = [{"class": c, "students": n} for c, n in _student_counts(period, school_id=school.id)]
    return {"classes": classes, "charts": charts}


def class_page(school_class, period):
    students = db.session.scalar(sa.select(sa.func.count(Student.id)).where(Student.class_id == school_class.id))
    return {"students": students}
