"""Schemas of the organisation API: regions, alliances, schools; the fields and briefs other domains nest.

The schemas dump model objects, or for answers that depend on the caller the small views of
``organizations.views`` (an alliance's member phones, masked or not).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from jlt_family.alliances.schemas import AllianceApplicationSchema
from jlt_family.core.schemas import Label, PageArgsSchema, QueryId, ShanghaiDateTime, SmallInt
from jlt_family.organizations.models import AllianceStatus, MemberKind, RegionLevel, SchoolKind

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
MIN_LEAD_MINUTES = 5
MAX_LEAD_MINUTES = 7 * 24 * 60


REGION_LEVEL_LABELS = {RegionLevel.PROVINCE: "省", RegionLevel.CITY: "市", RegionLevel.COUNTY: "区/县/旗县"}
ALLIANCE_STATUS_LABELS = {
    AllianceStatus.DRAFT: "草稿",
    AllianceStatus.SUBMITTED: "待审批",
    AllianceStatus.APPROVED: "已批准",
    AllianceStatus.SUSPENDED: "已暂停",
    AllianceStatus.RETURNED: "已退回",
}
MEMBER_KIND_LABELS = {
    MemberKind.RESOURCE_UNIT: "社会资源单位",
    MemberKind.COMMUNITY: "街道社区",
    MemberKind.DEPARTMENT: "政府部门",
}
SCHOOL_KIND_LABELS = {
    SchoolKind.KINDERGARTEN: "幼儿园",
    SchoolKind.PRIMARY: "小学",
    SchoolKind.JUNIOR: "初中",
    SchoolKind.SENIOR: "高中",
    SchoolKind.NINE_YEAR: "九年一贯制学校",
    SchoolKind.VOCATIONAL: "中职学校",
    SchoolKind.SPECIAL: "特殊教育学校",
}


class Derived(fields.String):
    """A text worked out from the whole object being dumped (``Derived(invite_status)``), documented as a string."""

    def __init__(self, derive: Callable[[Any], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.derive = derive

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> str:
        return self.derive(obj)


def one_of(enum_cls: type[enum.Enum]) -> validate.OneOf:
    """One of an enum's values, refused with the list of them in Chinese."""
    values = [m.value for m in enum_cls]
    return validate.OneOf(values, error=f"应为以下之一：{', '.join(values)}")


class HourMinute(fields.String):
    """A time of day as ``HH:MM`` (Asia/Shanghai wall clock)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"example": "22:00"})
        kwargs["metadata"] = {"pattern": _HHMM, **kwargs["metadata"]}
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value.strftime("%H:%M") if isinstance(value, dt.time) else value

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:  # a dt.time
        text_value = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(_HHMM, text_value):
            raise ValidationError("时间格式应为 HH:MM，如 22:00")
        return dt.datetime.strptime(text_value, "%H:%M").time()


# Regions -----------------------------------------------------------------------------------------------------


class RegionBriefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class MonthDay(fields.String):
    """A (month, day) pair of the calendar as ``MM-DD``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else "{:02d}-{:02d}".format(*value)


class RegionCalendarSchema(Schema):
    """The ``CalendarSettings`` a region uses, its own or inherited."""

    school_year_start = MonthDay(metadata={"description": "学年开始 MM-DD（含继承）", "example": "09-01"})
    spring_term_start = MonthDay(metadata={"description": "春季学期开始 MM-DD（含继承）", "example": "02-01"})


class RegionSchema(Schema):
    """行政区划."""

    id = fields.Integer()
    code = fields.String(metadata={"description": "行政区划代码"})
    name = fields.String()
    level = fields.String(metadata={"enum": [m.value for m in RegionLevel]})
    level_label = Label(REGION_LEVEL_LABELS, "level")
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
    """教联体成员单位 (a ``MemberView``): the phone is masked except for staff of the alliance and its region."""

    id = fields.Integer(attribute="member.id")
    kind = fields.String(attribute="member.kind")
    kind_label = Label(MEMBER_KIND_LABELS, "member.kind")
    name = fields.String(attribute="member.name")
    resource_unit_id = fields.Integer(attribute="member.resource_unit_id", allow_none=True)
    duties = fields.String(attribute="member.duties", metadata={"description": "职责"})
    cooperation = fields.String(attribute="member.cooperation", metadata={"description": "合作方式"})
    responsible_person = fields.String(attribute="member.responsible_person", metadata={"description": "负责人"})
    contact_phone = fields.String(metadata={"description": "联系电话（非本教联体工作人员看到的是脱敏号码）"})


class ReminderPolicySchema(Schema):
    """提醒策略 (of an ``Alliance``): lead times before an event and quiet hours (Asia/Shanghai) when pushes wait."""

    lead_minutes = fields.List(
        fields.Integer(), attribute="reminder_lead_minutes", metadata={"description": "提前提醒的分钟数，从长到短"}
    )
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
    def _check(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("请至少修改一项")
        leads = data.get("lead_minutes")
        if leads is not None and len(set(leads)) != len(leads):
            raise ValidationError("提前提醒的时间不能重复", "lead_minutes")


class AllianceSchema(Schema):
    """教联体 (an ``AllianceView``: the alliance as its caller sees it)."""

    id = fields.Integer(attribute="alliance.id")
    name = fields.String(attribute="alliance.name")
    region = fields.Nested(RegionBriefSchema, attribute="alliance.region")
    status = fields.String(attribute="alliance.status", metadata={"enum": [m.value for m in AllianceStatus]})
    status_label = Label(ALLIANCE_STATUS_LABELS, "alliance.status")
    description = fields.String(attribute="alliance.description")
    centre_schools = fields.List(fields.Nested(SchoolBriefSchema), metadata={"description": "中心学校（1–2 所）"})
    schools = fields.List(fields.Nested(SchoolBriefSchema), metadata={"description": "成员学校"})
    members = fields.List(fields.Nested(AllianceMemberSchema))
    reminder_policy = fields.Nested(ReminderPolicySchema, attribute="alliance")
    approved_at = ShanghaiDateTime(attribute="alliance.approved_at", allow_none=True)
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
    kind_label = Label(SCHOOL_KIND_LABELS, "kind")
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
    """学年 (a ``calendar.SchoolYear``)."""

    start_year = fields.Integer(metadata={"example": 2026})
    label = fields.String(metadata={"example": "2026–2027学年"})
    starts_on = fields.Date()
    ends_on = fields.Date()


class TermSchema(Schema):
    """学期 (a ``calendar.Term``)."""

    name = fields.String(metadata={"enum": ["autumn", "spring"]})
    label = fields.String(metadata={"example": "2026–2027学年秋季学期"})
    starts_on = fields.Date()
    ends_on = fields.Date()


class SchoolCalendarSchema(Schema):
    """校历 (a ``calendar.SchoolCalendar``): the school year and its two terms around a date."""

    date = fields.Date()
    school_year = fields.Nested(SchoolYearSchema)
    terms = fields.List(fields.Nested(TermSchema))
    current_term = fields.String(metadata={"description": "该日期所在学期 (autumn / spring)"})


# Users -------------------------------------------------------------------------------------------------------


class UserBriefSchema(Schema):
    id = fields.Integer()
    nickname = fields.String()
