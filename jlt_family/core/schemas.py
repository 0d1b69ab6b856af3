"""Schemas and fields shared by every domain."""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from marshmallow import missing as missing_

from jlt_family.core.timeutil import SHANGHAI

MAX_ID = 2**63 - 1


class ErrorSchema(Schema):
    """The one error envelope: a stable ``code``, a zh-CN ``message`` and per-field ``errors``."""

    code = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True, metadata={"example": "未找到该记录"})
    errors = fields.Dict(metadata={"description": "字段级错误 (field-level errors)"})


class Id(fields.Integer):
    """A database id: a positive 64-bit integer (rejects huge numbers instead of failing in the database)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID, error="无效的编号"))
        super().__init__(**kwargs)


def QueryId(**kwargs):  # noqa: N802 (a field factory, used like a field class)
    """An id read from a query string, where every value arrives as text ("?school_id=3")."""
    return Id(strict=False, **kwargs)


class SmallInt(fields.Integer):
    """A bounded integer, strict (no "3" for 3), within [min, max]."""

    def __init__(self, *, min=0, max=2**31 - 1, **kwargs):  # noqa: A002
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(min=min, max=max, error=f"应为 {min} 到 {max} 之间的整数"))
        super().__init__(**kwargs)


# Dates a person means (a term, a period of care, a filter): 2000–2100, so no calendar edge reaches the database.
DATE_RANGE = validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2100, 12, 31), error="日期应在 2000 年至 2100 年之间")


class ShanghaiDateTime(fields.DateTime):
    """ISO 8601 with offset: input must carry an offset; output is shown in Asia/Shanghai (+08:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(SHANGHAI).isoformat()

    EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is None:
            raise ValidationError("时间需带时区，例如 2026-11-22T15:00:00+08:00")
        try:
            result = result.astimezone(dt.UTC)
        except OverflowError:  # 0001-01-01 or 9999-12-31 shifted past the calendar's ends
            raise ValidationError("时间应在 2000 年到 2100 年之间") from None
        if not self.EARLIEST <= result < self.LATEST:
            raise ValidationError("时间应在 2000 年到 2100 年之间")
        return result


def text(max_len, *, required=False, min_len=0, **kwargs):
    """A trimmed string field with a length rule and a Chinese error."""
    return TrimmedString(
        required=required,
        validate=validate.Length(min=min_len, max=max_len, error=f"长度应为 {min_len} 到 {max_len} 个字符"),
        **kwargs,
    )


class TrimmedString(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        return result.strip()


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing else ("yes", 1 and "true" are refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


_MOBILE = r"1[3-9]\d{9}"
_LANDLINE = r"0\d{2,3}-?\d{7,8}(-\d{1,6})?"
PHONE_RE = re.compile(rf"^(?:{_MOBILE}|{_LANDLINE})$")


class PhoneNumber(TrimmedString):
    """A mainland mobile number (11 digits) or a landline with its area code (0471-6123456); spaces dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = re.sub(r"\s+", "", super()._deserialize(value, attr, data, **kwargs))
        if not PHONE_RE.match(result):
            raise ValidationError("请填写 11 位手机号或带区号的固定电话")
        return result


class PageArgsSchema(Schema):
    """分页参数 (read from the query string, so the integers arrive as text)."""

    page = SmallInt(min=1, max=100000, strict=False, load_default=1, metadata={"description": "页码，从 1 开始"})
    page_size = SmallInt(min=1, max=100, strict=False, load_default=20, metadata={"description": "每页条数，最多 100"})


_page_schemas: dict[type[Schema], type[Schema]] = {}


def page_of(item_schema_cls: type[Schema]) -> Any:
    """The paginated envelope ``{items, page, page_size, total}`` for an item schema (one class per item)."""
    if item_schema_cls not in _page_schemas:
        name = item_schema_cls.__name__.removesuffix("Schema") + "PageSchema"
        _page_schemas[item_schema_cls] = type(
            name,
            (Schema,),
            {
                "items": fields.List(fields.Nested(item_schema_cls), required=True),
                "page": fields.Integer(required=True),
                "page_size": fields.Integer(required=True),
                "total": fields.Integer(required=True),
            },
        )
    return _page_schemas[item_schema_cls]


class Label(fields.String):
    """The Chinese label of a code beside it (``status_label = Label(BOOKING_STATUS_LABELS, "status")``).

    The code is read from ``source`` by ``get_value`` rather than named in ``attribute``: marshmallow refuses two
    load fields of one schema with the same attribute, and a dump-only field would be documented ``readOnly``.
    Documented as a plain string; None when the code is None. The one field every schema uses to show a code's
    Chinese name.
    """

    def __init__(self, labels: Mapping[Any, str], source: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.labels = labels
        self.source = source

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing_) -> Any:
        return super().get_value(obj, self.source, accessor, default)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else self.labels[value]


class StateChangeSchema(Schema):
    """状态变更记录: one change of a booking's, a visit's ... state; who made it only as the staff see them."""

    from_state = fields.String(allow_none=True, required=True, metadata={"description": "原状态；创建时为 null"})
    to_state = fields.String(required=True, metadata={"description": "新状态"})
    actor_id = fields.Integer(
        attribute="actor_user_id", allow_none=True, required=True, metadata={"description": "操作人；系统任务为 null"}
    )
    reason = fields.String(allow_none=True, required=True, metadata={"description": "原因"})
    created_at = ShanghaiDateTime(required=True, metadata={"description": "时间（北京时间）"})
