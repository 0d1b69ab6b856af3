"""Coverage endpoints: per class (with the not-yet-visited list), a 班主任's to-visit list, admin aggregates."""

from typing import Any

from jlt_family.auth.context import current_actor
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.visits import coverage_service, schemas
from jlt_family.visits.blueprint import blp


@blp.route("/classes/<id:class_id>/visit-coverage", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, schemas.CoverageSchema)
@blp.errors(404, 422)
def class_coverage(args: dict[str, Any], class_id: int) -> coverage_service.ClassCoverage:
    """班级家访覆盖: the students the class counts in its school year (its placement history: a past year's class
    keeps its own roster), the visited ones (a visit held in the school year, up to today), and who is still to
    visit (children with sensitive flags first, for the 班主任 and school leaders). The same numbers as the
    class's line of the school's evaluation report for that school year."""
    actor = current_actor()
    return coverage_service.class_coverage(actor, class_id, page=args["page"], page_size=args["page_size"])


@blp.route("/me/visits-to-do", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.SchoolYearQuerySchema, location="query")
@blp.response(200, page_of(schemas.CoverageStudentSchema))
@blp.errors(422)
def my_visits_to_do(args: dict[str, Any]) -> dict[str, Any]:
    """待家访: students of my homeroom classes (as each class counts them) without a visit held this school year,
    flagged ones first."""
    return coverage_service.visits_to_do(
        current_actor(), school_year=args.get("school_year"), page=args["page"], page_size=args["page_size"]
    )


@blp.route("/visit-coverage", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.AggregateQuerySchema, location="query")
@blp.response(200, schemas.AggregateSchema)
@blp.errors(404, 422)
def coverage_aggregate(args: dict[str, Any]) -> coverage_service.Aggregate:
    """家访覆盖统计 per school of a school, an alliance or a region (administrators; counts only): the students
    each school counts in the school year (placement history) and those with a visit held in it, up to today."""
    return coverage_service.aggregate(
        current_actor(),
        school_year=args.get("school_year"),
        school_id=args.get("school_id"),
        alliance_id=args.get("alliance_id"),
        region_id=args.get("region_id"),
    )
