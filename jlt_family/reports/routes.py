"""Evaluation report endpoints (评估报表): a school, an alliance or a region, as JSON or CSV. Staff reads audited."""

from typing import Any

from flask import Response
from marshmallow import Schema

from jlt_family.auth.context import Actor, current_actor
from jlt_family.core.audit import audit
from jlt_family.core.extensions import db
from jlt_family.core.routing import Blueprint
from jlt_family.reports import export, permissions, schemas, service
from jlt_family.reports.periods import resolve_period

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="评估报表 (evaluation reports)")

_CSV = (
    "CSV（UTF-8 BOM，Excel 可直接打开）：周期、截至（数据截至日期）、类别、对象、指标、数值（比率为百分数）、要求、"
    "是否达标（达标 / 未达标 / 进行中）"
)


def _json_or_csv(schema: type[Schema]) -> dict[str, Any]:
    """``?format=csv`` answers the same report as CSV: the 200 answer documents both content types."""
    return {
        "200": {
            "description": "OK",
            "content": {
                "application/json": {"schema": schema},
                "text/csv": {"schema": {"type": "string", "description": _CSV}},
            },
        }
    }


def _answer(
    actor: Actor, report: dict[str, Any], args: dict[str, Any], as_csv: bool = False, school_id: int | None = None
) -> dict[str, Any] | Response:
    """Audit the read, commit it, then answer JSON or CSV."""
    scope = report["scope"]
    as_csv = as_csv or args.get("format") == "csv"
    audit(
        actor,
        "read_evaluation_report",
        scope["kind"],
        scope["id"],
        school_id=school_id,
        school_year=report["period"]["school_year"],
        term=report["period"]["term"],
        format="csv" if as_csv else "json",
    )
    db.session.commit()
    if not as_csv:
        return report
    return Response(
        export.report_csv(report),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(report)}"',
            "Cache-Control": "private, no-store",
        },
    )


def _school(args: dict[str, Any], school_id: int, as_csv: bool = False) -> dict[str, Any] | Response:
    actor = current_actor()
    school = permissions.school_or_404(actor, school_id)
    period = resolve_period(school.region, args.get("school_year"), args.get("term"))
    # the not-yet-visited names: the school's leaders, in JSON only (no child's name goes into a file)
    for_leaders = not (as_csv or args.get("format") == "csv") and permissions.sees_children_of(actor, school)
    report = service.school_report(school, period, for_leaders=for_leaders)
    if for_leaders:
        audit(
            actor,
            "read_not_visited_list",
            "school",
            school.id,
            school_id=school.id,
            school_year=period.school_year.start_year,
            term=period.name,
            rows=len(report["not_visited"]["items"]),
            flagged=sum(1 for item in report["not_visited"]["items"] if item["flags"]),
        )
    return _answer(actor, report, args, as_csv, school_id=school.id)


def _alliance(args: dict[str, Any], alliance_id: int, as_csv: bool = False) -> dict[str, Any] | Response:
    actor = current_actor()
    alliance = permissions.alliance_or_404(actor, alliance_id)
    period = resolve_period(alliance.region, args.get("school_year"), args.get("term"))
    return _answer(actor, service.alliance_report(alliance, period), args, as_csv)


def _region(args: dict[str, Any], region_id: int, as_csv: bool = False) -> dict[str, Any] | Response:
    actor = current_actor()
    region = permissions.region_or_404(actor, region_id)
    period = resolve_period(region, args.get("school_year"), args.get("term"))
    return _answer(actor, service.region_report(region, period), args, as_csv)


@blp.route("/reports/schools/<id:school_id>", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.EvaluationReportArgsSchema, location="query")
@blp.response(200, schemas.SchoolEvaluationSchema)
@blp.errors(404, 422)
@blp.doc(responses=_json_or_csv(schemas.SchoolEvaluationSchema))
def school_report(args: dict[str, Any], school_id: int) -> dict[str, Any] | Response:
    """学校评估报表: home-visit coverage (per class), activities against the policy numbers, attendance, venue
    bookings and parent feedback of a term or school year (school admins and administrators above the school)."""
    return _school(args, school_id)


@blp.route("/reports/schools/<id:school_id>/export", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.ReportPeriodArgsSchema, location="query")
@blp.response(200, content_type="text/csv", description=_CSV)
@blp.errors(404, 422)
def school_report_csv(args: dict[str, Any], school_id: int) -> dict[str, Any] | Response:
    """学校评估报表导出 (CSV, UTF-8 with BOM)."""
    return _school(args, school_id, as_csv=True)


@blp.route("/reports/alliances/<id:alliance_id>", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.EvaluationReportArgsSchema, location="query")
@blp.response(200, schemas.AllianceEvaluationSchema)
@blp.errors(404, 422)
@blp.doc(responses=_json_or_csv(schemas.AllianceEvaluationSchema))
def alliance_report(args: dict[str, Any], alliance_id: int) -> dict[str, Any] | Response:
    """教联体评估报表: its schools together and each school (drill-down), with its coordination meetings
    (alliance admins and region admins above it)."""
    return _alliance(args, alliance_id)


@blp.route("/reports/alliances/<id:alliance_id>/export", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.ReportPeriodArgsSchema, location="query")
@blp.response(200, content_type="text/csv", description=_CSV)
@blp.errors(404, 422)
def alliance_report_csv(args: dict[str, Any], alliance_id: int) -> dict[str, Any] | Response:
    """教联体评估报表导出 (CSV, UTF-8 with BOM)."""
    return _alliance(args, alliance_id, as_csv=True)


@blp.route("/reports/regions/<id:region_id>", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.EvaluationReportArgsSchema, location="query")
@blp.response(200, schemas.RegionEvaluationSchema)
@blp.errors(404, 422)
@blp.doc(responses=_json_or_csv(schemas.RegionEvaluationSchema))
def region_report(args: dict[str, Any], region_id: int) -> dict[str, Any] | Response:
    """区县评估报表: the region and the regions under it; each alliance and each school (drill-down)
    (region admins of the region or a region above it)."""
    return _region(args, region_id)


@blp.route("/reports/regions/<id:region_id>/export", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.ReportPeriodArgsSchema, location="query")
@blp.response(200, content_type="text/csv", description=_CSV)
@blp.errors(404, 422)
def region_report_csv(args: dict[str, Any], region_id: int) -> dict[str, Any] | Response:
    """区县评估报表导出 (CSV, UTF-8 with BOM)."""
    return _region(args, region_id, as_csv=True)
