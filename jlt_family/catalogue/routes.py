"""Endpoints of resource units, of the county resource catalogue (一旗县一清单) and of resource-unit management."""

from jlt_family.auth.context import current_actor
from jlt_family.catalogue import export, permissions, queries, schemas, service, views
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import PageArgsSchema, page_of

blp = Blueprint(
    "catalogue",
    __name__,
    url_prefix="/api/v1",
    description="资源目录清单 (the county resource catalogue) and resource-unit management",
)


# ---- resource units ----------------------------------------------------------------------------------------------


@blp.route("/resource-units", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.ResourceUnitArgsSchema, location="query")
@blp.response(200, page_of(schemas.ResourceUnitSchema))
@blp.errors(422)
def list_resource_units(args):
    """社会资源单位列表 (资源目录): filter by region (with its subregions), kind and alliance."""
    actor = current_actor()
    stmt = queries.visible_units(
        actor, region_id=args.get("region_id"), kind=args.get("kind"), alliance_id=args.get("alliance_id")
    )
    return present_page(paginate(stmt, args["page"], args["page_size"]), lambda unit: views.unit_view(unit, actor))


@blp.route("/resource-units/<id:unit_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.ResourceUnitSchema)
@blp.errors(404)
def get_resource_unit(unit_id):
    """社会资源单位详情 (kind with its Chinese label)."""
    actor = current_actor()
    return views.unit_view(permissions.unit_or_404(actor, unit_id), actor)


# ---- resource units (the bureau; venue staff for the public profile) --------------------------------------------


@blp.route("/regions/<id:region_id>/resource-units", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.ResourceUnitCreateSchema)
@blp.response(201, schemas.ManagedUnitSchema)
@blp.errors(403, 404, 409, 422)
def create_unit(data, region_id):
    """添加社会资源单位 (the education bureau of the region or above; the name is unique in the region)."""
    actor = current_actor()
    region = permissions.region_or_404(region_id)
    permissions.require(region.id in actor.region_ids, "只有本地区教育局可以添加资源单位")
    unit = service.create_unit(region, data, actor=actor)
    db.session.commit()
    return views.unit_view(unit, actor)


@blp.route("/resource-units/<id:unit_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.ResourceUnitUpdateSchema)
@blp.response(200, schemas.ManagedUnitSchema)
@blp.errors(403, 404, 409, 422)
def update_unit(data, unit_id):
    """修改资源单位: the bureau any field; the unit's venue staff its address, opening info, description, contact."""
    actor = current_actor()
    unit = permissions.unit_or_404(actor, unit_id)
    permissions.require(permissions.edits_unit_profile(actor, unit), "只有教育局或本单位工作人员可以修改")
    service.update_unit(unit, data, actor=actor, as_admin=permissions.administers_unit_region(actor, unit))
    db.session.commit()
    return views.unit_view(unit, actor)


@blp.route("/resource-units/<id:unit_id>/deactivate", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.DeactivateSchema)
@blp.response(200, schemas.ManagedUnitSchema)
@blp.errors(403, 404, 409, 422)
def deactivate_unit(data, unit_id):
    """停用资源单位 with a reason (the bureau): parents and staff no longer see it in the catalogue."""
    actor = current_actor()
    unit = permissions.unit_or_404(actor, unit_id)
    permissions.require(permissions.administers_unit_region(actor, unit), "只有本地区教育局可以停用资源单位")
    service.deactivate_unit(unit, actor=actor, reason=data["reason"])
    db.session.commit()
    return views.unit_view(unit, actor)


@blp.route("/resource-units/<id:unit_id>/reactivate", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.ManagedUnitSchema)
@blp.errors(403, 404, 409)
def reactivate_unit(unit_id):
    """恢复启用资源单位 (the bureau)."""
    actor = current_actor()
    unit = permissions.unit_or_404(actor, unit_id)
    permissions.require(permissions.administers_unit_region(actor, unit), "只有本地区教育局可以恢复启用资源单位")
    service.reactivate_unit(unit, actor=actor)
    db.session.commit()
    return views.unit_view(unit, actor)


@blp.route("/resource-units/<id:unit_id>/changes", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(schemas.UnitChangeSchema))
@blp.errors(404, 422)
def list_unit_changes(args, unit_id):
    """资源单位变更记录, newest first (the bureau above the unit and the unit's staff)."""
    unit = permissions.unit_changes_or_404(current_actor(), unit_id)
    return present_page(paginate(service.unit_changes(unit), args["page"], args["page_size"]), views.UnitChange)


# ---- the catalogue --------------------------------------------------------------------------------------------


@blp.route("/regions/<id:region_id>/catalogue", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CatalogueArgsSchema, location="query")
@blp.response(200, schemas.CataloguePageSchema)
@blp.errors(404, 422)
def get_catalogue(args, region_id):
    """一旗县一清单: the county's resource units with their offerings and alliances, filtered and searched."""
    audience = permissions.catalogue_audience_or_404(current_actor(), region_id)
    return service.catalogue_page(audience, args)


@blp.route("/regions/<id:region_id>/catalogue/export", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CatalogueExportArgsSchema, location="query")
@blp.response(200, content_type="text/csv", description="CSV（UTF-8 带 BOM）或 XLSX，每行一个单位 × 开放项目")
@blp.errors(403, 404, 422)
def export_catalogue(args, region_id):
    """导出资源清单 as CSV or XLSX with the same filters (the bureau: every unit; alliance admins: their units)."""
    audience = permissions.catalogue_audience_or_404(current_actor(), region_id)
    permissions.require(audience.may_export, "只有教育局和教联体管理员可以导出资源清单")
    entries = service.catalogue_export(audience, args)
    return export.file_response(entries, audience.region, args["format"])
