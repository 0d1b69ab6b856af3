"""Schemas of needs, proposals and matches. Input schemas are strict: unknown fields, wrong types and out-of-range
values answer 422 in Chinese; rules across fields (grades reversed, a period in the past ...) are the service's."""

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from jlt_family.core.schemas import DATE_RANGE, Id, Label, PageArgsSchema, QueryId, ShanghaiDateTime, SmallInt, text
from jlt_family.courses.models import CATEGORY_LABELS, PROVIDER_LABELS, CourseCategory, ProviderKind
from jlt_family.matching.models import NEED_STATUS_LABELS, TOPIC_LABELS, MatchKind, NeedStatus, NeedTopic
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS
from jlt_family.venues.models import BOOKING_STATUS_LABELS, OFFERING_KIND_LABELS, Channel


def _enum(enum_cls, description, *, required=False, load_default=missing, allow_none=None):
    return fields.Enum(
        enum_cls,
        by_value=True,
        required=required,
        load_default=load_default,
        allow_none=allow_none,
        metadata={"description": description},
    )


def _grade(description):
    return SmallInt(
        min=-3,
        max=12,
        validate=[
            validate.Range(min=-3, max=12, error="年级应为 -3 到 12"),
            validate.NoneOf([0], error="年级不能为 0（幼儿园为 -3 到 -1）"),
        ],
        required=True,
        metadata={"description": description},
    )


class NeedInputSchema(Schema):
    """发布需求. The period is a term (``school_year`` + ``term``) or dates (``starts_on`` + ``ends_on``)."""

    topic = _enum(
        NeedTopic,
        "science 科学教育, patriotic 爱国主义教育, history_culture 历史文化, arts 艺术教育, "
        "sports 体育健身, reading 阅读推广, safety 安全教育, health 健康教育, labour 劳动实践, "
        "parent_education 家庭教育指导（需选 course_category）",
        required=True,
    )
    course_category = _enum(CourseCategory, "家庭教育指导的课程主题", load_default=None, allow_none=True)
    title = text(100, load_default="", metadata={"description": "标题（默认由年级和主题生成）"})
    class_id = Id(load_default=None, allow_none=True, metadata={"description": "班级（教师发布时必填：所教班级）"})
    grade_min = _grade("最低年级（幼儿园 -3 小班 … -1 大班）")
    grade_max = _grade("最高年级")
    headcount = SmallInt(min=1, max=2000, required=True, metadata={"description": "学生人数（1–2000）"})
    school_year = SmallInt(
        min=2000,
        max=2100,
        load_default=None,
        allow_none=True,
        metadata={"description": "学年（起始年份，如 2026 表示 2026–2027学年）"},
    )
    term = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(["autumn", "spring"], error="学期应为 autumn（秋季）或 spring（春季）"),
        metadata={"description": "autumn 秋季学期, spring 春季学期"},
    )
    starts_on = fields.Date(load_default=None, allow_none=True, validate=DATE_RANGE)
    ends_on = fields.Date(load_default=None, allow_none=True, validate=DATE_RANGE)
    note = text(1000, load_default="", metadata={"description": "说明，如 希望参观航天展区"})


class NeedArgsSchema(PageArgsSchema):
    status = _enum(NeedStatus, "按状态筛选")
    school_id = QueryId(metadata={"description": "按学校筛选"})
    topic = _enum(NeedTopic, "按主题筛选")


class GroupBookingSpecSchema(Schema):
    slot_id = Id(required=True)
    class_id = Id(load_default=None, allow_none=True, metadata={"description": "班级（默认需求的班级）"})
    headcount = SmallInt(
        min=1, max=480, load_default=None, allow_none=True, metadata={"description": "该场学生人数（默认需求人数）"}
    )
    chaperones = SmallInt(min=0, max=20, load_default=2, metadata={"description": "带队老师人数"})
    channel = _enum(
        Channel, "green 绿色通道 / general 普通（默认：可用时走绿色通道）", load_default=None, allow_none=True
    )


class AcceptInputSchema(Schema):
    """采纳建议: a venue offering with the slots and classes to book, or a course provider."""

    kind = _enum(MatchKind, "venue 场馆项目 → 团体预约; course 课程举办方 → 课程草稿", required=True)
    offering_id = Id(load_default=None, allow_none=True)
    bookings = fields.List(
        fields.Nested(GroupBookingSpecSchema),
        load_default=list,
        validate=validate.Length(max=5, error="一次最多预约 5 个场次"),
    )
    provider_kind = _enum(
        ProviderKind, "community 社区家长学校, alliance 教联体, region 区县", load_default=None, allow_none=True
    )
    provider_id = Id(load_default=None, allow_none=True)
    title = text(100, load_default="", metadata={"description": "课程标题（默认需求标题）"})

    @validates_schema
    def _subject(self, data, **kwargs):
        if data.get("kind") == MatchKind.VENUE and data.get("offering_id") is None:
            raise ValidationError("采纳场馆项目请填写 offering_id", field_name="offering_id")
        if data.get("kind") == MatchKind.COURSE and (
            data.get("provider_kind") is None or data.get("provider_id") is None
        ):
            raise ValidationError("采纳课程举办方请填写 provider_kind 和 provider_id", field_name="provider_id")


class FeedbackInputSchema(Schema):
    rating = SmallInt(min=1, max=5, required=True, metadata={"description": "评分 1–5"})
    comment = text(500, load_default="")


# ---- output -----------------------------------------------------------------------------------------------------


class KindLabelSchema(Schema):
    kind = fields.String()
    label = fields.String()


class TopicSchema(Schema):
    topic = fields.String()
    label = Label(TOPIC_LABELS, "topic")
    unit_kinds = fields.List(fields.Nested(KindLabelSchema))
    offering_kinds = fields.List(fields.Nested(KindLabelSchema))


class TopicListSchema(Schema):
    items = fields.List(fields.Nested(TopicSchema))


class UnitBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    kind_label = Label(RESOURCE_UNIT_KIND_LABELS, "kind")
    address = fields.String()


class MatchBookingSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    status_label = Label(BOOKING_STATUS_LABELS, "status")
    slot_id = fields.Integer()
    starts_at = ShanghaiDateTime(attribute="slot.starts_at")
    ends_at = ShanghaiDateTime(attribute="slot.ends_at")
    offering_title = fields.String(attribute="slot.offering.title")
    channel = fields.String()
    group = fields.String(metadata={"description": "学校 年级 班级"})
    headcount = fields.Integer()
    reason = fields.String()
    code = fields.String(allow_none=True, metadata={"description": "预约码（确认后）"})
    checked_in_count = fields.Integer(allow_none=True)


class MatchCourseSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    is_published = fields.Boolean()
    category = fields.String()
    category_label = Label(CATEGORY_LABELS, "category")


class MatchFeedbackSchema(Schema):
    rating = fields.Integer()
    comment = fields.String()
    rated_at = ShanghaiDateTime()


class MatchSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    label = fields.String()
    unit = fields.Nested(UnitBriefSchema, attribute="resource_unit", allow_none=True)
    offering_id = fields.Integer(allow_none=True)
    provider_kind = fields.String(allow_none=True)
    provider_kind_label = Label(PROVIDER_LABELS, "provider_kind", allow_none=True)
    provider_id = fields.Integer(allow_none=True)
    reasons = fields.List(fields.String())
    limits = fields.List(fields.String())
    accepted_by = fields.String()
    accepted_at = ShanghaiDateTime()
    bookings = fields.List(fields.Nested(MatchBookingSchema))
    course = fields.Nested(MatchCourseSchema, allow_none=True)
    feedback = fields.Nested(MatchFeedbackSchema, allow_none=True)


class IdNameSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class NeedClassSchema(IdNameSchema):
    grade = fields.Integer()


class NeedSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    topic = fields.String()
    topic_label = Label(TOPIC_LABELS, "topic")
    course_category = fields.String(allow_none=True)
    course_category_label = Label(CATEGORY_LABELS, "course_category", allow_none=True)
    school = fields.Nested(IdNameSchema)
    school_class = fields.Nested(NeedClassSchema, allow_none=True)
    grade_min = fields.Integer()
    grade_max = fields.Integer()
    grades_label = fields.String()
    headcount = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date()
    period_label = fields.String()
    note = fields.String()
    status = fields.String()
    status_label = Label(NEED_STATUS_LABELS, "status")
    posted_by = fields.String()
    created_at = ShanghaiDateTime()
    match = fields.Nested(MatchSchema, allow_none=True)


class ProposalSlotSchema(Schema):
    id = fields.Integer()
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime()
    places_left = fields.Integer(metadata={"description": "一个团体在该场可用的空余名额"})
    channel = fields.String(metadata={"description": "可用名额所在的通道"})


class ProposalOfferingSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    kind_label = Label(OFFERING_KIND_LABELS, "kind")
    capacity = fields.Integer()
    green_quota = fields.Integer()
    min_grade = fields.Integer(allow_none=True)
    max_grade = fields.Integer(allow_none=True)
    duration_minutes = fields.Integer()
    price_kind = fields.String()


class ProposalProviderSchema(Schema):
    """A proposed course provider (dumped from the proposal)."""

    kind = fields.String(attribute="provider_kind")
    kind_label = Label(PROVIDER_LABELS, "provider_kind")
    id = fields.Integer(attribute="provider.id")
    name = fields.String(attribute="provider.name")


class ProposalSchema(Schema):
    rank = fields.Integer()
    kind = fields.String(metadata={"description": "venue 场馆项目 / course 课程举办方"})
    key = fields.String()
    label = fields.String()
    serves_alliance = fields.Boolean()
    same_county = fields.Boolean()
    green_channel = fields.Boolean(attribute="green")
    unit = fields.Nested(UnitBriefSchema, allow_none=True)
    offering = fields.Nested(ProposalOfferingSchema, allow_none=True)
    provider = fields.Nested(ProposalProviderSchema, attribute="provider_card", allow_none=True)
    reasons = fields.List(fields.String(), metadata={"description": "为什么匹配"})
    limits = fields.List(fields.String(), metadata={"description": "限制，如 每场 30 人 < 40 人，需分 2 场"})
    open_slots = fields.Integer(metadata={"description": "期间有空余名额的场次数"})
    slots_needed = fields.Integer(metadata={"description": "容纳全部人数需要的场次数"})
    slots = fields.List(fields.Nested(ProposalSlotSchema), metadata={"description": "最早的几个可选场次"})
