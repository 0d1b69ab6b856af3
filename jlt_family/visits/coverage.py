"""家访覆盖率: students with at least one completed visit held in the school year, over the students counted.

One definition for the teacher's class view, the administrators' aggregate and the evaluation reports
(reports/queries.py), so that one class and one school year give one answer everywhere:

- **Who counts where** (分班记录, organizations/placements.py): a student counts in the last class of the school
  year they were placed in on or before the reference date, if they are still in a class of the same school on
  that date (a student who left counts nowhere; one promoted early into next year's class still counts in their
  last class of this year). Not the class's current members: a past year's class keeps its own roster.
- **When a visit counts**: when it was held, its record's ``visited_at`` (Asia/Shanghai days), between the school
  year's first day and the reference date, whatever window was agreed and whatever school year was stamped on
  it when it was proposed. A completed visit without a record (no API path makes one) is dated by its agreed
  start.

Counted in SQL (one grouped statement), never per student. Children with a sensitive flag come first in the
not-yet-visited lists of those allowed to see the flags (the 班主任 and school leaders).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, shanghai_today
from jlt_family.families.models import CareEntrustment, EntrustmentStatus
from jlt_family.organizations.calendar import SchoolYear, school_year_starting
from jlt_family.organizations.models import School, SchoolClass
from jlt_family.organizations.placements import StudentClassPlacement as Placement
from jlt_family.organizations.students import Student
from jlt_family.visits.models import OPEN_STATES, HomeVisit, VisitRecord, VisitState

FLAG_COLUMNS = (Student.left_behind, Student.in_difficulty, Student.disabled, Student.migrant)
# The schools counted: their ids, or a sub-select of them.
SchoolIds = Sequence[int] | sa.Select
# 留守, 困境: the flags whose coverage the reports show on their own (002 §5, §10)
REPORTED_FLAGS = ("left_behind", "in_difficulty")


@dataclass(frozen=True)
class Span:
    """覆盖周期: a school year (its start year and first day) counted up to ``reference_date`` (inclusive)."""

    school_year: int
    starts_on: dt.date
    reference_date: dt.date

    @classmethod
    def of_year(cls, school_year: SchoolYear, today: dt.date) -> "Span":
        """The whole school year up to today (its first day before it starts, its last day once it is over)."""
        reference = max(school_year.starts_on, min(school_year.ends_on, today))
        return cls(school_year.start_year, school_year.starts_on, reference)

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC of the Shanghai days from the school year's first day to the reference date."""
        start = dt.datetime.combine(self.starts_on, dt.time(), SHANGHAI)
        end = dt.datetime.combine(self.reference_date + dt.timedelta(days=1), dt.time(), SHANGHAI)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


class Counts(NamedTuple):
    """What one school or class counts: students and visited ones, the same for the left-behind (留守) and the
    children in difficulty (困境), and the left-behind with a care entrustment (委托照护) on file / acknowledged."""

    students: int = 0
    visited: int = 0
    left_behind: int = 0
    left_behind_visited: int = 0
    in_difficulty: int = 0
    in_difficulty_visited: int = 0
    entrusted: int = 0
    acknowledged: int = 0


def held_at() -> sa.ColumnElement[Any]:
    """When a visit was held: its record's time, else (no record) its agreed start."""
    return sa.func.coalesce(VisitRecord.visited_at, HomeVisit.starts_at)


def _held_between(student_id: Any, start: dt.datetime, end: dt.datetime) -> sa.Exists:
    """EXISTS a completed visit of ``student_id`` (a column) held in [start, end)."""
    held = held_at()
    return (
        sa.select(HomeVisit.id)
        .outerjoin(VisitRecord, VisitRecord.visit_id == HomeVisit.id)
        .where(HomeVisit.student_id == student_id, HomeVisit.state == VisitState.COMPLETED, held >= start, held < end)
        .exists()
    )


def members(school_ids: SchoolIds, span: Span, *, class_ids: Iterable[int] | None = None) -> sa.Select:
    """SELECT (student_id, class_id, school_id, visited 0/1) of the students counted in the schools (a list or a
    sub-select of ids) over ``span``, each in their class (see the module docstring); only those counted in
    ``class_ids`` when given."""
    ref = span.reference_date
    start, end = span.utc_bounds()
    ranked = (
        sa.select(
            Placement.student_id,
            Placement.class_id,
            SchoolClass.school_id,
            sa.func.row_number()
            .over(partition_by=Placement.student_id, order_by=(Placement.from_date.desc(), Placement.id.desc()))
            .label("rn"),
        )
        .join(SchoolClass, SchoolClass.id == Placement.class_id)
        .where(
            SchoolClass.school_year == span.school_year,
            SchoolClass.school_id.in_(school_ids),
            Placement.from_date <= ref,
        )
        .subquery("ranked")
    )
    # still in a class of the same school on that date (of any school year: a promotion before the year's end
    # keeps the student; a transfer to another school does not, though the student is placed there)
    current = aliased(SchoolClass)
    on_roster = sa.exists().where(
        Placement.student_id == ranked.c.student_id,
        Placement.from_date <= ref,
        sa.or_(Placement.to_date.is_(None), Placement.to_date > ref),
        current.id == Placement.class_id,
        current.school_id == ranked.c.school_id,
    )
    visited = sa.case((_held_between(ranked.c.student_id, start, end), 1), else_=0)
    stmt = sa.select(ranked.c.student_id, ranked.c.class_id, ranked.c.school_id, visited.label("visited")).where(
        ranked.c.rn == 1, on_roster
    )
    if class_ids is not None:
        stmt = stmt.where(ranked.c.class_id.in_(list(class_ids)))
    return stmt


def _sum(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _entrustment_on_file(student_id: Any, span: Span, *, acknowledged: bool) -> sa.Exists:
    """EXISTS a care entrustment of the student on file for the reference date: filed by then, not ended before
    it, not withdrawn (and, with ``acknowledged``, acknowledged by then)."""
    _start, end = span.utc_bounds()
    conditions = [
        CareEntrustment.student_id == student_id,
        CareEntrustment.created_at < end,
        sa.or_(CareEntrustment.ends_on.is_(None), CareEntrustment.ends_on >= span.reference_date),
    ]
    if acknowledged:
        conditions += [CareEntrustment.status == EntrustmentStatus.ACKNOWLEDGED, CareEntrustment.acknowledged_at < end]
    else:
        conditions.append(CareEntrustment.status != EntrustmentStatus.WITHDRAWN)
    return sa.select(CareEntrustment.id).where(*conditions).exists()


def counts(
    school_ids: SchoolIds, span: Span, *, per_class: bool = False, class_ids: Iterable[int] | None = None
) -> dict[int, Counts]:
    """{school_id: Counts} (or {class_id: Counts} with ``per_class``) of the students counted over ``span``:
    one grouped statement. Schools and classes without a counted student are absent."""
    m = members(school_ids, span, class_ids=class_ids).subquery("members")
    visited = m.c.visited == 1
    left, difficult = Student.left_behind.is_(True), Student.in_difficulty.is_(True)
    key = m.c.class_id if per_class else m.c.school_id
    stmt = (
        sa.select(
            key.label("key"),
            sa.func.count().label("students"),
            _sum(visited).label("visited"),
            _sum(left).label("left_behind"),
            _sum(sa.and_(left, visited)).label("left_behind_visited"),
            _sum(difficult).label("in_difficulty"),
            _sum(sa.and_(difficult, visited)).label("in_difficulty_visited"),
            _sum(sa.and_(left, _entrustment_on_file(m.c.student_id, span, acknowledged=False))).label("entrusted"),
            _sum(sa.and_(left, _entrustment_on_file(m.c.student_id, span, acknowledged=True))).label("acknowledged"),
        )
        .select_from(m)
        .join(Student, Student.id == m.c.student_id)
        .group_by(key)
    )
    return {row.key: Counts(*(int(value) for value in row[1:])) for row in db.session.execute(stmt)}


def _is_flagged() -> sa.ColumnElement[bool]:
    return sa.or_(*(column.is_(True) for column in FLAG_COLUMNS))


def unvisited(members_stmt: sa.Select | sa.CompoundSelect, *, flagged_first: bool) -> sa.Select:
    """SELECT (Student, the SchoolClass they count in) of the students of ``members_stmt`` (``members`` or a
    UNION ALL of them) without a visit held in their span: flagged children first when the caller may see the
    flags, then by class and student number."""
    m = members_stmt.subquery("members")
    order = [sa.case((_is_flagged(), 0), else_=1)] if flagged_first else []
    return (
        sa.select(Student, SchoolClass)
        .join(m, m.c.student_id == Student.id)
        .join(SchoolClass, SchoolClass.id == m.c.class_id)
        .where(m.c.visited == 0)
        .order_by(*order, SchoolClass.grade, SchoolClass.name, SchoolClass.id, Student.student_no, Student.id)
    )


def members_of_classes(classes: Iterable[SchoolClass], today: dt.date) -> sa.Select | sa.CompoundSelect | None:
    """``members`` of each class over its school year up to today (the calendar of its school's region), one
    UNION ALL branch per school and school year; None without classes."""
    groups: dict[tuple[int, int], list[SchoolClass]] = {}
    for school_class in classes:
        groups.setdefault((school_class.school_id, school_class.school_year), []).append(school_class)
    selects = []
    for (school_id, year), found in groups.items():
        span = Span.of_year(school_year_starting(year, found[0].school.region), today)
        selects.append(members([school_id], span, class_ids=[c.id for c in found]))
    if not selects:
        return None
    return selects[0] if len(selects) == 1 else sa.union_all(*selects)


def not_visited(class_ids: Iterable[int], *, flagged_first: bool, today: dt.date | None = None) -> sa.Select:
    """SELECT (student_id, class_id, and the flag columns) of the students these classes count in their school
    year up to ``today`` (``members_of_classes``) without a visit held in it; the classes are loaded here."""
    classes = db.session.scalars(
        sa.select(SchoolClass)
        .where(SchoolClass.id.in_(list(class_ids)))
        .options(selectinload(SchoolClass.school).selectinload(School.region))
    ).all()
    found = members_of_classes(classes, today or shanghai_today())
    if found is None:
        return sa.select(Student.id.label("student_id"), Student.class_id, *FLAG_COLUMNS).where(sa.false())
    m = found.subquery("members")
    order = [sa.case((_is_flagged(), 0), else_=1)] if flagged_first else []
    return (
        sa.select(m.c.student_id, m.c.class_id, *FLAG_COLUMNS)
        .join(Student, Student.id == m.c.student_id)
        .where(m.c.visited == 0)
        .order_by(*order, m.c.class_id, Student.student_no, Student.id)
    )


def class_counts(school_class: SchoolClass, span: Span | None = None) -> tuple[int, int]:
    """(students, visited) of a class over ``span`` (default: its school year up to today)."""
    if span is None:
        year = school_year_starting(school_class.school_year, school_class.school.region)
        span = Span.of_year(year, shanghai_today())
    found = counts([school_class.school_id], span, per_class=True, class_ids=[school_class.id])
    row = found.get(school_class.id, Counts())
    return row.students, row.visited


def open_visits_of(student_ids: Sequence[int]) -> dict[int, HomeVisit]:
    """The newest proposed or scheduled visit of each student (one query): {student_id: visit}."""
    if not student_ids:
        return {}
    visits = db.session.scalars(
        sa.select(HomeVisit)
        .where(HomeVisit.student_id.in_(student_ids), HomeVisit.state.in_(OPEN_STATES))
        .order_by(HomeVisit.id)
    ).all()
    return {visit.student_id: visit for visit in visits}


def per_school(school_ids_clause: sa.ColumnElement[bool], span: Span) -> list[dict[str, Any]]:
    """Counts per school (students counted over ``span``, visited ones) for the schools in the clause, by id."""
    school_ids = sa.select(School.id).where(school_ids_clause)
    found = counts(school_ids, span)
    if not found:
        return []
    names = dict(db.session.execute(sa.select(School.id, School.name).where(School.id.in_(list(found)))).all())
    return [
        {
            "id": school_id,
            "name": names[school_id],
            "students": found[school_id].students,
            "visited": found[school_id].visited,
        }
        for school_id in sorted(found)
    ]


def rate(visited: int, students: int) -> float:
    return round(visited / students, 4) if students else 0.0
