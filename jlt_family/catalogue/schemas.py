"""Schemas of resource units, of the county resource catalogue and of resource-unit management.

Bad query parameters of the catalogue answer 422 with a stable code of their own (``unknown_unit_kind``,
``invalid_grade``, ``keyword_too_long`` ...) and a Chinese message; the field errors stay under ``errors.query``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from jlt_family.catalogue.service import NewUnit
from jlt_family.core.errors import ValidationFailed
from jlt_family.core.schemas import Label, PageArgsSchema, PhoneNumber, QueryId, ShanghaiDateTime, text
from jlt_family.organizations.grades import VALID_GRADES
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS, ResourceUnitKind
from jlt_family.organizations.schemas import AllianceBriefSchema, RegionBriefSchema, UserBriefSchema, one_of
from jlt_family.venues.models import OFFERING_KIND_LABELS, OfferingKind, PriceKind

MAX_KEYWORD_LENGTH = 50
_UNIT_KINDS = ", ".join(kind.value for kind in ResourceUnitKind)
_OFFERING_KINDS = ", ".join(kind.value for kind in OfferingKind)


def _enum(enum_cls: Any, description: str, **kwargs: Any) -> fields.Enum:
    return fields.Enum(enum_cls, by_value=True, metadata={"description": description}, **kwargs)


# Resource units ----------------------------------------------------------------------------------------------


class ResourceUnitSchema(Schema):
    """社会资源单位 (a ``UnitView``): the contact phone is masked except for the unit's staff and its administrators."""

    id = fields.Integer(attribute="unit.id")
    name = fields.String(attribute="unit.name")
    kind = fields.String(attribute="unit.kind", metadata={"enum": [m.value for m in ResourceUnitKind]})
    kind_label = Label(RESOURCE_UNIT_KIND_LABELS, "unit.kind", metadata={"example": "科技馆"})
    region = fields.Nested(RegionBriefSchema, attribute="unit.region")
    school_id = fields.Integer(attribute="unit.school_id", allow_none=True)
    address = fields.String(attribute="unit.address")
    opening_info = fields.String(attribute="unit.opening_info")
    description = fields.String(attribute="unit.description")
    contact_person = fields.String(attribute="unit.contact_person")
    contact_phone = fields.String()
    is_active = fields.Boolean(attribute="unit.is_active")
    alliances = fields.List(fields.Nested(AllianceBriefSchema))


class ResourceUnitArgsSchema(PageArgsSchema):
    region_id = QueryId(metadata={"description": "该区划及其下级的单位"})
    kind = fields.String(validate=one_of(ResourceUnitKind))
    alliance_id = QueryId()


# Resource-unit management ------------------------------------------------------------------------------------


class ResourceUnitProfileSchema(Schema):
    """The public profile a unit's venue staff may edit."""

    address = text(200, metadata={"description": "地址"})
    opening_info = text(2000, metadata={"description": "开放信息，如 周二至周日 9:00–16:30，周一闭馆"})
    description = text(4000, metadata={"description": "简介"})
    contact_person = text(40, metadata={"description": "联系人"})
    contact_phone = PhoneNumber(metadata={"description": "联系电话：11 位手机号或带区号的固定电话"})


class ResourceUnitUpdateSchema(ResourceUnitProfileSchema):
    """修改资源单位 (PATCH): the bureau may change every field, the unit's venue staff only the profile."""

    name = text(100, min_len=1, metadata={"description": "名称（本行政区划内唯一）"})
    kind = _enum(ResourceUnitKind, f"类型：{_UNIT_KINDS}")


class ResourceUnitCreateSchema(ResourceUnitUpdateSchema):
    """添加资源单位 (the bureau of the region or above); loads a ``NewUnit``."""

    name = text(100, min_len=1, required=True, metadata={"description": "名称（本行政区划内唯一）"})
    kind = _enum(ResourceUnitKind, f"类型：{_UNIT_KINDS}", required=True)

    @post_load
    def _new_unit(self, data: dict[str, Any], **kwargs: Any) -> NewUnit:
        return NewUnit(
            name=data["name"],
            kind=data["kind"],
            address=data.get("address"),
            opening_info=data.get("opening_info"),
            description=data.get("description"),
            contact_person=data.get("contact_person"),
            contact_phone=data.get("contact_phone"),
        )


class DeactivateSchema(Schema):
    reason = text(200, required=True, min_len=1, metadata={"description": "停用原因，如 场馆改造"})


class ManagedUnitSchema(ResourceUnitSchema):
    """社会资源单位, with the time of its last change."""

    updated_at = ShanghaiDateTime(attribute="unit.updated_at")


class UnitChangeSchema(Schema):
    """资源单位变更记录 (a ``UnitChange``, from the audit log)."""

    id = fields.Integer()
    action = fields.String(metadata={"enum": ["create", "update", "deactivate", "reactivate"]})
    action_label = fields.String()
    actor = fields.Nested(UserBriefSchema, allow_none=True, metadata={"description": "谁改的"})
    changes = fields.Dict(metadata={"description": "字段 → [原值, 新值]"})
    reason = fields.String(allow_none=True)
    created_at = ShanghaiDateTime()


# The catalogue --------------------------------------------------------------------------------------------------

# Query parameter → (stable code, Chinese message) when it is refused.
_ARG_ERRORS = {
    "kind": ("unknown_unit_kind", "未知的资源单位类型"),
    "offering_kind": ("unknown_offering_kind", "未知的开放项目类型"),
    "grade": ("invalid_grade", "年级应为 1 到 12（小学一年级到高三），幼儿园小班、中班、大班为 -3、-2、-1"),
    "q": ("keyword_too_long", f"搜索关键词不能超过 {MAX_KEYWORD_LENGTH} 个字"),
    "alliance_id": ("invalid_alliance_id", "教联体编号无效"),
    "free_only": ("invalid_flag", "free_only 应为 true 或 false"),
    "green_only": ("invalid_flag", "green_only 应为 true 或 false"),
    "format": ("unknown_export_format", "导出格式应为 csv 或 xlsx"),
}


class _CodedArgsSchema(Schema):
    """Query arguments whose refusal carries the code of the first bad parameter (see ``_ARG_ERRORS``); paging
    and anything else is the API-wide ``validation_error``, as on every other list."""

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        for name in messages:
            if name in _ARG_ERRORS:
                code, message = _ARG_ERRORS[name]
                break
        else:
            raise ValidationFailed(errors={"query": messages})
        raise ValidationFailed(message, code=code, errors={"query": messages})


def _grade(value: int) -> None:
    if value not in VALID_GRADES:
        raise ValidationError("年级应为 1 到 12，幼儿园为 -3、-2、-1")


class CatalogueFilterSchema(_CodedArgsSchema):
    kind = _enum(ResourceUnitKind, f"资源单位类型：{_UNIT_KINDS}")
    alliance_id = QueryId(metadata={"description": "只看服务该教联体的单位"})
    grade = fields.Integer(validate=_grade, metadata={"description": "适合该年级（1–12；幼儿园 -3、-2、-1）的开放项目"})
    offering_kind = _enum(OfferingKind, f"开放项目类型：{_OFFERING_KINDS}")
    free_only = fields.Boolean(load_default=False, metadata={"description": "只看免费项目"})
    green_only = fields.Boolean(load_default=False, metadata={"description": "只看有绿色通道的项目"})
    q = text(MAX_KEYWORD_LENGTH, metadata={"description": "关键词：单位名称、简介或开放项目名称"})


class CatalogueArgsSchema(CatalogueFilterSchema, PageArgsSchema):
    pass


class CatalogueExportArgsSchema(CatalogueFilterSchema):
    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(["csv", "xlsx"]),
        metadata={"description": "csv（UTF-8 带 BOM，Excel 可直接打开）或 xlsx"},
    )


class NextSlotSchema(Schema):
    """A ``Slot``."""

    id = fields.Integer()
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime()


class CatalogueOfferingSchema(Schema):
    """清单中的一个开放项目 (an ``OfferingEntry``)."""

    id = fields.Integer(attribute="offering.id")
    title = fields.String(attribute="offering.title")
    kind = fields.String(attribute="offering.kind", metadata={"enum": [k.value for k in OfferingKind]})
    kind_label = Label(OFFERING_KIND_LABELS, "offering.kind")
    description = fields.String(attribute="offering.description")
    min_grade = fields.Integer(attribute="offering.min_grade", allow_none=True)
    max_grade = fields.Integer(attribute="offering.max_grade", allow_none=True)
    min_age = fields.Integer(attribute="offering.min_age", allow_none=True)
    max_age = fields.Integer(attribute="offering.max_age", allow_none=True)
    audience_label = fields.String(metadata={"example": "三年级至六年级"})
    price_kind = fields.String(attribute="offering.price_kind", metadata={"enum": [k.value for k in PriceKind]})
    price_cents = fields.Integer(attribute="offering.price_cents")
    student_price_cents = fields.Integer(attribute="offering.student_price_cents")
    price_label = fields.String(metadata={"example": "免费"})
    schedule_label = fields.String(metadata={"description": "每周开放时间", "example": "周六 10:00"})
    green_channel = fields.Boolean(metadata={"description": "为教联体学生预留绿色通道名额"})
    green_alliances = fields.List(fields.Nested(AllianceBriefSchema))
    next_slot = fields.Nested(NextSlotSchema, allow_none=True, metadata={"description": "最近一个仍有名额的场次"})
    updated_at = ShanghaiDateTime(attribute="offering.updated_at")


class CatalogueUnitSchema(Schema):
    """清单中的一个资源单位 (a ``CatalogueEntry``)."""

    id = fields.Integer(attribute="unit.id")
    name = fields.String(attribute="unit.name")
    kind = fields.String(attribute="unit.kind", metadata={"enum": [k.value for k in ResourceUnitKind]})
    kind_label = Label(RESOURCE_UNIT_KIND_LABELS, "unit.kind")
    region = fields.Nested(RegionBriefSchema, attribute="unit.region")
    address = fields.String(attribute="unit.address")
    opening_info = fields.String(attribute="unit.opening_info")
    description = fields.String(attribute="unit.description")
    contact_person = fields.String(attribute="unit.contact_person")
    contact_phone = fields.String(metadata={"description": "家长看到的是掩码"})
    is_active = fields.Boolean(attribute="unit.is_active")
    alliances = fields.List(fields.Nested(AllianceBriefSchema), metadata={"description": "服务的教联体（已批准）"})
    offerings = fields.List(fields.Nested(CatalogueOfferingSchema), attribute="offering_entries")
    updated_at = ShanghaiDateTime(metadata={"description": "单位或其开放项目的最后更新时间"})


class CataloguePageSchema(Schema):
    """One page of a county's catalogue (a ``CataloguePage``)."""

    region = fields.Nested(RegionBriefSchema, required=True)
    items = fields.List(fields.Nested(CatalogueUnitSchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)
