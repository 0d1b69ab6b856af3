"""Regions, alliances, schools, classes and staff roles (a resource unit's catalogue face is in ``catalogue``).

This module holds the read-only views of the model; the class and roster views live in
``class_routes``, the staff-role views in ``staff_routes`` (imported at the bottom so they register on ``blp``).
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import current_actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import page_of
from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations import calendar, permissions, schemas, service
from jlt_family.organizations.blueprint import blp
from jlt_family.organizations.models import Region, School

# Regions -----------------------------------------------------------------------------------------------------


@blp.route("/regions", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.RegionArgsSchema, location="query")
@blp.response(200, page_of(schemas.RegionSchema))
@blp.errors(422)
def list_regions(args):
    """行政区划列表 (any signed-in user); filter by parent or level."""
    stmt = sa.select(Region).order_by(Region.code)
    if "parent_id" in args:
        stmt = stmt.where(Region.parent_id == args["parent_id"])
    if "level" in args:
        stmt = stmt.where(Region.level == args["level"])
    return paginate(stmt, args["page"], args["page_size"])


@blp.route("/regions/<id:region_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.RegionSchema)
@blp.errors(404)
def get_region(region_id):
    """行政区划详情, with the school calendar it uses (its own or inherited)."""
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound("未找到该行政区划", code="region_not_found")
    return region


# Schools -----------------------------------------------------------------------------------------------------


@blp.route("/schools", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.SchoolArgsSchema, location="query")
@blp.response(200, page_of(schemas.SchoolSchema))
@blp.errors(422)
def list_schools(args):
    """学校列表: schools of approved alliances, plus the caller's own (staff, administered, children's)."""
    stmt = (
        sa.select(School)
        .where(permissions.visible_schools(current_actor()))
        .options(selectinload(School.region), selectinload(School.alliance))
        .order_by(School.id)
    )
    if "region_id" in args:
        stmt = stmt.where(School.region_id.in_(service.region_subtree_ids([args["region_id"]])))
    if "alliance_id" in args:
        stmt = stmt.where(School.alliance_id == args["alliance_id"])
    if "kind" in args:
        stmt = stmt.where(School.kind == args["kind"])
    return paginate(stmt, args["page"], args["page_size"])


@blp.route("/schools/<id:school_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.SchoolSchema)
@blp.errors(404)
def get_school(school_id):
    """学校详情."""
    return permissions.school_or_404(current_actor(), school_id)


@blp.route("/schools/<id:school_id>/calendar", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CalendarArgsSchema, location="query")
@blp.response(200, schemas.SchoolCalendarSchema)
@blp.errors(404, 422)
def get_school_calendar(args, school_id):
    """校历: the school year and its two terms around ``date`` (default today), as the school's region sets."""
    school = permissions.school_or_404(current_actor(), school_id)
    return calendar.school_calendar(args.get("date") or shanghai_today(), school.region)


from jlt_family.organizations import (  # noqa: E402, F401  (register their views on blp)
    class_routes,
    placement_routes,
    staff_routes,
)
