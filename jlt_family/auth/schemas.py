"""Sign-in and profile schemas."""

from marshmallow import Schema, fields

from jlt_family.core.schemas import ShanghaiDateTime, text


class WeChatLoginSchema(Schema):
    code = text(128, required=True, min_len=1, metadata={"description": "wx.login 返回的 code"})


class DevLoginSchema(Schema):
    openid = text(64, required=True, min_len=1, metadata={"description": "开发模式下任意 openid，如 demo-parent-1"})
    nickname = text(40, load_default="")


class PhoneCodeSchema(Schema):
    code = text(128, required=True, min_len=1, metadata={"description": "getPhoneNumber 按钮返回的 code"})


class MembershipBriefSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    school_id = fields.Integer(allow_none=True)
    resource_unit_id = fields.Integer(allow_none=True)
    alliance_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    scope_name = fields.String()


class MeSchema(Schema):
    """当前用户: the owner sees their own phone unmasked."""

    id = fields.Integer()
    nickname = fields.String()
    phone = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    memberships = fields.List(fields.Nested(MembershipBriefSchema))
    family_id = fields.Integer(allow_none=True)
    homeroom_class_ids = fields.List(fields.Integer())
    created_at = ShanghaiDateTime()


class ProfileUpdateSchema(Schema):
    nickname = text(40, required=True)


class SessionTokenSchema(Schema):
    token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = ShanghaiDateTime(required=True)
    user = fields.Nested(MeSchema)
