"""What the coverage endpoints answer (家访覆盖): a class's coverage with its not-yet-visited students, a 班主任's
to-visit list, and the administrators' aggregates per school. The counting itself is ``coverage``; staff reads
of children's names are audit-logged here, in the trail of each school whose pupils they show.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.alliances.models import Alliance
from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit_read
from jlt_family.core.errors import NotFound, ValidationFailed
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate
from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations import permissions as org_permissions
from jlt_family.organizations.calendar import school_year_for, school_year_starting
from jlt_family.organizations.models import Region, School, SchoolClass
from jlt_family.organizations.service import region_subtree_ids
from jlt_family.organizations.students import Student
from jlt_family.visits import coverage
from jlt_family.visits.models import HomeVisit

FLAGS = ("left_behind", "in_difficulty", "disabled", "migrant")


@dataclass(frozen=True)
class ToVisit:
    """待家访学生: a student not yet visited this school year, in the class they count in, with their open visit;
    ``flags`` only for those who may see them (None otherwise)."""

    student: Student
    school_class: SchoolClass
    flags: list[str] | None
    open_visit: HomeVisit | None

    @property
    def id(self) -> int:
        return self.student.id

    @property
    def name(self) -> str:
        return self.student.name

    @property
    def student_no(self) -> str:
        return self.student.student_no

    @property
    def school_id(self) -> int:
        return self.school_class.school_id


@dataclass(frozen=True)
class ClassCoverage:
    """班级家访覆盖 of a class's school year: its counts, and a page of who is still to visit."""

    school_class: SchoolClass
    school_year: int
    students: int
    visited: int
    rate: float
    not_visited: dict[str, Any]


@dataclass(frozen=True)
class SchoolCoverage:
    id: int
    name: str
    students: int
    visited: int
    rate: float


@dataclass(frozen=True)
class Aggregate:
    """家访覆盖统计 of a school, an alliance or a region: totals and one line per school."""

    scope: str
    scope_id: int
    school_year: int
    students: int
    visited: int
    rate: float
    schools: list[SchoolCoverage]


def _to_visit_page(stmt: sa.Select | None, page: int, page_size: int, *, with_flags: bool) -> dict[str, Any]:
    """A page of (Student, the class they count in) rows as ``ToVisit`` items, with their open visits."""
    if stmt is None:
        return {"items": [], "page": page, "page_size": page_size, "total": 0}
    result = paginate(stmt.options(selectinload(Student.school_class)), page, page_size, scalars=False)
    open_visits = coverage.open_visits_of([student.id for student, _class in result["items"]])
    items = [
        ToVisit(
            student,
            counted_in,
            [name for name in FLAGS if getattr(student, name)] if with_flags else None,
            open_visits.get(student.id),
        )
        for student, counted_in in result["items"]
    ]
    return {**result, "items": items}


def class_coverage(actor: Actor, class_id: int, *, page: int, page_size: int) -> ClassCoverage:
    """班级家访覆盖 as the class's school-year report line counts it, with a page of the not-yet-visited students
    (flagged ones first, with their flags, for the 班主任 and school leaders); the read is audit-logged."""
    school_class = org_permissions.visible_or_404(actor, SchoolClass, class_id, org_permissions.can_read_roster)
    with_flags = org_permissions.sees_sensitive_flags(actor, school_class)
    year = school_year_starting(school_class.school_year, school_class.school.region)
    span = coverage.Span.of_year(year, shanghai_today())
    students, visited = coverage.class_counts(school_class, span)
    members = coverage.members([school_class.school_id], span, class_ids=[school_class.id])
    not_visited = _to_visit_page(
        coverage.unvisited(members, flagged_first=with_flags), page, page_size, with_flags=with_flags
    )
    audit_read(
        actor,
        "read_visit_coverage_flags" if with_flags else "read_visit_coverage",
        "school_class",
        school_class.id,
        not_visited,
        school_id=school_class.school_id,
    )
    return ClassCoverage(
        school_class, school_class.school_year, students, visited, coverage.rate(visited, students), not_visited
    )


def visits_to_do(actor: Actor, *, school_year: int | None, page: int, page_size: int) -> dict[str, Any]:
    """待家访: a page of the students of the caller's homeroom classes (as each class counts them) without a visit
    held this school year, flagged ones first; the read is in the trail of each school whose pupils it shows."""
    stmt = (
        sa.select(SchoolClass)
        .where(SchoolClass.id.in_(actor.homeroom_class_ids), SchoolClass.school_id.in_(actor.staff_school_ids))
        .options(selectinload(SchoolClass.school).selectinload(School.region))
    )
    if school_year is not None:
        stmt = stmt.where(SchoolClass.school_year == school_year)
    classes = list(db.session.scalars(stmt))
    members = coverage.members_of_classes(classes, shanghai_today())
    unvisited = coverage.unvisited(members, flagged_first=True) if members is not None else None
    found = _to_visit_page(unvisited, page, page_size, with_flags=True)
    if classes:
        schools = {c.school_id for c in classes}
        audit_read(
            actor,
            "read_visit_coverage_flags",
            "school_class",
            None,
            found,
            class_ids=[c.id for c in classes],
            school_id=next(iter(schools)) if len(schools) == 1 else None,
            per_school=lambda item: item.school_id,
        )
    return found


def _scope(actor: Actor, school_id: int | None, alliance_id: int | None, region_id: int | None) -> tuple:
    """(scope name, id, WHERE clause on School, region for the calendar) of the aggregate; 404 out of scope."""
    given = {"school_id": school_id, "alliance_id": alliance_id, "region_id": region_id}
    named = [name for name, value in given.items() if value is not None]
    if len(named) != 1:
        raise ValidationFailed("请指定且只指定 school_id、alliance_id、region_id 之一", code="scope_required")
    if school_id is not None:
        school = db.session.get(School, school_id)
        if school is None or not org_permissions.administers_school(actor, school):
            raise NotFound("未找到该学校", code="school_not_found")
        return "school", school_id, School.id == school_id, school.region
    if alliance_id is not None:
        alliance = db.session.get(Alliance, alliance_id)
        if alliance is None or not org_permissions.administers_alliance(actor, alliance):
            raise NotFound("未找到该教联体", code="alliance_not_found")
        return "alliance", alliance_id, School.alliance_id == alliance_id, alliance.region
    region = db.session.get(Region, region_id) if region_id is not None else None
    if region is None or region.id not in actor.region_ids:
        raise NotFound("未找到该地区", code="region_not_found")
    return "region", region.id, School.region_id.in_(region_subtree_ids({region.id})), region


def aggregate(
    actor: Actor,
    *,
    school_year: int | None,
    school_id: int | None = None,
    alliance_id: int | None = None,
    region_id: int | None = None,
) -> Aggregate:
    """家访覆盖统计 per school of one school, alliance or region the caller administers (counts only): the
    students each school counts in the school year (default: the current one) and those visited, up to today."""
    scope, scope_id, clause, region = _scope(actor, school_id, alliance_id, region_id)
    today = shanghai_today()
    year = school_year or school_year_for(today, region).start_year
    span = coverage.Span.of_year(school_year_starting(year, region), today)
    schools = [
        SchoolCoverage(
            row["id"], row["name"], row["students"], row["visited"], coverage.rate(row["visited"], row["students"])
        )
        for row in coverage.per_school(clause, span)
    ]
    students, visited = sum(s.students for s in schools), sum(s.visited for s in schools)
    return Aggregate(scope, scope_id, year, students, visited, coverage.rate(visited, students), schools)
