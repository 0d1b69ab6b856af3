"""Schemas of the inbox, consents, mutes, broadcasts and the delivery state.

Input schemas are strict: unknown fields, wrong types and out-of-range values answer 422 with Chinese messages.
"""

from typing import Any

from marshmallow import Schema, fields, validate

from jlt_family.core.schemas import Id, PageArgsSchema, ShanghaiDateTime, SmallInt, StrictBoolean, text
from jlt_family.reminders.models import InboxOutcome, ReminderStatus

KIND_RE = r"^[a-z][a-z0-9_]{0,39}$"


def kind_field(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(KIND_RE, error="提醒类型应为小写字母、数字和下划线，最长 40 个字符"),
        metadata={"description": "提醒类型，如 course_session, home_visit, venue_booking, broadcast"},
        **kwargs,
    )


# ---- input ---------------------------------------------------------------------------------------------------


class InboxArgsSchema(PageArgsSchema):
    unread = fields.Boolean(load_default=False, metadata={"description": "只看未读"})


class ConsentReportSchema(Schema):
    accepted = fields.List(
        text(64, min_len=1),
        required=True,
        validate=validate.Length(min=1, max=3, error="每次最多上报 3 个模板"),
        metadata={"description": "wx.requestSubscribeMessage 中用户同意（accept）的模板 ID；每个计一次推送额度"},
    )


class MutesSchema(Schema):
    kinds = fields.List(
        kind_field(),
        required=True,
        validate=validate.Length(max=50, error="最多 50 种"),
        metadata={"description": "不推送的提醒类型（仍进入站内消息）"},
    )


class BroadcastCreateSchema(Schema):
    title = text(40, required=True, min_len=1, metadata={"description": "通知标题"})
    body = text(500, required=True, min_len=1, metadata={"description": "通知内容"})
    page = text(300, load_default="", metadata={"description": "点击后打开的小程序页面（可带参数）"})
    school_ids = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={"description": "只发给这些学校的家庭（空：教联体全部学校）"},
    )
    grades = fields.List(
        SmallInt(min=-3, max=12),
        load_default=list,
        validate=validate.Length(max=15),
        metadata={"description": "只发给这些年级的家庭（-3..-1 幼儿园，1..12；空：全部年级）"},
    )


# ---- output --------------------------------------------------------------------------------------------------


class InboxItemSchema(Schema):
    """站内消息: a reminder or notice in the user's inbox."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String()
    place = fields.String()
    page = fields.String(metadata={"description": "点击后打开的小程序页面"})
    starts_at = ShanghaiDateTime(allow_none=True, metadata={"description": "所提醒事项的开始时间"})
    at = ShanghaiDateTime(required=True, attribute="inbox_at", metadata={"description": "消息时间"})
    is_read = StrictBoolean(required=True)
    read_at = ShanghaiDateTime(allow_none=True)


class UnreadCountSchema(Schema):
    unread = fields.Integer(required=True)


class MarkedSchema(Schema):
    marked = fields.Integer(required=True, metadata={"description": "标为已读的条数"})


class TemplateCreditSchema(Schema):
    kind = fields.String(required=True)
    template_id = fields.String(required=True)
    credits = fields.Integer(required=True, metadata={"description": "剩余可推送次数"})


class ConsentsSchema(Schema):
    """订阅消息额度: the configured template of each kind and the credits left; ``ignored``: unknown ids."""

    templates = fields.List(fields.Nested(TemplateCreditSchema), required=True)
    ignored = fields.List(fields.String(), load_default=list)


class BroadcastSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    page = fields.String()
    school_ids = fields.List(fields.Integer())
    grades = fields.List(fields.Integer())
    recipients = fields.Integer(required=True, metadata={"description": "收到通知的家长人数"})
    created_at = ShanghaiDateTime(required=True)


class StatusCountSchema(Schema):
    status = fields.Enum(ReminderStatus, by_value=True, required=True)
    kind = fields.String(required=True)
    count = fields.Integer(required=True)


class OldestPendingSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    due_at = ShanghaiDateTime(required=True)
    attempts = fields.Integer(required=True)
    last_error = fields.String()


class FailureCountSchema(Schema):
    error_code = fields.Integer(allow_none=True, metadata={"description": "微信错误码（空：超时或网络错误）"})
    count = fields.Integer(required=True)


class OutcomeCountSchema(Schema):
    outcome = fields.Enum(InboxOutcome, by_value=True, allow_none=True)
    count = fields.Integer(required=True)


class DeliveryStateSchema(Schema):
    """提醒投递状态: counts by status and kind, the oldest due pending reminder, failures, inbox-only reasons."""

    counts = fields.List(fields.Nested(StatusCountSchema), required=True)
    oldest_due_pending = fields.Nested(OldestPendingSchema, allow_none=True)
    failures = fields.List(fields.Nested(FailureCountSchema), required=True)
    inbox_only = fields.List(fields.Nested(OutcomeCountSchema), required=True)


class RegionDeliveryStateSchema(DeliveryStateSchema):
    """本地区提醒投递状态: the delivery state over the alliances of a region and the regions under it."""

    alliances = fields.Integer(required=True, metadata={"description": "计入的教联体数"})
