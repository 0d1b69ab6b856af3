"""Chinese field-level validation messages: the ``errors`` of a 422 speak the user's language too.

marshmallow keeps its default messages in class-level dicts that every field merges at construction; setting
them once here, before any schema is defined, localises every schema of the project.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

FIELD_MESSAGES = {
    fields.Field: {"required": "此项为必填", "null": "此项不能为空", "validator_failed": "取值无效"},
    fields.String: {"invalid": "应为字符串", "invalid_utf8": "不是有效的 UTF-8 文本"},
    fields.Number: {"invalid": "应为数字", "too_large": "数值过大"},
    fields.Integer: {"invalid": "应为整数"},
    fields.Float: {"special": "不允许 NaN 或无穷大"},
    fields.Decimal: {"special": "不允许 NaN 或无穷大"},
    fields.Boolean: {"invalid": "应为 true 或 false"},
    fields.Date: {"invalid": "应为日期，例如 2026-11-22", "format": "无法格式化为日期"},
    fields.DateTime: {
        "invalid": "应为带时区的时间，例如 2026-11-22T15:00:00+08:00",
        "invalid_awareness": "时间需带时区",
        "format": "无法格式化为时间",
    },
    fields.Time: {"invalid": "应为时间，例如 07:00", "invalid_awareness": "时间格式有误", "format": "无法格式化为时间"},
    fields.Email: {"invalid": "不是有效的邮箱地址"},
    fields.URL: {"invalid": "不是有效的网址"},
    fields.Enum: {"unknown": "应为以下之一：{choices}"},
    fields.List: {"invalid": "应为列表"},
    fields.Tuple: {"invalid": "应为列表"},
    fields.Mapping: {"invalid": "应为对象"},
    fields.Nested: {"type": "应为对象"},
    fields.UUID: {"invalid_uuid": "不是有效的 UUID"},
}

VALIDATOR_MESSAGES = {
    validate.Length: {
        "message_min": "长度不能少于 {min}",
        "message_max": "长度不能超过 {max}",
        "message_all": "长度应为 {min} 到 {max}",
        "message_equal": "长度应为 {equal}",
    },
    validate.Range: {
        "message_min": "应{min_op} {{min}}",
        "message_max": "应{max_op} {{max}}",
        "message_all": "应{min_op} {{min}} 且{max_op} {{max}}",
        "message_gte": "大于或等于",
        "message_gt": "大于",
        "message_lte": "小于或等于",
        "message_lt": "小于",
    },
    validate.OneOf: {"default_message": "应为以下之一：{choices}"},
    validate.Regexp: {"default_message": "格式不正确"},
}


def localise() -> None:
    for field_cls, messages in FIELD_MESSAGES.items():
        field_cls.default_error_messages = {**field_cls.__dict__.get("default_error_messages", {}), **messages}  # type: ignore[attr-defined]
    for validator_cls, messages in VALIDATOR_MESSAGES.items():
        for attr, message in messages.items():
            setattr(validator_cls, attr, message)
    Schema._default_error_messages = {"type": "应为 JSON 对象", "unknown": "未知字段"}


localise()
