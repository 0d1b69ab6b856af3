"""Schemas of the parent school. Input is strict: unknown fields, wrong types and out-of-range values answer 422."""

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from jlt_family.core.schemas import (
    DATE_RANGE,
    Id,
    PageArgsSchema,
    QueryId,
    ShanghaiDateTime,
    SmallInt,
    StrictBoolean,
    TrimmedString,
    text,
)
from jlt_family.courses.models import (
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


class MeetingAttendanceInSchema(Schema):
    """协调会参会代表 (001 §二(二)1: 家庭、社区及社会资源单位代表), counted by kind."""

    families = SmallInt(max=9999, required=True, metadata={"description": "家庭（家长）代表人数"})
    community = SmallInt(max=9999, required=True, metadata={"description": "社区代表人数"})
    resource_units = SmallInt(max=9999, required=True, metadata={"description": "社会资源单位代表人数"})
    note = text(500, load_default="", metadata={"description": "参会单位（如：某社区居委会、某图书馆）"})


class CourseRosterQuerySchema(PageArgsSchema):
    status = fields.Enum(EnrolmentStatus, by_value=True, metadata={"description": "按状态筛选"})
