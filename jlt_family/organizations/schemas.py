"""Schemas of the organisation API: regions, alliances, schools, classes, staff roles."""

import datetime as dt
import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from jlt_family.alliances.schemas import AllianceApplicationSchema
from jlt_family.core.schemas import PageArgsSchema, QueryId, ShanghaiDateTime, SmallInt
from jlt_family.organizations.models import (
    AllianceStatus,
    RegionLevel,
    SchoolKind,
)

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
MIN_LEAD_MINUTES = 5
MAX_LEAD_MINUTES = 7 * 24 * 60


def one_of(enum_cls):
    """One of an enum's values, refused with the list of them in Chinese."""
    values = [m.value for m in enum_cls]
    return validate.OneOf(values, error=f"应为以下之一：{', '.join(values)}")


class HourMinute(fields.String):
    """A time of day as ``HH:MM`` (Asia/Shanghai wall clock)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"example": "22:00"})
        kwargs["metadata"] = {"pattern": _HHMM, **kwargs["metadata"]}
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%H:%M") if isinstance(value, dt.time) else value

    def _deserialize(self, value, attr, data, **kwargs):
        text_value = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(_HHMM, text_value):
            raise ValidationError("时间格式应为 HH:MM，如 22:00")
        return dt.datetime.strptime(text_value, "%H:%M").time()


# Regions -----------------------------------------------------------------------------------------------------


class RegionBriefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class RegionCalendarSchema(Schema):
    school_year_start = fields.String(metadata={"description": "学年开始 MM-DD（含继承）", "example": "09-01"})
    spring_term_start = fields.String(metadata={"description": "春季学期开始 MM-DD（含继承）", "example": "02-01"})


class RegionSchema(Schema):
    """行政区划."""

    id = fields.Integer()
    code = fields.String(metadata={"description": "行政区划代码"})
    name = fields.String()
    level = fields.String(metadata={"enum": [m.value for m in RegionLevel]})
    level_label = fields.String()
    parent_id = fields.Integer(allow_none=True)
    calendar = fields.Nested(RegionCalendarSchema)


class RegionArgsSchema(PageArgsSchema):
    parent_id = QueryId(metadata={"description": "只列出该区划的直接下级"})
    level = fields.String(validate=one_of(RegionLevel))


# Alliances ---------------------------------------------------------------------------------------------------


class SchoolBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class AllianceBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class AllianceMemberSchema(Schema):
    """教联体成员单位: the contact phone is masked except for staff of the alliance and its region."""

    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    name = fields.String()
    resource_unit_id = fields.Integer(allow_none=True)
    duties = fields.String(metadata={"description": "职责"})
    cooperation = fields.String(metadata={"description": "合作方式"})
    responsible_person = fields.String(metadata={"description": "负责人"})
    contact_phone = fields.String(metadata={"description": "联系电话（非本教联体工作人员看到的是脱敏号码）"})


class ReminderPolicySchema(Schema):
    """提醒策略: lead times before an event and quiet hours (Asia/Shanghai) when pushes wait."""

    lead_minutes = fields.List(fields.Integer(), metadata={"description": "提前提醒的分钟数，从长到短"})
    quiet_hours_start = HourMinute()
    quiet_hours_end = HourMinute()


class ReminderPolicyUpdateSchema(Schema):
    lead_minutes = fields.List(
        SmallInt(min=MIN_LEAD_MINUTES, max=MAX_LEAD_MINUTES),
        validate=validate.Length(min=1, max=5, error="提前提醒应设置 1 到 5 个"),
        metadata={"description": "1–5 个不同的提前量，每个 5 分钟到 7 天（10080 分钟）", "example": [1440, 120]},
    )
    quiet_hours_start = HourMinute()
    quiet_hours_end = HourMinute(metadata={"example": "07:00"})

    @validates_schema
    def _check(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项")
        leads = data.get("lead_minutes")
        if leads is not None and len(set(leads)) != len(leads):
            raise ValidationError("提前提醒的时间不能重复", "lead_minutes")


class AllianceSchema(Schema):
    """教联体."""

    id = fields.Integer()
    name = fields.String()
    region = fields.Nested(RegionBriefSchema)
    status = fields.String(metadata={"enum": [m.value for m in AllianceStatus]})
    status_label = fields.String()
    description = fields.String()
    centre_schools = fields.List(fields.Nested(SchoolBriefSchema), metadata={"description": "中心学校（1–2 所）"})
    schools = fields.List(fields.Nested(SchoolBriefSchema), metadata={"description": "成员学校"})
    members = fields.List(fields.Nested(AllianceMemberSchema))
    reminder_policy = fields.Nested(ReminderPolicySchema)
    approved_at = ShanghaiDateTime(allow_none=True)
    # 申报与审批 (jlt_family.alliances.schemas), for those who take part in it; null for everybody else.
    application = fields.Nested(AllianceApplicationSchema, allow_none=True)


class AllianceArgsSchema(PageArgsSchema):
    region_id = QueryId(metadata={"description": "该区划及其下级的教联体"})
    status = fields.String(validate=one_of(AllianceStatus))


# Schools -----------------------------------------------------------------------------------------------------


class SchoolSchema(Schema):
    """学校."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": [m.value for m in SchoolKind]})
    kind_label = fields.String()
    region = fields.Nested(RegionBriefSchema)
    alliance = fields.Nested(AllianceBriefSchema, allow_none=True)
    is_alliance_centre = fields.Boolean()
    address = fields.String()


class SchoolArgsSchema(PageArgsSchema):
    region_id = QueryId()
    alliance_id = QueryId()
    kind = fields.String(validate=one_of(SchoolKind))


class CalendarArgsSchema(Schema):
    date = fields.Date(metadata={"description": "YYYY-MM-DD，默认今天（北京时间）"})


class SchoolYearSchema(Schema):
    start_year = fields.Integer(metadata={"example": 2026})
    label = fields.String(metadata={"example": "2026–2027学年"})
    starts_on = fields.Date()
    ends_on = fields.Date()


class TermSchema(Schema):
    name = fields.String(metadata={"enum": ["autumn", "spring"]})
    label = fields.String(metadata={"example": "2026–2027学年秋季学期"})
    starts_on = fields.Date()
    ends_on = fields.Date()


class SchoolCalendarSchema(Schema):
    """校历: the school year and its two terms around a date."""

    date = fields.Date()
    school_year = fields.Nested(SchoolYearSchema)
    terms = fields.List(fields.Nested(TermSchema))
    current_term = fields.String(metadata={"description": "该日期所在学期 (autumn / spring)"})


# Users -------------------------------------------------------------------------------------------------------


class UserBriefSchema(Schema):
    id = fields.Integer()
    nickname = fields.String()
