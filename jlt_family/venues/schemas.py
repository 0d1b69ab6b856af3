"""Schemas of venue bookings: offerings, rules, closures, slots, bookings, check-in, policy and suspensions.

Input schemas are strict (unknown fields, wrong types and out-of-range values answer 422 in Chinese). Output
schemas dump the model objects (offerings and slots through ``venues.views``, with the caller's eligibility).
Venue staff see a booking's masked names (张*明), party size and code, nothing more.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from jlt_family.core.schemas import (
    DATE_RANGE,
    Id,
    Label,
    PageArgsSchema,
    QueryId,
    ShanghaiDateTime,
    SmallInt,
    StateChangeSchema,
    StrictBoolean,
    text,
)
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS
from jlt_family.organizations.schemas import HourMinute
from jlt_family.venues.fields import BookerCode, GroupName, InForce, PartyNames, enum_field
from jlt_family.venues.models import (
    BOOKING_STATUS_LABELS,
    MAX_GREEN_RELEASE_MINUTES,
    OFFERING_KIND_LABELS,
    BookingStatus,
    Channel,
    OfferingKind,
    PriceKind,
)

# ---- offerings --------------------------------------------------------------------------------------------------


class VenueOfferingInputSchema(Schema):
    title = text(60, required=True, min_len=1, metadata={"description": "项目名称，如 展厅参观"})
    kind = enum_field(
        OfferingKind,
        "exhibition 展厅参观, lecture 科普讲座, sports 体育场地, open_day 开放日, "
        "reading 阅读活动, study_tour 研学课程",
        required=True,
    )
    description = text(2000, load_default="")
    min_grade = SmallInt(min=-3, max=12, allow_none=True, load_default=None, metadata={"description": "最低年级"})
    max_grade = SmallInt(min=-3, max=12, allow_none=True, load_default=None, metadata={"description": "最高年级"})
    min_age = SmallInt(min=0, max=18, allow_none=True, load_default=None)
    max_age = SmallInt(min=0, max=18, allow_none=True, load_default=None)
    duration_minutes = SmallInt(min=10, max=720, required=True)
    capacity = SmallInt(min=1, max=10000, required=True, metadata={"description": "每场总名额"})
    green_quota = SmallInt(min=0, max=10000, load_default=0, metadata={"description": "其中绿色通道名额"})
    price_kind = enum_field(PriceKind, "free 免费, discount 学生优惠", load_default=PriceKind.FREE)
    price_cents = SmallInt(min=0, max=10_000_000, load_default=0, metadata={"description": "原价（分）"})
    student_price_cents = SmallInt(min=0, max=10_000_000, load_default=0, metadata={"description": "学生价（分）"})
    booking_opens_days = SmallInt(min=0, max=90, load_default=14, metadata={"description": "开场前几天开放预约"})
    booking_closes_minutes = SmallInt(min=0, max=10080, load_default=60, metadata={"description": "开场前几分钟截止"})
    cancel_closes_minutes = SmallInt(
        min=0, max=10080, load_default=120, metadata={"description": "开场前几分钟停止取消"}
    )
    needs_confirmation = StrictBoolean(load_default=True, metadata={"description": "普通预约需场馆确认"})
    green_auto_confirm = StrictBoolean(load_default=True, metadata={"description": "绿色通道自动确认"})
    green_release_minutes = SmallInt(
        min=0,
        max=MAX_GREEN_RELEASE_MINUTES,
        allow_none=True,
        load_default=None,
        metadata={"description": "开场前几分钟把未用的绿色名额转入普通名额（空：不转）"},
    )
    max_party = SmallInt(min=1, max=20, load_default=5, metadata={"description": "每次预约最多人数"})
    is_active = StrictBoolean(load_default=True)

    @validates_schema
    def _consistent(self, data, **kwargs):
        for low, high in (("min_grade", "max_grade"), ("min_age", "max_age")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                raise ValidationError("下限不能大于上限", field_name=high)
        if "green_quota" in data and "capacity" in data and data["green_quota"] > data["capacity"]:
            raise ValidationError("绿色通道名额不能超过每场总名额", field_name="green_quota")
        if 0 in (data.get("min_grade"), data.get("max_grade")):
            raise ValidationError("年级不能为 0", field_name="min_grade")


class VenueOfferingUpdateSchema(VenueOfferingInputSchema):
    """The fields to change (PATCH): used as ``VenueOfferingUpdateSchema(partial=True)``."""


class VenueUnitBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    kind_label = Label(RESOURCE_UNIT_KIND_LABELS, "kind")
    address = fields.String()


class VenueRuleSchema(Schema):
    weekday = SmallInt(min=0, max=6, required=True, metadata={"description": "0 周一 … 6 周日"})
    start_time = HourMinute(required=True, metadata={"description": "开始时间 HH:MM（北京时间）"})
    valid_from = fields.Date(load_default=None, allow_none=True, validate=DATE_RANGE)
    valid_until = fields.Date(load_default=None, allow_none=True, validate=DATE_RANGE)


class VenueRulesInputSchema(Schema):
    rules = fields.List(fields.Nested(VenueRuleSchema), required=True, validate=validate.Length(max=50))


class VenueRulesResultSchema(Schema):
    rules = fields.List(fields.Nested(VenueRuleSchema))
    slots_added = fields.Integer()


class VenueOfferingSchema(Schema):
    """开放项目 (a ``views.OfferingView``)."""

    id = fields.Integer()
    unit = fields.Nested(VenueUnitBriefSchema, attribute="resource_unit")
    title = fields.String()
    kind = fields.String()
    kind_label = Label(OFFERING_KIND_LABELS, "kind")
    description = fields.String()
    min_grade = fields.Integer(allow_none=True)
    max_grade = fields.Integer(allow_none=True)
    min_age = fields.Integer(allow_none=True)
    max_age = fields.Integer(allow_none=True)
    duration_minutes = fields.Integer()
    capacity = fields.Integer()
    green_quota = fields.Integer()
    price_kind = fields.String()
    price_cents = fields.Integer()
    student_price_cents = fields.Integer()
    booking_opens_days = fields.Integer()
    booking_closes_minutes = fields.Integer()
    cancel_closes_minutes = fields.Integer()
    needs_confirmation = fields.Boolean()
    green_auto_confirm = fields.Boolean()
    green_release_minutes = fields.Integer(allow_none=True)
    max_party = fields.Integer()
    is_active = fields.Boolean()
    rules = fields.List(fields.Nested(VenueRuleSchema))
    green_eligible = fields.Boolean(metadata={"description": "我的家庭可用绿色通道（按孩子所在学校的教联体）"})


class VenueOfferingArgsSchema(PageArgsSchema):
    kind = enum_field(OfferingKind, "按类型筛选")
    unit_id = QueryId()
    alliance_id = QueryId()
    date = fields.Date(validate=DATE_RANGE, metadata={"description": "只看这一天有场次的项目"})
    has_places = fields.Boolean(metadata={"description": "只看仍有名额的"})
    all = fields.Boolean(load_default=False, metadata={"description": "家长默认只看孩子所在教联体的场馆；true 看全部"})


# ---- slots ------------------------------------------------------------------------------------------------------


class VenueSlotArgsSchema(PageArgsSchema):
    date_from = fields.Date(validate=DATE_RANGE, data_key="from", metadata={"description": "起始日期（含）"})
    date_to = fields.Date(validate=DATE_RANGE, data_key="to", metadata={"description": "结束日期（含）"})
    has_places = fields.Boolean()


class VenueSlotSchema(Schema):
    """场次 (a ``views.SlotView``)."""

    id = fields.Integer()
    offering_id = fields.Integer()
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime()
    status = fields.String()
    capacity = fields.Integer()
    green_left = fields.Integer(metadata={"description": "绿色通道剩余名额"})
    general_left = fields.Integer(metadata={"description": "普通剩余名额"})
    green_released = fields.Boolean()
    green_eligible = fields.Boolean()
    bookable = fields.Boolean(metadata={"description": "现在可以预约（开放时间内且未关闭）"})


class VenueSlotCancelResultSchema(Schema):
    """场次取消的结果 (a ``views.SlotCancellation``): the closed slot and the bookings cancelled with it."""

    slot = fields.Nested(VenueSlotSchema)
    cancelled_booking_ids = fields.List(fields.Integer(), metadata={"description": "随场次取消的预约"})


# ---- bookings ---------------------------------------------------------------------------------------------------


class VenueFamilyBookingInputSchema(Schema):
    channel = enum_field(Channel, "green 绿色通道, general 普通预约", required=True)
    child_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=10, error="请选择 1 到 10 个孩子"))
    adults = SmallInt(min=0, max=20, required=True, metadata={"description": "同行成人人数"})


class VenueGroupBookingInputSchema(Schema):
    class_id = Id(required=True)
    channel = enum_field(Channel, "green 绿色通道, general 普通预约", required=True)
    headcount = SmallInt(min=1, max=200, required=True, metadata={"description": "学生人数"})
    chaperones = SmallInt(min=1, max=30, required=True, metadata={"description": "带队教师人数"})


class VenueReasonSchema(Schema):
    reason = text(200, required=True, min_len=1, metadata={"description": "原因（家长可见）"})


class VenueCancelSchema(Schema):
    reason = text(200, load_default="", metadata={"description": "取消原因（场馆取消时必填）"})


class VenueBulkDecisionSchema(Schema):
    booking_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=100))
    action = fields.String(
        required=True, validate=validate.OneOf(["confirm", "reject"], error="应为 confirm 或 reject")
    )
    reason = text(200, load_default="")

    @validates_schema
    def _reason_for_reject(self, data, **kwargs):
        if data.get("action") == "reject" and not data.get("reason"):
            raise ValidationError("拒绝时请填写原因", field_name="reason")


class VenueBulkResultSchema(Schema):
    results = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "每个预约的结果：ok 或错误码"}
    )


class VenueCheckInSchema(Schema):
    code = text(40, required=True, min_len=1, metadata={"description": "预约码（或二维码内容）"})
    count = SmallInt(min=1, max=500, load_default=None, allow_none=True, metadata={"description": "实到人数"})


class VenueBookingSlotSchema(Schema):
    id = fields.Integer()
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime()
    offering_id = fields.Integer()
    offering_title = fields.String(attribute="offering.title")
    unit = fields.Nested(VenueUnitBriefSchema, attribute="offering.resource_unit")


class VenueChildBriefSchema(Schema):
    """A child of the party (a ``BookingChild``)."""

    id = fields.Integer(attribute="student.id")
    name = fields.String(attribute="student.name")


class VenueBookingSchema(Schema):
    """The booker's view: the party, the code and the QR payload."""

    id = fields.Integer()
    kind = fields.String()
    channel = fields.String()
    status = fields.String()
    status_label = Label(BOOKING_STATUS_LABELS, "status")
    slot = fields.Nested(VenueBookingSlotSchema)
    children = fields.List(fields.Nested(VenueChildBriefSchema))
    class_id = fields.Integer(allow_none=True)
    adults = fields.Integer()
    headcount = fields.Integer()
    is_free = fields.Boolean()
    code = BookerCode(allow_none=True)
    qr_payload = BookerCode(allow_none=True)
    reason = fields.String()
    expires_at = ShanghaiDateTime(allow_none=True)
    checked_in_count = fields.Integer(allow_none=True)
    checked_in_at = ShanghaiDateTime(allow_none=True)
    created_at = ShanghaiDateTime()


class VenueBookingArgsSchema(PageArgsSchema):
    status = enum_field(BookingStatus, "按状态筛选")


class VenueStaffBookingSchema(Schema):
    """Venue staff's view: masked names, party size and code only."""

    id = fields.Integer()
    slot_id = fields.Integer()
    starts_at = ShanghaiDateTime(attribute="slot.starts_at")
    offering_title = fields.String(attribute="slot.offering.title")
    kind = fields.String()
    channel = fields.String()
    status = fields.String()
    status_label = Label(BOOKING_STATUS_LABELS, "status")
    names = PartyNames(fields.String(), attribute="children", metadata={"description": "打码的姓名，如 张*明"})
    group = GroupName(attribute="school_class", allow_none=True, metadata={"description": "团体：学校和班级"})
    headcount = fields.Integer()
    code = fields.String()
    checked_in_count = fields.Integer(allow_none=True)


class VenueStaffBookingArgsSchema(PageArgsSchema):
    date = fields.Date(validate=DATE_RANGE, metadata={"description": "这一天（默认今天起的所有场次）"})
    slot_id = QueryId()
    status = enum_field(BookingStatus, "按状态筛选")


# ---- closures, policy, suspensions ------------------------------------------------------------------------------


class VenueClosureInputSchema(Schema):
    starts_on = fields.Date(required=True, validate=DATE_RANGE, metadata={"description": "闭馆首日（北京时间，含）"})
    ends_on = fields.Date(required=True, validate=DATE_RANGE, metadata={"description": "闭馆末日（北京时间，含）"})
    reason = text(100, load_default="", metadata={"description": "闭馆原因（写入被取消的预约，家长可见）"})
    confirm = StrictBoolean(
        load_default=False,
        metadata={
            "description": "确认取消闭馆期间的预约：为 false 且闭馆会取消预约时，"
            "答 409 closure_cancels_bookings 并列出这些预约"
        },
    )

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("结束日期不能早于开始日期", field_name="ends_on")


class VenueClosureSchema(Schema):
    id = fields.Integer()
    resource_unit_id = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date()
    reason = fields.String()


class VenueClosureResultSchema(VenueClosureSchema):
    """新增闭馆的结果 (a ``closures.ClosureResult``): the closure and the bookings it cancelled."""

    id = fields.Integer(attribute="closure.id")
    resource_unit_id = fields.Integer(attribute="closure.resource_unit_id")
    starts_on = fields.Date(attribute="closure.starts_on")
    ends_on = fields.Date(attribute="closure.ends_on")
    reason = fields.String(attribute="closure.reason")
    cancelled_booking_ids = fields.List(fields.Integer(), metadata={"description": "因闭馆取消的预约"})


class VenueClosureConflictErrorsSchema(Schema):
    """``errors`` of 409 ``closure_cancels_bookings``: the bookings the closure would cancel (masked names)."""

    count = fields.Integer(metadata={"description": "闭馆将取消的预约数"})
    bookings = fields.List(fields.Nested(VenueStaffBookingSchema))


class VenuePolicySchema(Schema):
    alliance_id = fields.Integer(dump_only=True)
    max_active_bookings = SmallInt(min=1, max=50, required=True, metadata={"description": "每个家庭最多有效预约数"})
    no_show_limit = SmallInt(min=1, max=50, required=True, metadata={"description": "爽约几次暂停绿色通道"})
    no_show_window_days = SmallInt(min=1, max=366, required=True, metadata={"description": "统计爽约的天数"})
    suspension_days = SmallInt(min=1, max=366, required=True, metadata={"description": "暂停天数"})


class VenueSuspensionSchema(Schema):
    id = fields.Integer()
    family_id = fields.Integer()
    alliance_id = fields.Integer(allow_none=True)
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime()
    no_show_count = fields.Integer()
    reason = fields.String()
    lifted_at = ShanghaiDateTime(allow_none=True)
    in_force = InForce()


class VenueSuspensionArgsSchema(PageArgsSchema):
    in_force = fields.Boolean(load_default=True)


class VenueGreenChannelSchema(Schema):
    """家长的绿色通道状态 (an ``eligibility.GreenChannel``)."""

    eligible_alliance_ids = fields.List(fields.Integer())
    suspended = fields.Boolean()
    suspended_until = ShanghaiDateTime(allow_none=True)
    reason = fields.String(allow_none=True)


class VenueBookingHistorySchema(Schema):
    """预约的状态记录: every change of the booking's status, oldest first (its creation first)."""

    items = fields.List(fields.Nested(StateChangeSchema), required=True)
