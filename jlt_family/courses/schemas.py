"""Schemas of the parent school. Input is strict: unknown fields, wrong types and out-of-range values answer 422."""

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from jlt_family.core.schemas import (
    DATE_RANGE,
    Id,
    Label,
    PageArgsSchema,
    QueryId,
    ShanghaiDateTime,
    SmallInt,
    StrictBoolean,
    TrimmedString,
    text,
)
from jlt_family.courses.models import (
    ACTIVITY_LABELS,
    CATEGORY_LABELS,
    FORMAT_LABELS,
    PROVIDER_LABELS,
    ActivityKind,
    CourseCategory,
    CourseFormat,
    EnrolmentStatus,
    ProviderKind,
)


def _enum(enum_cls, description, *, required=False, load_default=missing, allow_none=None):
    return fields.Enum(
        enum_cls,
        by_value=True,
        required=required,
        load_default=load_default,
        allow_none=allow_none,
        metadata={"description": description},
    )


CATEGORY_DOC = (
    "类别: admission 升学指导, school_adaptation 入学适应, mental_health 心理调适, "
    "holiday_life 假期生活指导, safety 安全护航, family_education_law 家庭教育促进法, "
    "internet_literacy 网络素养, "
    "parent_child_communication 亲子沟通, other 其他"
)
KIND_DOC = (
    "活动类型（达标统计口径）: parent_meeting 家长会, parent_assembly 家长代表大会, evening_class 家长夜校, "
    "guidance 家庭教育指导, open_day 学校开放日, reception_day 家长接待日, "
    "alliance_meeting 教联体协调会, other 其他"
)
FORMAT_DOC = "形式: offline 线下, online_live 线上直播, recorded 录播"
PROVIDER_DOC = "举办方: school 学校, alliance 教联体, community 社区家长学校（资源单位）, region 区县"


def _grade():
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=[
            validate.Range(min=-3, max=12, error="年级应为 -3（小班）到 12（高三）"),
            validate.NoneOf([0], error="年级不能为 0"),
        ],
        metadata={"description": "年级: 1–12 一年级…高三; -3/-2/-1 幼儿园小/中/大班"},
    )


class _CourseFields(Schema):
    title = text(100, min_len=1)
    description = text(5000)
    category = _enum(CourseCategory, CATEGORY_DOC)
    activity_kind = _enum(ActivityKind, KIND_DOC)
    format = _enum(CourseFormat, FORMAT_DOC)
    speaker = text(60, metadata={"description": "主讲人"})
    grade_min = _grade()
    grade_max = _grade()


class CourseCreateSchema(_CourseFields):
    provider_kind = _enum(ProviderKind, PROVIDER_DOC, required=True)
    provider_id = Id(required=True, metadata={"description": "举办方编号（学校/教联体/资源单位/行政区划）"})
    title = text(100, min_len=1, required=True)
    category = _enum(CourseCategory, CATEGORY_DOC, required=True)
    activity_kind = _enum(ActivityKind, KIND_DOC, required=True)
    format = _enum(CourseFormat, FORMAT_DOC, required=True)


class CourseUpdateSchema(_CourseFields):
    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项")


class CourseQuerySchema(PageArgsSchema):
    scope = fields.String(
        load_default="open",
        validate=validate.OneOf(["open", "staff"], error="scope 应为 open 或 staff"),
        metadata={"description": "open: 我可报名的课程（家长）; staff: 我管理或督导的课程"},
    )
    category = _enum(CourseCategory, CATEGORY_DOC)
    activity_kind = _enum(ActivityKind, KIND_DOC)
    format = _enum(CourseFormat, FORMAT_DOC)
    child_id = QueryId(metadata={"description": "只看适合该孩子的课程（孩子的学校、年级）"})
    grade = fields.Integer(
        validate=validate.Range(min=-3, max=12, error="年级应为 -3 到 12"), metadata={"description": "适合该年级"}
    )
    date_from = fields.Date(validate=DATE_RANGE, metadata={"description": "有场次在该日或之后（北京时间）"})
    date_to = fields.Date(validate=DATE_RANGE, metadata={"description": "有场次在该日或之前（北京时间）"})
    has_places = fields.Boolean(metadata={"description": "只看尚有名额的"})
    q = text(50, metadata={"description": "关键词（标题、简介）"})


class _SessionFields(Schema):
    starts_at = ShanghaiDateTime(metadata={"description": "开始时间（须带时区）"})
    ends_at = ShanghaiDateTime(metadata={"description": "结束时间（须晚于开始时间）"})
    place = text(200, metadata={"description": "地点（线下课程必填）"})
    online_url = TrimmedString(
        validate=[validate.Length(max=500), validate.URL(schemes={"http", "https"}, error="请填写有效的链接")],
        metadata={"description": "直播或回放链接（线上直播必填）"},
    )
    capacity = SmallInt(min=1, max=10000, metadata={"description": "名额（至少 1）"})
    enrol_opens_at = ShanghaiDateTime(allow_none=True, metadata={"description": "报名开始（空: 立即）"})
    enrol_closes_at = ShanghaiDateTime(allow_none=True, metadata={"description": "报名截止（空: 开课时）"})
    cancel_deadline = ShanghaiDateTime(allow_none=True, metadata={"description": "取消报名截止（空: 开课时）"})
    learning_hours = fields.Float(
        validate=validate.Range(min=0.5, max=20, error="学时应为 0.5 到 20"), metadata={"description": "学时"}
    )

    @validates_schema
    def _times_in_order(self, data, **kwargs):
        if "starts_at" in data and "ends_at" in data and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("结束时间须晚于开始时间", field_name="ends_at")


class CourseSessionCreateSchema(_SessionFields):
    starts_at = ShanghaiDateTime(required=True, metadata={"description": "开始时间（须带时区）"})
    ends_at = ShanghaiDateTime(required=True, metadata={"description": "结束时间（须晚于开始时间）"})
    capacity = SmallInt(min=1, max=10000, required=True, metadata={"description": "名额（至少 1）"})


class CourseSessionUpdateSchema(_SessionFields):
    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项")


class CourseSessionCancelSchema(Schema):
    reason = text(200, load_default="", metadata={"description": "取消原因（告知家长）"})


class CourseEnrolSchema(Schema):
    join_waitlist = StrictBoolean(load_default=True, metadata={"description": "名额已满时加入候补（默认是）"})


class CourseCheckinSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{6}$", error="签到码为 6 位数字"),
        metadata={"description": "现场签到码"},
    )


class CourseAttendanceSchema(Schema):
    attended = StrictBoolean(required=True, metadata={"description": "true 出席, false 缺席"})


class BackfilledAttendanceSchema(Schema):
    """补登出勤 of a back-filled session: the children whose family attended (their primary guardian)."""

    child_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(min=1, max=500, error="请选择 1 到 500 个孩子"),
        metadata={"description": "出席家庭的孩子编号"},
    )


class CourseFeedbackCreateSchema(Schema):
    rating = SmallInt(min=1, max=5, required=True, metadata={"description": "评分 1–5"})
    comment = text(500, load_default="", metadata={"description": "评价内容"})


class CourseSchoolYearArgsSchema(Schema):
    school_year = SmallInt(
        min=2000,
        max=2100,
        strict=False,
        metadata={"description": "学年（起始年份，如 2026 表示 2026–2027学年；默认当前学年）"},
    )


class CourseRecordArgsSchema(CourseSchoolYearArgsSchema):
    child_id = QueryId(metadata={"description": "按该孩子所在地区的校历划分学年（默认：家庭的第一个孩子）"})


class MyCourseEnrolmentQuerySchema(PageArgsSchema):
    upcoming = fields.Boolean(load_default=False, metadata={"description": "只看未结束的场次"})


# ---- output ---------------------------------------------------------------------------------------------------
# The schemas below dump the model objects (or the caller's views of them, views.py) directly.


class CodeLabel(Label):
    """``Label`` of the code in ``source`` beside it, documented (as it always was) as a plain string.

    The source is read by ``get_value`` rather than named in ``attribute``: marshmallow refuses two fields of one
    schema with the same attribute, and a dump-only field would be documented ``readOnly``.
    """

    def __init__(self, labels, source, *, allow_none=False):
        super().__init__(labels, dump_only=False, allow_none=allow_none, metadata={"type": "string"})
        self.source = source

    def get_value(self, obj, attr, accessor=None, default=missing):
        return super().get_value(obj, self.source, accessor, default)


class Itself(fields.Nested):
    """Nests the dumped object itself (not one of its attributes) in a schema of its own."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        return obj


class CourseProviderSchema(Schema):
    """举办方 of a course (dumped from the course)."""

    kind = fields.String(attribute="provider_kind")
    kind_label = CodeLabel(PROVIDER_LABELS, "provider_kind")
    id = fields.Integer(attribute="provider_id")
    name = fields.String(attribute="provider.name")


class CourseSessionBriefSchema(Schema):
    id = fields.Integer()
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime()
    place = fields.String()
    online_url = fields.String()
    capacity = fields.Integer()
    taken = fields.Integer()
    places_left = fields.Integer()
    waitlisted = fields.Integer()
    learning_hours = fields.Float()
    status = fields.String()


class MyCourseEnrolmentSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    status = fields.String(metadata={"description": "enrolled 已报名, waitlisted 候补中, attended 已签到, absent 缺席"})


class CourseItemSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    category = fields.String()
    category_label = CodeLabel(CATEGORY_LABELS, "category")
    activity_kind = fields.String()
    activity_label = CodeLabel(ACTIVITY_LABELS, "activity_kind")
    format = fields.String()
    format_label = CodeLabel(FORMAT_LABELS, "format")
    speaker = fields.String()
    grade_min = fields.Integer(allow_none=True)
    grade_max = fields.Integer(allow_none=True)
    provider = Itself(CourseProviderSchema)
    is_published = fields.Boolean()
    next_session = fields.Nested(CourseSessionBriefSchema, allow_none=True)
    my_enrolment = fields.Nested(MyCourseEnrolmentSchema, allow_none=True)


class CourseSchema(CourseItemSchema):
    description = fields.String()
    published_at = ShanghaiDateTime(allow_none=True)
    created_at = ShanghaiDateTime()
    can_manage = fields.Boolean()


class CourseBriefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    category = fields.String()
    activity_kind = fields.String()
    format = fields.String()
    provider = Itself(CourseProviderSchema)


class CourseSessionSchema(CourseSessionBriefSchema):
    course = fields.Nested(CourseBriefSchema)
    enrol_opens_at = ShanghaiDateTime(allow_none=True)
    enrol_closes_at = ShanghaiDateTime(attribute="enrolment_closes")
    cancel_until = ShanghaiDateTime()
    cancel_reason = fields.String()
    backfilled = fields.Boolean(metadata={"description": "补录：结束后才创建的场次（登记出勤后才计为已举办）"})
    my_enrolment = fields.Nested(MyCourseEnrolmentSchema, allow_none=True)
    can_manage = fields.Boolean()


class CourseEnrolmentSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "enrolled, waitlisted, cancelled, attended, absent"})
    waitlist_position = fields.Integer(allow_none=True, metadata={"description": "候补顺位（排队号）"})
    waitlist_rank = fields.Integer(allow_none=True, metadata={"description": "当前排在第几位（1: 下一个递补）"})
    session = fields.Nested(CourseSessionSchema)
    created_at = ShanghaiDateTime()
    promoted_at = ShanghaiDateTime(allow_none=True)
    cancelled_at = ShanghaiDateTime(allow_none=True)
    checked_in_at = ShanghaiDateTime(allow_none=True)


class MyCourseEnrolmentItemSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    waitlist_position = fields.Integer(allow_none=True)
    session = fields.Nested(CourseSessionBriefSchema)
    course = fields.Nested(CourseBriefSchema, attribute="session.course")
    created_at = ShanghaiDateTime()
    checked_in_at = ShanghaiDateTime(allow_none=True)


class CourseRosterItemSchema(Schema):
    id = fields.Integer()
    guardian_name = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "手机号（已脱敏）"})
    status = fields.String()
    waitlist_position = fields.Integer(allow_none=True)
    created_at = ShanghaiDateTime()
    checked_in_at = ShanghaiDateTime(allow_none=True)


class CourseRosterQuerySchema(PageArgsSchema):
    status = fields.Enum(EnrolmentStatus, by_value=True, metadata={"description": "按状态筛选"})


class CourseCheckinCodeSchema(Schema):
    code = fields.String(metadata={"description": "当前签到码（6 位数字，定时更换）"})
    step_seconds = fields.Integer()
    valid_until = ShanghaiDateTime()
    window_opens_at = ShanghaiDateTime()
    window_closes_at = ShanghaiDateTime()


class CourseFeedbackSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    session_starts_at = ShanghaiDateTime(attribute="session.starts_at")
    rating = fields.Integer()
    comment = fields.String()
    created_at = ShanghaiDateTime()


class CourseFeedbackPageSchema(Schema):
    count = fields.Integer(metadata={"description": "评价数"})
    average = fields.Float(allow_none=True, metadata={"description": "平均分"})
    by_rating = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(CourseFeedbackSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class CourseCategoryHoursSchema(Schema):
    category = fields.String()
    label = fields.String()
    sessions = fields.Integer()
    hours = fields.Float()


class LearningRecordSessionSchema(Schema):
    session_id = fields.Integer()
    title = fields.String()
    category = fields.String()
    starts_at = ShanghaiDateTime()
    hours = fields.Float()


class LearningRecordSchema(Schema):
    school_year = fields.Integer()
    label = fields.String()
    starts_on = fields.Date(metadata={"description": "学年第一天（按孩子所在地区的校历）"})
    ends_on = fields.Date(metadata={"description": "学年最后一天"})
    sessions_attended = fields.Integer()
    learning_hours = fields.Float(metadata={"description": "学时合计"})
    by_category = fields.List(fields.Nested(CourseCategoryHoursSchema))
    sessions = fields.List(fields.Nested(LearningRecordSessionSchema))


class CourseComplianceItemSchema(Schema):
    activity_kind = fields.String()
    label = fields.String()
    held = fields.Integer(metadata={"description": "已举办场次"})
    required = fields.Integer(allow_none=True, metadata={"description": "政策要求（空: 无要求）"})
    met = fields.Boolean(allow_none=True)
    attended = fields.Integer()
    expected = fields.Integer()
    attendance_rate = fields.Float(allow_none=True, metadata={"description": "出席率 = 出席 / (出席 + 缺席)"})


class CourseCompliancePeriodSchema(Schema):
    period = fields.String(metadata={"description": "autumn, spring 或 year"})
    label = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    items = fields.List(fields.Nested(CourseComplianceItemSchema))


class CourseComplianceSchema(Schema):
    school_id = fields.Integer()
    school_year = fields.Integer()
    label = fields.String()
    terms = fields.List(fields.Nested(CourseCompliancePeriodSchema))
    year = fields.Nested(CourseCompliancePeriodSchema)


class MeetingAttendanceInSchema(Schema):
    """协调会参会代表 (001 §二(二)1: 家庭、社区及社会资源单位代表), counted by kind."""

    families = SmallInt(max=9999, required=True, metadata={"description": "家庭（家长）代表人数"})
    community = SmallInt(max=9999, required=True, metadata={"description": "社区代表人数"})
    resource_units = SmallInt(max=9999, required=True, metadata={"description": "社会资源单位代表人数"})
    note = text(500, load_default="", metadata={"description": "参会单位（如：某社区居委会、某图书馆）"})


class MeetingAttendanceSchema(Schema):
    session_id = fields.Integer()
    families = fields.Integer()
    community = fields.Integer()
    resource_units = fields.Integer()
    note = fields.String()
    recorded_at = ShanghaiDateTime(allow_none=True)
    all_kinds_attended = fields.Boolean(metadata={"description": "家庭、社区、社会资源单位代表均有参加"})
