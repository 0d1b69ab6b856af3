"""Schemas of the home-visit API. Input is strict: unknown fields, wrong types and bad values answer 422.

The output schemas dump the model objects (a visit, its windows, history, record, follow-ups, feedback, the
school's settings) and the few view objects that carry what depends on the caller (``reading.SeenVisit``: their
side, and whether they see the notes and the home address) or what is counted (``coverage_service``).
"""

import datetime as dt
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from jlt_family.core.schemas import (
    Id,
    PageArgsSchema,
    QueryId,
    ShanghaiDateTime,
    SmallInt,
    StrictBoolean,
    text,
)
from jlt_family.core.timeutil import to_shanghai
from jlt_family.organizations.schemas import HourMinute
from jlt_family.visits.models import FollowUpStatus, Side, VisitAction, VisitMode, VisitPurpose, VisitState
from jlt_family.visits.records import RecordEntry

_MODE_DOC = "方式: home 入户, school 到校, online 线上, phone 电话"
_PURPOSE_DOC = (
    "目的: academic 学业, psychological 心理, safety 安全, family_education 家庭教育, "
    "financial_aid 资助帮扶, other 其他"
)


def _enum(enum_cls: type, doc: str, *, required: bool = False, allow_none: bool = False) -> fields.Enum:
    return fields.Enum(enum_cls, by_value=True, metadata={"description": doc}, required=required, allow_none=allow_none)


def _at_most(max_len: int) -> validate.Length:
    return validate.Length(max=max_len, error=f"最多 {max_len} 项")


# ---- input ----------------------------------------------------------------------------------------------------


class WindowSchema(Schema):
    starts_at = ShanghaiDateTime(required=True, metadata={"description": "开始时间（带时区）"})
    ends_at = ShanghaiDateTime(required=True, metadata={"description": "结束时间（带时区）"})


class VisitProposeSchema(Schema):
    student_id = Id(required=True)
    mode = _enum(VisitMode, _MODE_DOC, required=True)
    purpose = _enum(VisitPurpose, _PURPOSE_DOC, required=True)
    note_to_family = text(500, load_default="", metadata={"description": "给家长的说明"})
    windows = fields.List(
        fields.Nested(WindowSchema),
        validate=_at_most(10),
        required=True,
        metadata={"description": "1–3 个可选时段，须在学校允许的家访时间内"},
    )
    staff_ids = fields.List(
        Id(),
        validate=_at_most(10),
        load_default=list,
        metadata={"description": "其他参与教师（本校教职工）；发起人自动参与"},
    )


class AcceptSchema(Schema):
    window_id = Id(required=True, metadata={"description": "接受的时段"})


class SuggestSchema(WindowSchema):
    note = text(200, load_default="", metadata={"description": "给老师的说明"})


class ReproposeSchema(Schema):
    windows = fields.List(
        fields.Nested(WindowSchema), validate=_at_most(10), required=True, metadata={"description": "1–3 个新时段"}
    )
    note = text(200, load_default="")


class ReasonSchema(Schema):
    reason = text(200, required=True, min_len=1, metadata={"description": "原因（对方可见）"})


class MoveSchema(WindowSchema):
    reason = text(200, required=True, min_len=1, metadata={"description": "改期原因（对方可见）"})


class FollowUpInSchema(Schema):
    description = text(200, required=True, min_len=1)
    due_on = fields.Date(required=True, metadata={"description": "完成期限（不早于家访当天）"})
    owner_id = Id(metadata={"description": "负责人（本校教职工），默认记录人"})


class FollowUpQuerySchema(PageArgsSchema):
    status = fields.Enum(
        FollowUpStatus,
        by_value=True,
        load_default=FollowUpStatus.OPEN,
        metadata={"description": "open 未完成（默认）, done 已完成, all 全部"},
    )


class FollowUpPatchSchema(Schema):
    done = StrictBoolean(required=True, metadata={"description": "true 标记完成, false 重新打开"})


class RecordSchema(Schema):
    visited_at = ShanghaiDateTime(
        required=True, metadata={"description": "实际家访时间：不晚于现在，在约定时间前后 7 天内"}
    )
    mode = _enum(VisitMode, _MODE_DOC, required=True)
    attendees = text(200, load_default="", metadata={"description": "参与人员，如 母亲、祖母"})
    topics = fields.List(
        text(50, min_len=1), validate=_at_most(10), load_default=list, metadata={"description": "交流话题"}
    )
    notes = text(
        5000, load_default="", metadata={"description": "家访记录（敏感，仅参与家访的教师、班主任和学校领导可见）"}
    )
    family_summary = text(1000, load_default="", metadata={"description": "分享给家长的小结"})
    follow_ups = fields.List(fields.Nested(FollowUpInSchema), validate=_at_most(10), load_default=list)

    @post_load
    def _entry(self, data: dict[str, Any], **_kwargs: Any) -> RecordEntry:
        return RecordEntry(
            visited_at=data["visited_at"],
            mode=data["mode"],
            attendees=data["attendees"],
            topics=data["topics"],
            notes=data["notes"],
            family_summary=data["family_summary"],
            follow_ups=data["follow_ups"],
        )


class FeedbackInSchema(Schema):
    rating = SmallInt(min=1, max=5, required=True, metadata={"description": "评分 1–5"})
    comment = text(500, load_default="")


class VisitQuerySchema(PageArgsSchema):
    state = _enum(VisitState, "按状态筛选")
    awaiting = _enum(Side, "待哪一方答复: staff 待老师（家长另提时间、改期申请）, family 待家长")
    student_id = QueryId()
    class_id = QueryId()


class SchoolYearQuerySchema(PageArgsSchema):
    school_year = SmallInt(min=2000, max=2100, strict=False, metadata={"description": "学年（开始年份），默认当前学年"})


class AggregateQuerySchema(Schema):
    school_year = SmallInt(min=2000, max=2100, strict=False, metadata={"description": "学年（开始年份），默认当前学年"})
    school_id = QueryId()
    alliance_id = QueryId()
    region_id = QueryId()


class SettingsInSchema(Schema):
    travel_buffer_minutes = SmallInt(
        min=0, max=240, required=True, metadata={"description": "入户家访前后路途缓冲（分钟）"}
    )
    allowed_start = HourMinute(required=True, metadata={"description": "允许家访的最早时间（北京时间）"})
    allowed_end = HourMinute(required=True, metadata={"description": "允许家访的最晚时间（北京时间）"})


# ---- output ---------------------------------------------------------------------------------------------------


class BriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class UserBrief(fields.Nested):
    """A staff member as ``BriefSchema`` shows them: their user id and nickname (dumps a ``User``)."""

    def __init__(self, *, metadata: dict[str, Any] | None = None) -> None:
        super().__init__(BriefSchema, metadata=metadata or {})

    def _serialize(self, nested_obj, attr, obj, **kwargs):
        return None if nested_obj is None else {"id": nested_obj.id, "name": nested_obj.nickname}


def shanghai_times(value: Any) -> Any:
    """The history detail with every instant (``…_at`` keys, stored as ISO 8601 in UTC) shown in Asia/Shanghai."""
    if isinstance(value, dict):
        return {
            key: _shanghai_text(item) if key.endswith("_at") and isinstance(item, str) else shanghai_times(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [shanghai_times(item) for item in value]
    return value


def _shanghai_text(text: str) -> str:
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return to_shanghai(instant).isoformat() if instant.tzinfo is not None else text


class ShanghaiDetail(fields.Dict):
    """A history row's details, its instants shown in Asia/Shanghai."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return shanghai_times(value)


class OpenVisit(fields.Dict):
    """A proposed or scheduled visit as ``{id, state, starts_at}`` (the start in Asia/Shanghai, or None)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        starts_at = to_shanghai(value.starts_at).isoformat() if value.starts_at is not None else None
        return {"id": value.id, "state": value.state.value, "starts_at": starts_at}


class WindowOutSchema(Schema):
    id = fields.Integer()
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime()
    offered_by = _enum(Side, "提出方: staff 教师, family 家长")


class HistorySchema(Schema):
    action = _enum(
        VisitAction,
        "proposed, accepted, suggested, reproposed, declined, cancelled, moved, completed, "
        "move_requested 家长申请改期, move_accepted 同意改期, move_declined 不同意改期",
    )
    side = _enum(Side, "staff / family")
    actor_name = fields.String(attribute="actor.nickname")
    on_behalf_of_name = fields.String(
        allow_none=True, metadata={"description": "班主任代为操作时：被代理的教师；否则为 null"}
    )
    from_state = _enum(VisitState, "变更前状态", allow_none=True)
    to_state = _enum(VisitState, "变更后状态")
    reason = fields.String()
    detail = ShanghaiDetail(metadata={"description": "时段等细节，时间为北京时间（带时区）"})
    created_at = ShanghaiDateTime()


class FollowUpSchema(Schema):
    id = fields.Integer()
    description = fields.String()
    due_on = fields.Date()
    owner = UserBrief(metadata={"description": "负责人"})
    done = fields.Boolean()
    done_at = ShanghaiDateTime(allow_none=True)


class MyFollowUpSchema(FollowUpSchema):
    """我的后续跟进: a follow-up with its visit, child and class."""

    overdue = fields.Boolean(metadata={"description": "未完成且已过期限（北京时间）"})
    visit_id = fields.Integer(attribute="record.visit_id")
    student = fields.Nested(BriefSchema, attribute="record.visit.student")
    school_class = fields.Nested(BriefSchema, attribute="record.visit.school_class")


class MoveRequestSchema(Schema):
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime()
    reason = fields.String()


class RecordOutSchema(Schema):
    visited_at = ShanghaiDateTime()
    mode = _enum(VisitMode, _MODE_DOC)
    attendees = fields.String()
    topics = fields.List(fields.String())
    notes = fields.String(
        allow_none=True, metadata={"description": "仅参与家访的教师、班主任和学校领导可见，其余为 null"}
    )
    family_summary = fields.String()
    follow_ups = fields.List(
        fields.Nested(FollowUpSchema), metadata={"description": "同 notes 的可见范围，其余为空列表"}
    )


class FeedbackSchema(Schema):
    rating = fields.Integer()
    comment = fields.String()
    created_at = ShanghaiDateTime()


class VisitSchema(Schema):
    """家访 (a list item: no history, record or address)."""

    id = fields.Integer()
    state = _enum(VisitState, "proposed 待确认, scheduled 已确认, completed 已完成, cancelled 已取消, declined 已婉拒")
    awaiting = _enum(Side, "待哪一方答复：待确认的家访，或已确认家访有家长的改期申请（staff）", allow_none=True)
    my_side = _enum(Side, "我在此家访中的身份: staff 教师方, family 家长方")
    mode = _enum(VisitMode, _MODE_DOC)
    purpose = _enum(VisitPurpose, _PURPOSE_DOC)
    note_to_family = fields.String()
    student = fields.Nested(BriefSchema)
    school_class = fields.Nested(BriefSchema)
    school_year = fields.Integer(
        metadata={"description": "学年（开始年份）：家访所在的学年（最早的可选时段、约定时间，记录后为实际家访时间）"}
    )
    starts_at = ShanghaiDateTime(allow_none=True)
    ends_at = ShanghaiDateTime(allow_none=True)
    move_request = fields.Nested(
        MoveRequestSchema,
        allow_none=True,
        metadata={"description": "家长的改期申请（待老师同意或拒绝），没有则为 null"},
    )
    windows = fields.List(fields.Nested(WindowOutSchema))
    staff = fields.List(UserBrief())
    created_at = ShanghaiDateTime()


class VisitDetailSchema(VisitSchema):
    """家访详情: with history, the record (notes only for those allowed), feedback and, where allowed, the address."""

    history = fields.List(fields.Nested(HistorySchema))
    record = fields.Nested(RecordOutSchema, allow_none=True)
    feedback = fields.Nested(FeedbackSchema, allow_none=True)
    home_address = fields.String(allow_none=True, metadata={"description": "仅班主任和已确认入户家访的参与教师可见"})


class FeedbackOutSchema(FeedbackSchema):
    visit_id = fields.Integer()


class CoverageStudentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    student_no = fields.String()
    school_class = fields.Nested(BriefSchema)
    flags = fields.List(
        fields.String(), allow_none=True, metadata={"description": "敏感标记（仅班主任和学校领导可见，其余为 null）"}
    )
    open_visit = OpenVisit(allow_none=True, metadata={"description": "进行中的家访 {id, state, starts_at}"})


class CoverageSchema(Schema):
    school_class = fields.Nested(BriefSchema)
    school_year = fields.Integer()
    students = fields.Integer()
    visited = fields.Integer()
    rate = fields.Float()
    not_visited = fields.Nested(
        type(
            "NotVisitedPageSchema",
            (Schema,),
            {
                "items": fields.List(fields.Nested(CoverageStudentSchema)),
                "page": fields.Integer(),
                "page_size": fields.Integer(),
                "total": fields.Integer(),
            },
        )
    )


class SchoolCoverageSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    students = fields.Integer()
    visited = fields.Integer()
    rate = fields.Float()


class AggregateSchema(Schema):
    scope = fields.String(metadata={"description": "school / alliance / region"})
    scope_id = fields.Integer()
    school_year = fields.Integer()
    students = fields.Integer()
    visited = fields.Integer()
    rate = fields.Float()
    schools = fields.List(fields.Nested(SchoolCoverageSchema))


class CalendarFeedSchema(Schema):
    url = fields.String(metadata={"description": "订阅链接（保密，勿分享；重新生成后旧链接失效）"})
    created_at = ShanghaiDateTime()


class SettingsSchema(Schema):
    school_id = fields.Integer()
    travel_buffer_minutes = fields.Integer()
    allowed_start = HourMinute()
    allowed_end = HourMinute()
