"""Regions, schools, classes, resource units and staff roles (the alliances are in ``alliances.routes``).

This module holds the blueprint and the read-only views of the model; the class and roster views live in
``class_routes``, the staff-role views in ``staff_routes`` (imported at the bottom so they register on ``blp``).
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import CombinedMultiDict

from jlt_family.alliances.models import Alliance, AllianceMember
from jlt_family.auth.context import current_actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.routing import Blueprint, JsonParser
from jlt_family.core.schemas import page_of
from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations import permissions, presenters, schemas, service
from jlt_family.organizations.models import Region, ResourceUnit, School


class _Parser(JsonParser):
    """The project's parser (lone surrogates refused) with a ``multipart`` location: form fields and files of one
    multipart body together."""

    __location_map__ = dict(multipart="load_multipart", **JsonParser.__location_map__)

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


blp = Blueprint("organizations", __name__, url_prefix="/api/v1", description="组织机构 (regions, alliances, schools)")
blp.ARGUMENTS_PARSER = _Parser()
blp.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
    **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
    "multipart": "multipart/form-data",
}


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
    return present_page(paginate(stmt, args["page"], args["page_size"]), presenters.region_out)


@blp.route("/regions/<id:region_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.RegionSchema)
@blp.errors(404)
def get_region(region_id):
    """行政区划详情, with the school calendar it uses (its own or inherited)."""
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound("未找到该行政区划", code="region_not_found")
    return presenters.region_out(region)


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
    return present_page(paginate(stmt, args["page"], args["page_size"]), presenters.school_out)


@blp.route("/schools/<id:school_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.SchoolSchema)
@blp.errors(404)
def get_school(school_id):
    """学校详情."""
    return presenters.school_out(permissions.school_or_404(current_actor(), school_id))


@blp.route("/schools/<id:school_id>/calendar", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CalendarArgsSchema, location="query")
@blp.response(200, schemas.SchoolCalendarSchema)
@blp.errors(404, 422)
def get_school_calendar(args, school_id):
    """校历: the school year and its two terms around ``date`` (default today), as the school's region sets."""
    school = permissions.school_or_404(current_actor(), school_id)
    return presenters.calendar_out(args.get("date") or shanghai_today(), school.region)


# Resource units ----------------------------------------------------------------------------------------------


@blp.route("/resource-units", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.ResourceUnitArgsSchema, location="query")
@blp.response(200, page_of(schemas.ResourceUnitSchema))
@blp.errors(422)
def list_resource_units(args):
    """社会资源单位列表 (资源目录): filter by region (with its subregions), kind and alliance."""
    actor = current_actor()
    stmt = (
        sa.select(ResourceUnit)
        .where(permissions.visible_units(actor))
        .options(
            selectinload(ResourceUnit.region),
            selectinload(ResourceUnit.memberships).selectinload(AllianceMember.alliance),
        )
        .order_by(ResourceUnit.id)
    )
    if "region_id" in args:
        stmt = stmt.where(ResourceUnit.region_id.in_(service.region_subtree_ids([args["region_id"]])))
    if "kind" in args:
        stmt = stmt.where(ResourceUnit.kind == args["kind"])
    if "alliance_id" in args:
        members = (
            sa.select(AllianceMember.resource_unit_id)
            .join(Alliance, Alliance.id == AllianceMember.alliance_id)
            .where(AllianceMember.alliance_id == args["alliance_id"], permissions.visible_alliances(actor))
        )
        stmt = stmt.where(ResourceUnit.id.in_(members))
    return present_page(paginate(stmt, args["page"], args["page_size"]), lambda u: presenters.unit_out(u, actor))


@blp.route("/resource-units/<id:unit_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.ResourceUnitSchema)
@blp.errors(404)
def get_resource_unit(unit_id):
    """社会资源单位详情 (kind with its Chinese label)."""
    actor = current_actor()
    return presenters.unit_out(permissions.unit_or_404(actor, unit_id), actor)


from jlt_family.organizations import (  # noqa: E402, F401  (register their views on blp)
    class_routes,
    placement_routes,
    staff_routes,
)
