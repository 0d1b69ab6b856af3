"""Sign-in and profile schemas."""

from typing import Any

from marshmallow import Schema, fields, missing

from jlt_family.core.schemas import ShanghaiDateTime, text


class WeChatLoginSchema(Schema):
    code = text(128, required=True, min_len=1, metadata={"description": "wx.login 返回的 code"})


class DevLoginSchema(Schema):
    openid = text(64, required=True, min_len=1, metadata={"description": "开发模式下任意 openid，如 demo-parent-1"})
    nickname = text(40, load_default="")


class PhoneCodeSchema(Schema):
    code = text(128, required=True, min_len=1, metadata={"description": "getPhoneNumber 按钮返回的 code"})


class _ScopeName(fields.String):
    """The name of a membership's scope: its school, resource unit, alliance or region."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> str:
        return (obj.school or obj.resource_unit or obj.alliance or obj.region).name


class _SortedIntegers(fields.List):
    """A set of ids, listed in ascending order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.Integer(), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[int] | None:
        return None if value is None else super()._serialize(sorted(value), attr, obj, **kwargs)


class MembershipBriefSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    school_id = fields.Integer(allow_none=True)
    resource_unit_id = fields.Integer(allow_none=True)
    alliance_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    scope_name = _ScopeName()


class MeSchema(Schema):
    """当前用户: the owner sees their own phone unmasked. Dumps the caller (``Actor``)."""

    id = fields.Integer(attribute="user.id")
    nickname = fields.String(attribute="user.nickname")
    phone = fields.String(allow_none=True, attribute="user.phone")
    roles = fields.List(fields.String())
    memberships = fields.List(fields.Nested(MembershipBriefSchema))
    family_id = fields.Integer(allow_none=True)
    homeroom_class_ids = _SortedIntegers()
    created_at = ShanghaiDateTime(attribute="user.created_at")


class ProfileUpdateSchema(Schema):
    nickname = text(40, required=True)


class SessionTokenSchema(Schema):
    """Dumps a ``SignedIn``: the token and the signed-in caller."""

    token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = ShanghaiDateTime(required=True)
    user = fields.Nested(MeSchema)
