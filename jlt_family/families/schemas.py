"""Schemas of families, children, binding requests, family invites and care entrustments.

Input schemas are strict: unknown fields, wrong types and out-of-range values answer 422 with Chinese messages.
"""

import datetime as dt
import re

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from jlt_family.core.schemas import PageArgsSchema, ShanghaiDateTime, TrimmedString, text
from jlt_family.families.models import BindingStatus, EntrustmentStatus, GuardianRelation

_ZH_INVALID = {
    fields.Boolean: "应为 true 或 false",
    fields.Integer: "应为整数",
    fields.Date: "日期格式应为 YYYY-MM-DD",
    fields.DateTime: "时间格式有误",
    fields.String: "应为文本",
}
_ZH_COMMON = {"required": "此项必填", "null": "不能为空", "unknown": "应为以下之一：{choices}"}


def _zh_invalid(field):
    for cls, message in _ZH_INVALID.items():
        if isinstance(field, cls):
            return message
    return "格式有误"


def _unencodable(value):
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class StrictSchema(Schema):
    """A schema that refuses unknown fields and explains every error in Chinese."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "不支持的字段", "type": "数据格式有误，应为 JSON 对象"}

    @pre_load
    def _refuse_unencodable_text(self, data, **kwargs):
        """JSON may carry lone surrogates (\\ud800) that no database can store: refuse them as bad input."""
        if isinstance(data, dict):
            bad = {key: ["包含无效字符"] for key, value in data.items() if _unencodable(value)}
            if bad:
                raise ValidationError(bad)
        return data

    def on_bind_field(self, field_name, field_obj):
        messages = {key: value for key, value in _ZH_COMMON.items() if key in field_obj.error_messages}
        if "invalid" in field_obj.error_messages:
            messages["invalid"] = _zh_invalid(field_obj)
        field_obj.error_messages = {**field_obj.error_messages, **messages}


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


def relation_field(**kwargs):
    return fields.Enum(
        GuardianRelation,
        by_value=True,
        metadata={"description": "与孩子的关系: father 父亲, mother 母亲, paternal_grandparent 祖父母, "
                  "maternal_grandparent 外祖父母, other 其他监护人"},
        **kwargs,
    )


_DATE_RANGE = validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2100, 12, 31), error="日期应在 2000 年至 2100 年之间")

# ---- input ---------------------------------------------------------------------------------------------------


class FamilyUpdateSchema(StrictSchema):
    home_address = text(200, required=True, metadata={"description": "家庭住址（敏感信息）"})


class BindingRequestCreateSchema(StrictSchema):
    invite_code = text(12, required=True, min_len=1, metadata={"description": "班级邀请码（班主任提供）"})
    student_name = text(40, required=True, min_len=1, metadata={"description": "孩子姓名，须与花名册一致"})
    student_no = text(32, required=True, min_len=1, metadata={"description": "学号，须与花名册一致"})
    relation = relation_field(required=True)
    guardian_name = text(40, required=True, min_len=1, metadata={"description": "家长姓名"})


class BindingRequestQuerySchema(PageArgsSchema, StrictSchema):
    status = fields.Enum(BindingStatus, by_value=True, metadata={"description": "按状态筛选，如 pending"})


class BindingRejectSchema(StrictSchema):
    reason = text(200, required=True, min_len=1, metadata={"description": "驳回原因（家长可见）"})


class FamilyInviteRedeemSchema(StrictSchema):
    code = text(16, required=True, min_len=1, metadata={"description": "家庭邀请码"})
    relation = relation_field(required=True)
    name = text(40, required=True, min_len=1, metadata={"description": "家长姓名"})


FLAG_NAMES = ("left_behind", "migrant", "in_difficulty", "disabled")


class ChildFlagsUpdateSchema(StrictSchema):
    left_behind = StrictBoolean(metadata={"description": "留守儿童"})
    migrant = StrictBoolean(metadata={"description": "流动儿童"})
    in_difficulty = StrictBoolean(metadata={"description": "困境儿童"})
    disabled = StrictBoolean(metadata={"description": "残疾儿童"})

    @validates_schema
    def _at_least_one(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项标记")


class CareEntrustmentCreateSchema(StrictSchema):
    caretaker_name = text(40, required=True, min_len=1, metadata={"description": "受托照护人姓名"})
    caretaker_relation = text(20, required=True, min_len=1, metadata={"description": "与孩子的关系，如 祖母"})
    caretaker_phone = PhoneNumber(required=True, metadata={"description": "照护人电话：手机或带区号的固定电话"})
    starts_on = fields.Date(required=True, validate=_DATE_RANGE, metadata={"description": "委托开始日期"})
    ends_on = fields.Date(
        load_default=None, allow_none=True, validate=_DATE_RANGE, metadata={"description": "委托结束日期（可空）"}
    )
    note = text(500, load_default="", metadata={"description": "备注"})

    @validates_schema
    def _period_in_order(self, data, **kwargs):
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise ValidationError("结束日期不能早于开始日期", field_name="ends_on")


class CareEntrustmentQuerySchema(PageArgsSchema, StrictSchema):
    status = fields.Enum(EntrustmentStatus, by_value=True, metadata={"description": "按状态筛选"})


# ---- output --------------------------------------------------------------------------------------------------


class ChildSchoolSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ChildClassSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    grade = fields.Integer()
    school_year = fields.Integer()


class FamilyGuardianSchema(Schema):
    """监护人: the phone is masked unless it is the caller's own."""

    id = fields.Integer()
    relation = fields.String()
    relation_label = fields.String(metadata={"example": "母亲"})
    name = fields.String()
    phone = fields.String(allow_none=True, metadata={"example": "138****0001"})
    is_primary = fields.Boolean()
    is_me = fields.Boolean()
    joined_at = ShanghaiDateTime()


class FamilyChildSchema(Schema):
    """子女 in the family view (the family's own guardians see the sensitive flags)."""

    id = fields.Integer()
    name = fields.String()
    gender = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    student_no = fields.String()
    school = fields.Nested(ChildSchoolSchema)
    school_class = fields.Nested(ChildClassSchema, allow_none=True)
    left_behind = fields.Boolean()
    migrant = fields.Boolean()
    in_difficulty = fields.Boolean()
    disabled = fields.Boolean()


class FamilySchema(Schema):
    """家庭: guardians, children and the home address."""

    id = fields.Integer()
    home_address = fields.String()
    created_at = ShanghaiDateTime()
    guardians = fields.List(fields.Nested(FamilyGuardianSchema))
    children = fields.List(fields.Nested(FamilyChildSchema))


class ChildDetailSchema(FamilyChildSchema):
    """子女详情: what the caller may see of a child; fields they may not see are absent.

    ``access``: guardian (everything), leader (班主任 / 学校领导: flags, address, guardians with masked phones),
    basic (科任教师: name, class, student number).
    """

    access = fields.String(metadata={"example": "guardian"})
    home_address = fields.String()
    guardians = fields.List(fields.Nested(FamilyGuardianSchema))


class ChildFlagsSchema(Schema):
    id = fields.Integer()
    left_behind = fields.Boolean()
    migrant = fields.Boolean()
    in_difficulty = fields.Boolean()
    disabled = fields.Boolean()


class BindingStudentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    student_no = fields.String()


class BindingRequestSchema(Schema):
    """绑定申请. ``requester_phone`` (masked) and ``child_bound`` are shown to the deciding staff only."""

    id = fields.Integer()
    status = fields.String(metadata={"example": "pending"})
    relation = fields.String()
    relation_label = fields.String()
    guardian_name = fields.String()
    requester_phone = fields.String(allow_none=True)
    student = fields.Nested(BindingStudentSchema)
    school = fields.Nested(ChildSchoolSchema)
    school_class = fields.Nested(ChildClassSchema)
    child_bound = fields.Boolean(metadata={"description": "孩子是否已绑定到某个家庭"})
    reason = fields.String()
    created_at = ShanghaiDateTime()
    decided_at = ShanghaiDateTime(allow_none=True)


class FamilyInviteSchema(Schema):
    """家庭邀请码."""

    id = fields.Integer()
    code = fields.String(metadata={"example": "7KQ2M9XH4P"})
    created_by_name = fields.String()
    created_at = ShanghaiDateTime()
    expires_at = ShanghaiDateTime()


class CareEntrustmentSchema(Schema):
    """委托照护: the caretaker's phone is shown to the child's guardians, 班主任 and school leaders."""

    id = fields.Integer()
    student_id = fields.Integer()
    caretaker_name = fields.String()
    caretaker_relation = fields.String()
    caretaker_phone = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    note = fields.String()
    status = fields.String(metadata={"example": "submitted"})
    created_at = ShanghaiDateTime()
    acknowledged_at = ShanghaiDateTime(allow_none=True)
