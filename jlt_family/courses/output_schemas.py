"""Output schemas of the parent school: they dump the model objects (or the caller's views of them, views.py)."""

from marshmallow import Schema, fields, missing

from jlt_family.core.schemas import Label, ShanghaiDateTime
from jlt_family.courses.models import ACTIVITY_LABELS, CATEGORY_LABELS, FORMAT_LABELS, PROVIDER_LABELS


class Itself(fields.Nested):
    """Nests the dumped object itself (not one of its attributes) in a schema of its own."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        return obj


class CourseProviderSchema(Schema):
    """举办方 of a course (dumped from the course)."""

    kind = fields.String(attribute="provider_kind")
    kind_label = Label(PROVIDER_LABELS, "provider_kind")
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
    category_label = Label(CATEGORY_LABELS, "category")
    activity_kind = fields.String()
    activity_label = Label(ACTIVITY_LABELS, "activity_kind")
    format = fields.String()
    format_label = Label(FORMAT_LABELS, "format")
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


class MeetingAttendanceSchema(Schema):
    session_id = fields.Integer()
    families = fields.Integer()
    community = fields.Integer()
    resource_units = fields.Integer()
    note = fields.String()
    recorded_at = ShanghaiDateTime(allow_none=True)
    all_kinds_attended = fields.Boolean(metadata={"description": "家庭、社区、社会资源单位代表均有参加"})
