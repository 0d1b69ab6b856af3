"""Schemas of the evaluation reports: the query (period, format) and the report documents (OpenAPI)."""

from marshmallow import Schema, fields, validate

from jlt_family.core.schemas import SmallInt
from jlt_family.reports.periods import MAX_SCHOOL_YEAR, MIN_SCHOOL_YEAR, TERMS


class ReportPeriodArgsSchema(Schema):
    school_year = SmallInt(min=MIN_SCHOOL_YEAR, max=MAX_SCHOOL_YEAR, strict=False,
                           metadata={"description": "学年（开始年份，如 2026 表示 2026–2027学年）；默认当前学年"})
    term = fields.String(validate=validate.OneOf(TERMS, error="学期应为 autumn、spring 或 year"),
                         metadata={"description": "autumn 秋季学期 / spring 春季学期 / year 全学年；"
                                                  "都不给时为当前学期，只给学年时为全学年"})


class EvaluationReportArgsSchema(ReportPeriodArgsSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv"), error="格式应为 json 或 csv"),
                           metadata={"description": "json（默认）或 csv（UTF-8 BOM，可直接用 Excel 打开）"})


class ReportScopeSchema(Schema):
    kind = fields.String(metadata={"description": "school / alliance / region"})
    id = fields.Integer()
    name = fields.String()


class ReportPeriodSchema(Schema):
    school_year = fields.Integer()
    term = fields.String(metadata={"description": "autumn / spring / year"})
    label = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    reference_date = fields.Date(metadata={"description": "名册与分班的基准日：周期最后一天，进行中的周期为今天"})


class ReportCoverageSchema(Schema):
    students = fields.Integer()
    visited = fields.Integer()
    rate = fields.Float(allow_none=True)
    required_rate = fields.Float()
    met = fields.Boolean(allow_none=True)


class ReportFlaggedCoverageSchema(Schema):
    left_behind = fields.Nested(ReportCoverageSchema, metadata={"description": "留守儿童的家访覆盖"})
    in_difficulty = fields.Nested(ReportCoverageSchema, metadata={"description": "困境儿童的家访覆盖"})


class ReportNotVisitedCountsSchema(Schema):
    students = fields.Integer(metadata={"description": "尚未家访的学生数"})
    left_behind = fields.Integer(metadata={"description": "其中留守儿童"})
    in_difficulty = fields.Integer(metadata={"description": "其中困境儿童"})


class ReportNotVisitedStudentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    student_no = fields.String()
    school_class = fields.Dict(metadata={"description": "统计所在班级 {id, name, grade}"})
    flags = fields.List(fields.String(), metadata={"description": "敏感标记 left_behind / migrant / in_difficulty / "
                                                                 "disabled"})


class ReportNotVisitedSchema(ReportNotVisitedCountsSchema):
    items = fields.List(fields.Nested(ReportNotVisitedStudentSchema), allow_none=True, metadata={
        "description": "尚未家访名单（有敏感标记的在前）：仅本校学校领导在学校报表（JSON）中可见，读取记入审计日志；"
                       "其他人为 null，只给人数"})


class ReportEntrustmentsSchema(Schema):
    left_behind = fields.Integer(metadata={"description": "留守儿童数"})
    entrusted = fields.Integer(metadata={"description": "其中已书面告知委托照护（基准日有效、未撤回）"})
    acknowledged = fields.Integer(metadata={"description": "其中学校已确认"})
    rate = fields.Float(allow_none=True)
    required_rate = fields.Float()
    met = fields.Boolean(allow_none=True)


class ReportChildrenMixin(Schema):
    flagged_coverage = fields.Nested(ReportFlaggedCoverageSchema)
    not_visited = fields.Nested(ReportNotVisitedCountsSchema)
    entrustments = fields.Nested(ReportEntrustmentsSchema, metadata={"description": "留守儿童委托照护（002 §7）"})


class ReportTermHeldSchema(Schema):
    held = fields.Integer()
    met = fields.Boolean()
    label = fields.String()


class ReportActivityItemSchema(Schema):
    activity_kind = fields.String()
    label = fields.String()
    required = fields.Integer(allow_none=True)
    per = fields.String(allow_none=True, metadata={"description": "term（每学期）/ year（每学年）"})
    held = fields.Integer()
    met = fields.Boolean(allow_none=True, metadata={"description": "只在学校报表中"})
    schools = fields.Integer()
    schools_met = fields.Integer(allow_none=True)
    attended = fields.Integer()
    expected = fields.Integer()
    attendance_rate = fields.Float(allow_none=True)
    terms = fields.Dict(keys=fields.String(), values=fields.Nested(ReportTermHeldSchema))


class ReportAttendanceSchema(Schema):
    sessions = fields.Integer()
    attended = fields.Integer()
    expected = fields.Integer()
    rate = fields.Float(allow_none=True)


class ReportBookingsSchema(Schema):
    total = fields.Integer()
    green = fields.Integer()
    general = fields.Integer()
    family = fields.Integer()
    group = fields.Integer()
    free = fields.Integer()
    discounted = fields.Integer()
    checked_in = fields.Integer()
    no_show = fields.Integer()
    no_show_rate = fields.Float(allow_none=True)
    visitors = fields.Integer()


class ReportRatingSchema(Schema):
    count = fields.Integer()
    average = fields.Float(allow_none=True)


class ReportFeedbackSchema(Schema):
    courses = fields.Nested(ReportRatingSchema)
    home_visits = fields.Nested(ReportRatingSchema)
    venue_visits = fields.Nested(ReportRatingSchema)


class ReportMeetingsSchema(Schema):
    required = fields.Integer()
    per = fields.String()
    held = fields.Integer()
    met = fields.Boolean()
    alliances = fields.Integer()
    alliances_met = fields.Integer()


class ReportSchoolRowSchema(ReportChildrenMixin):
    id = fields.Integer()
    name = fields.String()
    alliance_id = fields.Integer(allow_none=True)
    coverage = fields.Nested(ReportCoverageSchema)
    activities = fields.Dict(keys=fields.String(), values=fields.Dict())
    rules = fields.Integer()
    rules_met = fields.Integer()
    attendance = fields.Nested(ReportAttendanceSchema)
    bookings = fields.Nested(ReportBookingsSchema)
    feedback = fields.Nested(ReportFeedbackSchema)


class ReportClassRowSchema(ReportCoverageSchema, ReportChildrenMixin):
    """A class's coverage; its flagged children's coverage, not-yet-visited counts and care entrustments only for
    the school's leaders."""

    id = fields.Integer()
    name = fields.String()
    grade = fields.Integer()


class ReportAllianceRowSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    status = fields.String()
    schools = fields.Integer()
    coverage = fields.Nested(ReportCoverageSchema)
    coordination_meetings = fields.Nested(ReportMeetingsSchema)
    schools_meeting_all_rules = fields.Integer()


class EvaluationReportSchema(Schema):
    scope = fields.Nested(ReportScopeSchema)
    period = fields.Nested(ReportPeriodSchema)
    coverage = fields.Nested(ReportCoverageSchema)
    activities = fields.List(fields.Nested(ReportActivityItemSchema))
    attendance = fields.Nested(ReportAttendanceSchema)
    bookings = fields.Nested(ReportBookingsSchema)
    feedback = fields.Nested(ReportFeedbackSchema)
    schools = fields.List(fields.Nested(ReportSchoolRowSchema))
    flagged_coverage = fields.Nested(ReportFlaggedCoverageSchema)
    not_visited = fields.Nested(ReportNotVisitedSchema)
    entrustments = fields.Nested(ReportEntrustmentsSchema, metadata={"description": "留守儿童委托照护（002 §7）"})


class SchoolEvaluationSchema(EvaluationReportSchema):
    classes = fields.List(fields.Nested(ReportClassRowSchema), metadata={"description": "各班家访覆盖（下钻）"})


class AllianceEvaluationSchema(EvaluationReportSchema):
    coordination_meetings = fields.Nested(ReportMeetingsSchema)


class RegionEvaluationSchema(AllianceEvaluationSchema):
    alliances = fields.List(fields.Nested(ReportAllianceRowSchema))
