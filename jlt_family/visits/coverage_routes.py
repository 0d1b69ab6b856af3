"""Coverage endpoints: per class (with the not-yet-visited list), a 班主任's to-visit list, admin aggregates."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.alliances.models import Alliance
from jlt_family.auth.context import current_actor
from jlt_family.core.audit import audit_read
from jlt_family.core.errors import NotFound, ValidationFailed
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations import permissions as org_permissions
from jlt_family.organizations.calendar import school_year_for, school_year_starting
from jlt_family.organizations.models import Region, School, SchoolClass
from jlt_family.organizations.service import region_subtree_ids
from jlt_family.organizations.students import Student
from jlt_family.visits import coverage, presenters, schemas
from jlt_family.visits.routes import blp


def _student_page(stmt, args, *, with_flags):
    """A page of (Student, the class they count in) rows as coverage students, with their open visits."""
    if stmt is None:
        return {"items": [], "page": args["page"], "page_size": args["page_size"], "total": 0}
    result = paginate(stmt.options(selectinload(Student.school_class)), args["page"], args["page_size"], scalars=False)
    open_visits = coverage.open_visits_of([student.id for student, _class in result["items"]])
    return {
        **result,
        "items": [
            {
                **presenters.coverage_student(student, with_flags=with_flags, open_visit=open_visits.get(student.id)),
                "school_class": {"id": counted_in.id, "name": counted_in.name},
            }
            for student, counted_in in result["items"]
        ],
    }


@blp.route("/classes/<id:class_id>/visit-coverage", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, schemas.CoverageSchema)
@blp.errors(404, 422)
def class_coverage(args, class_id):
    """班级家访覆盖: the students the class counts in its school year (its placement history: a past year's class
    keeps its own roster), the visited ones (a visit held in the school year, up to today), and who is still to
    visit (children with sensitive flags first, for the 班主任 and school leaders). The same numbers as the
    class's line of the school's evaluation report for that school year."""
    actor = current_actor()
    school_class = org_permissions.visible_or_404(actor, SchoolClass, class_id, org_permissions.can_read_roster)
    with_flags = org_permissions.sees_sensitive_flags(actor, school_class)
    year = school_year_starting(school_class.school_year, school_class.school.region)
    span = coverage.Span.of_year(year, shanghai_today())
    students, visited = coverage.class_counts(school_class, span)
    members = coverage.members([school_class.school_id], span, class_ids=[school_class.id])
    page = _student_page(coverage.unvisited(members, flagged_first=with_flags), args, with_flags=with_flags)
    audit_read(
        actor,
        "read_visit_coverage_flags" if with_flags else "read_visit_coverage",
        "school_class",
        school_class.id,
        page,
        school_id=school_class.school_id,
    )
    return {
        "school_class": {"id": school_class.id, "name": school_class.name},
        "school_year": school_class.school_year,
        "students": students,
        "visited": visited,
        "rate": coverage.rate(visited, students),
        "not_visited": page,
    }


@blp.route("/me/visits-to-do", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.SchoolYearQuerySchema, location="query")
@blp.response(200, page_of(schemas.CoverageStudentSchema))
@blp.errors(422)
def my_visits_to_do(args):
    """待家访: students of my homeroom classes (as each class counts them) without a visit held this school year,
    flagged ones first."""
    actor = current_actor()
    stmt = (
        sa.select(SchoolClass)
        .where(SchoolClass.id.in_(actor.homeroom_class_ids), SchoolClass.school_id.in_(actor.staff_school_ids))
        .options(selectinload(SchoolClass.school).selectinload(School.region))
    )
    if args.get("school_year") is not None:
        stmt = stmt.where(SchoolClass.school_year == args["school_year"])
    classes = list(db.session.scalars(stmt))
    members = coverage.members_of_classes(classes, shanghai_today())
    stmt = coverage.unvisited(members, flagged_first=True) if members is not None else None
    page = _student_page(stmt, args, with_flags=True)
    if classes:
        audit_read(
            actor,
            "read_visit_coverage_flags",
            "school_class",
            None,
            page,
            class_ids=[c.id for c in classes],
            school_id=next(iter(actor.staff_school_ids)) if len(actor.staff_school_ids) == 1 else None,
        )
    return page


def _scope(actor, args):
    """(scope name, id, WHERE clause on School, region for the calendar) of the aggregate; 404 out of scope."""
    given = [name for name in ("school_id", "alliance_id", "region_id") if args.get(name) is not None]
    if len(given) != 1:
        raise ValidationFailed("请指定且只指定 school_id、alliance_id、region_id 之一", code="scope_required")
    name, scope_id = given[0], args[given[0]]
    if name == "school_id":
        school = db.session.get(School, scope_id)
        if school is None or not org_permissions.administers_school(actor, school):
            raise NotFound("未找到该学校", code="school_not_found")
        return "school", scope_id, School.id == scope_id, school.region
    if name == "alliance_id":
        alliance = db.session.get(Alliance, scope_id)
        if alliance is None or not org_permissions.administers_alliance(actor, alliance):
            raise NotFound("未找到该教联体", code="alliance_not_found")
        return "alliance", scope_id, School.alliance_id == scope_id, alliance.region
    region = db.session.get(Region, scope_id)
    if region is None or scope_id not in actor.region_ids:
        raise NotFound("未找到该地区", code="region_not_found")
    return "region", scope_id, School.region_id.in_(region_subtree_ids({scope_id})), region


@blp.route("/visit-coverage", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.AggregateQuerySchema, location="query")
@blp.response(200, schemas.AggregateSchema)
@blp.errors(404, 422)
def coverage_aggregate(args):
    """家访覆盖统计 per school of a school, an alliance or a region (administrators; counts only): the students
    each school counts in the school year (placement history) and those with a visit held in it, up to today."""
    actor = current_actor()
    scope, scope_id, clause, region = _scope(actor, args)
    today = shanghai_today()
    school_year = args.get("school_year") or school_year_for(today, region).start_year
    span = coverage.Span.of_year(school_year_starting(school_year, region), today)
    schools = [
        {**row, "rate": coverage.rate(row["visited"], row["students"])} for row in coverage.per_school(clause, span)
    ]
    students, visited = sum(s["students"] for s in schools), sum(s["visited"] for s in schools)
    return {
        "scope": scope,
        "scope_id": scope_id,
        "school_year": school_year,
        "students": students,
        "visited": visited,
        "rate": coverage.rate(visited, students),
        "schools": schools,
    }
