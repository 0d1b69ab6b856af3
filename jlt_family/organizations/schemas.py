"""Schemas of the organisation API: regions and schools; the fields and briefs other domains nest.

The schemas dump model objects (or the small views of ``organizations.views``).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate

from jlt_family.core.schemas import Label, PageArgsSchema, QueryId
from jlt_family.organizations.models import RegionLevel, SchoolKind

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


REGION_LEVEL_LABELS = {RegionLevel.PROVINCE: "省", RegionLevel.CITY: "市", RegionLevel.COUNTY: "区/县/旗县"}
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
