"""Schemas of the organisation API: regions, schools, classes, resource units, staff roles."""

import datetime as dt
import re

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from werkzeug.datastructures import FileStorage

from jlt_family.core.schemas import Id, PageArgsSchema, QueryId, ShanghaiDateTime, SmallInt, text
from jlt_family.organizations.models import RegionLevel, ResourceUnitKind, SchoolKind, StaffRole

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


def _one_of(enum_cls):
    values = [m.value for m in enum_cls]
    return validate.OneOf(values, error=f"应为以下之一：{', '.join(values)}")


class HourMinute(fields.String):
    """A time of day as ``HH:MM`` (Asia/Shanghai wall clock)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"example": "22:00"})
        kwargs["metadata"] = {"pattern": _HHMM, **kwargs["metadata"]}
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%H:%M") if isinstance(value, dt.time) else value

    def _deserialize(self, value, attr, data, **kwargs):
        text_value = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(_HHMM, text_value):
            raise ValidationError("时间格式应为 HH:MM，如 22:00")
        return dt.datetime.strptime(text_value, "%H:%M").time()


# Regions -----------------------------------------------------------------------------------------------------


class RegionBriefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class RegionCalendarSchema(Schema):
    school_year_start = fields.String(metadata={"description": "学年开始 MM-DD（含继承）", "example": "09-01"})
    spring_term_start = fields.String(metadata={"description": "春季学期开始 MM-DD（含继承）", "example": "02-01"})


class RegionSchema(Schema):
    """行政区划."""

    id = fields.Integer()
    code = fields.String(metadata={"description": "行政区划代码"})
    name = fields.String()
    level = fields.String(metadata={"enum": [m.value for m in RegionLevel]})
    level_label = fields.String()
    parent_id = fields.Integer(allow_none=True)
    calendar = fields.Nested(RegionCalendarSchema)


class RegionArgsSchema(PageArgsSchema):
    parent_id = QueryId(metadata={"description": "只列出该区划的直接下级"})
    level = fields.String(validate=_one_of(RegionLevel))


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
    kind_label = fields.String()
    region = fields.Nested(RegionBriefSchema)
    alliance = fields.Nested(AllianceBriefSchema, allow_none=True)
    is_alliance_centre = fields.Boolean()
    address = fields.String()


class SchoolArgsSchema(PageArgsSchema):
    region_id = QueryId()
    alliance_id = QueryId()
    kind = fields.String(validate=_one_of(SchoolKind))


class CalendarArgsSchema(Schema):
    date = fields.Date(metadata={"description": "YYYY-MM-DD，默认今天（北京时间）"})


class SchoolYearSchema(Schema):
    start_year = fields.Integer(metadata={"example": 2026})
    label = fields.String(metadata={"example": "2026–2027学年"})
    starts_on = fields.Date()
    ends_on = fields.Date()


class TermSchema(Schema):
    name = fields.String(metadata={"enum": ["autumn", "spring"]})
    label = fields.String(metadata={"example": "2026–2027学年秋季学期"})
    starts_on = fields.Date()
    ends_on = fields.Date()


class SchoolCalendarSchema(Schema):
    """校历: the school year and its two terms around a date."""

    date = fields.Date()
    school_year = fields.Nested(SchoolYearSchema)
    terms = fields.List(fields.Nested(TermSchema))
    current_term = fields.String(metadata={"description": "该日期所在学期 (autumn / spring)"})


# Classes -----------------------------------------------------------------------------------------------------


class UserBriefSchema(Schema):
    id = fields.Integer()
    nickname = fields.String()


class SubjectTeacherSchema(Schema):
    user_id = fields.Integer()
    nickname = fields.String()
    subject = fields.String()


class ClassSchema(Schema):
    """班级: ``invite_code`` is present only for its 班主任 and the school's admins."""

    id = fields.Integer()
    school_id = fields.Integer()
    school_year = fields.Integer(metadata={"description": "学年开始的年份，2026 即 2026–2027学年"})
    grade = fields.Integer()
    grade_label = fields.String()
    name = fields.String()
    homeroom_teacher = fields.Nested(UserBriefSchema, allow_none=True)
    subject_teachers = fields.List(fields.Nested(SubjectTeacherSchema))
    student_count = fields.Integer()
    invite_code = fields.String(metadata={"description": "班级邀请码（仅班主任和学校管理员可见）"})


class ClassArgsSchema(PageArgsSchema):
    school_year = SmallInt(min=2000, max=2100, strict=False)
    grade = SmallInt(min=-3, max=12, strict=False)


class HomeroomTeacherSchema(Schema):
    user_id = Id(required=True, allow_none=True, metadata={"description": "本校在岗教师的用户编号；null 取消班主任"})


class ClassTeacherCreateSchema(Schema):
    user_id = Id(required=True)
    subject = text(20, load_default="", metadata={"example": "数学"})


class StudentFlagsSchema(Schema):
    """敏感标记 (left-behind, migrant, in difficulty, disabled)."""

    left_behind = fields.Boolean()
    migrant = fields.Boolean()
    in_difficulty = fields.Boolean()
    disabled = fields.Boolean()


class RosterEntrySchema(Schema):
    """花名册条目: ``flags`` only for the 班主任 and school admins (and such reads are audit-logged)."""

    id = fields.Integer()
    name = fields.String()
    student_no = fields.String()
    gender = fields.String(allow_none=True, metadata={"enum": ["male", "female", None]})
    bound = fields.Boolean(metadata={"description": "是否已有家长绑定"})
    flags = fields.Nested(StudentFlagsSchema)


# Resource units ----------------------------------------------------------------------------------------------


class ResourceUnitSchema(Schema):
    """社会资源单位: the contact phone is masked except for the unit's staff and its administrators."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": [m.value for m in ResourceUnitKind]})
    kind_label = fields.String(metadata={"example": "科技馆"})
    region = fields.Nested(RegionBriefSchema)
    school_id = fields.Integer(allow_none=True)
    address = fields.String()
    opening_info = fields.String()
    description = fields.String()
    contact_person = fields.String()
    contact_phone = fields.String()
    is_active = fields.Boolean()
    alliances = fields.List(fields.Nested(AllianceBriefSchema))


class ResourceUnitArgsSchema(PageArgsSchema):
    region_id = QueryId(metadata={"description": "该区划及其下级的单位"})
    kind = fields.String(validate=_one_of(ResourceUnitKind))
    alliance_id = QueryId()


# Staff roles and invites -------------------------------------------------------------------------------------

_ROLE_DOC = (
    "teacher / school_admin: scope_id 为学校编号; venue_staff: 资源单位编号; alliance_admin: 教联体编号; "
    "region_admin: 行政区划编号"
)


class GrantSchema(Schema):
    user_id = Id(required=True)
    role = fields.String(required=True, validate=_one_of(StaffRole), metadata={"description": _ROLE_DOC})
    scope_id = Id(required=True)
    display_name = text(40, load_default="", metadata={"description": "岗位上显示的姓名"})


class MembershipSchema(Schema):
    """岗位授权."""

    id = fields.Integer()
    user = fields.Nested(UserBriefSchema)
    display_name = fields.String()
    role = fields.String(metadata={"enum": [m.value for m in StaffRole]})
    role_label = fields.String()
    school_id = fields.Integer(allow_none=True)
    resource_unit_id = fields.Integer(allow_none=True)
    alliance_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    scope_name = fields.String()
    granted_by_id = fields.Integer(allow_none=True)
    granted_at = ShanghaiDateTime()
    revoked_at = ShanghaiDateTime(allow_none=True)
    revoked_by_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


class ScopeArgsSchema(PageArgsSchema):
    """Exactly one scope: a school, a resource unit, an alliance or a region."""

    school_id = QueryId()
    resource_unit_id = QueryId()
    alliance_id = QueryId()
    region_id = QueryId()

    @validates_schema
    def _one_scope(self, data, **kwargs):
        given = [k for k in ("school_id", "resource_unit_id", "alliance_id", "region_id") if k in data]
        if len(given) != 1:
            raise ValidationError("请指定且只指定一个范围：school_id、resource_unit_id、alliance_id 或 region_id")


class MembershipArgsSchema(ScopeArgsSchema):
    include_revoked = fields.Boolean(load_default=False)


class StaffInviteCreateSchema(Schema):
    role = fields.String(required=True, validate=_one_of(StaffRole), metadata={"description": _ROLE_DOC})
    scope_id = Id(required=True)
    max_uses = SmallInt(min=1, max=500, load_default=1)
    expires_in_days = SmallInt(
        min=1,
        max=90,
        load_default=None,
        allow_none=True,
        metadata={"description": "有效天数，默认 STAFF_INVITE_TTL_DAYS"},
    )


class StaffInviteSchema(Schema):
    """岗位邀请码."""

    id = fields.Integer()
    code = fields.String(metadata={"example": "K7M3QX9TPA"})
    role = fields.String(metadata={"enum": [m.value for m in StaffRole]})
    role_label = fields.String()
    school_id = fields.Integer(allow_none=True)
    resource_unit_id = fields.Integer(allow_none=True)
    alliance_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    scope_name = fields.String()
    max_uses = fields.Integer()
    used_count = fields.Integer()
    status = fields.String(metadata={"enum": ["active", "expired", "revoked", "used_up"]})
    created_at = ShanghaiDateTime()
    expires_at = ShanghaiDateTime()
    revoked_at = ShanghaiDateTime(allow_none=True)


class RedeemSchema(Schema):
    code = text(32, required=True, min_len=1, metadata={"example": "K7M3-QX9T-PA"})
    display_name = text(40, load_default="", metadata={"description": "岗位上显示的姓名，默认昵称"})


# Roster import -----------------------------------------------------------------------------------------------


class FileUpload(Upload):
    """An uploaded file (a multipart part with a filename), not a plain form value."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("请以文件形式上传")
        return value


class RosterImportFormSchema(Schema):
    file = FileUpload(required=True, metadata={"description": "CSV（UTF-8/GBK）或 XLSX 花名册，列见接口说明"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "只校验不写入"})


class RosterImportResultSchema(Schema):
    dry_run = fields.Boolean()
    rows = fields.Integer()
    classes_created = fields.Integer()
    students_created = fields.Integer()
    students_updated = fields.Integer()
    students_unchanged = fields.Integer()
    ignored_columns = fields.List(fields.String(), metadata={"description": "未识别而被忽略的列"})
