"""Schemas of staff roles (岗位授权) and staff invite codes (岗位邀请码): they dump the model objects."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from jlt_family.core.schemas import Id, Label, PageArgsSchema, QueryId, ShanghaiDateTime, SmallInt, text
from jlt_family.organizations.models import StaffInvite, StaffMembership, StaffRole
from jlt_family.organizations.schemas import Derived, UserBriefSchema, one_of
from jlt_family.organizations.service import invite_status

ROLE_LABELS = {
    StaffRole.TEACHER: "教师",
    StaffRole.SCHOOL_ADMIN: "学校管理员",
    StaffRole.VENUE_STAFF: "场馆工作人员",
    StaffRole.ALLIANCE_ADMIN: "教联体管理员",
    StaffRole.REGION_ADMIN: "教育局管理员",
}


def scope_name_of(grant: StaffMembership | StaffInvite) -> str:
    """The name of the school, unit, alliance or region a role is held over (or invited to)."""
    scope = grant.school or grant.resource_unit or grant.alliance or grant.region
    return scope.name if scope is not None else ""


# Staff roles and invites -------------------------------------------------------------------------------------

_ROLE_DOC = (
    "teacher / school_admin: scope_id 为学校编号; venue_staff: 资源单位编号; alliance_admin: 教联体编号; "
    "region_admin: 行政区划编号"
)


class GrantSchema(Schema):
    user_id = Id(required=True)
    role = fields.String(required=True, validate=one_of(StaffRole), metadata={"description": _ROLE_DOC})
    scope_id = Id(required=True)
    display_name = text(40, load_default="", metadata={"description": "岗位上显示的姓名"})


class MembershipSchema(Schema):
    """岗位授权."""

    id = fields.Integer()
    user = fields.Nested(UserBriefSchema)
    display_name = fields.String()
    role = fields.String(metadata={"enum": [m.value for m in StaffRole]})
    role_label = Label(ROLE_LABELS, "role")
    school_id = fields.Integer(allow_none=True)
    resource_unit_id = fields.Integer(allow_none=True)
    alliance_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    scope_name = Derived(scope_name_of)
    granted_by_id = fields.Integer(allow_none=True)
    granted_at = ShanghaiDateTime()
    revoked_at = ShanghaiDateTime(allow_none=True)
    revoked_by_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


class ScopeArgsSchema(PageArgsSchema):
    """Exactly one scope: a school, a resource unit, an alliance or a region."""

    school_id = QueryId()
    resource_unit_id = QueryId()
    alliance_id = QueryId()
    region_id = QueryId()

    @validates_schema
    def _one_scope(self, data: dict[str, Any], **kwargs: Any) -> None:
        given = [k for k in ("school_id", "resource_unit_id", "alliance_id", "region_id") if k in data]
        if len(given) != 1:
            raise ValidationError("请指定且只指定一个范围：school_id、resource_unit_id、alliance_id 或 region_id")


class MembershipArgsSchema(ScopeArgsSchema):
    include_revoked = fields.Boolean(load_default=False)


class StaffInviteCreateSchema(Schema):
    role = fields.String(required=True, validate=one_of(StaffRole), metadata={"description": _ROLE_DOC})
    scope_id = Id(required=True)
    max_uses = SmallInt(min=1, max=500, load_default=1)
    expires_in_days = SmallInt(
        min=1,
        max=90,
        load_default=None,
        allow_none=True,
        metadata={"description": "有效天数，默认 STAFF_INVITE_TTL_DAYS"},
    )


class StaffInviteSchema(Schema):
    """岗位邀请码."""

    id = fields.Integer()
    code = fields.String(metadata={"example": "K7M3QX9TPA"})
    role = fields.String(metadata={"enum": [m.value for m in StaffRole]})
    role_label = Label(ROLE_LABELS, "role")
    school_id = fields.Integer(allow_none=True)
    resource_unit_id = fields.Integer(allow_none=True)
    alliance_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    scope_name = Derived(scope_name_of)
    max_uses = fields.Integer()
    used_count = fields.Integer()
    status = Derived(invite_status, metadata={"enum": ["active", "expired", "revoked", "used_up"]})
    created_at = ShanghaiDateTime()
    expires_at = ShanghaiDateTime()
    revoked_at = ShanghaiDateTime(allow_none=True)


class RedeemSchema(Schema):
    code = text(32, required=True, min_len=1, metadata={"example": "K7M3-QX9T-PA"})
    display_name = text(40, load_default="", metadata={"description": "岗位上显示的姓名，默认昵称"})
