"""Schemas of the dashboard-invite endpoints of the API."""

from marshmallow import Schema, fields

from jlt_family.core.schemas import Id, ShanghaiDateTime


class DashboardInviteCreateSchema(Schema):
    user_id = Id(required=True, metadata={"description": "被邀请的工作人员（须在调用者的管理范围内）"})


class DashboardInviteSchema(Schema):
    """驾驶舱邀请: the link is shown only in this answer (the server keeps a hash of it)."""

    id = fields.Integer()
    user_id = fields.Integer()
    url = fields.String(metadata={"description": "一次性链接：打开后设置登录名和密码"})
    expires_at = ShanghaiDateTime()
    has_account = fields.Boolean(metadata={"description": "该用户已有驾驶舱账号（链接用于重设密码）"})
