"""Schemas of families, children, binding requests, family invites and care entrustments.

Input schemas are strict: unknown fields, wrong types and out-of-range values answer 422 with Chinese messages.
"""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from jlt_family.core.schemas import DATE_RANGE, PageArgsSchema, PhoneNumber, ShanghaiDateTime, StrictBoolean, text
from jlt_family.families.models import BindingStatus, EntrustmentStatus, GuardianRelation
from jlt_family.organizations.schemas import SchoolBriefSchema


def relation_field(**kwargs: Any) -> fields.Enum:
    return fields.Enum(
        GuardianRelation,
        by_value=True,
        metadata={
            "description": "与孩子的关系: father 父亲, mother 母亲, paternal_grandparent 祖父母, "
            "maternal_grandparent 外祖父母, other 其他监护人"
        },
        **kwargs,
    )


# ---- input ---------------------------------------------------------------------------------------------------


class FamilyUpdateSchema(Schema):
    home_address = text(200, required=True, metadata={"description": "家庭住址（敏感信息）"})


class BindingRequestCreateSchema(Schema):
    invite_code = text(12, required=True, min_len=1, metadata={"description": "班级邀请码（班主任提供）"})
    student_name = text(40, required=True, min_len=1, metadata={"description": "孩子姓名，须与花名册一致"})
    student_no = text(32, required=True, min_len=1, metadata={"description": "学号，须与花名册一致"})
    relation = relation_field(required=True)
    guardian_name = text(40, required=True, min_len=1, metadata={"description": "家长姓名"})


class BindingRequestQuerySchema(PageArgsSchema, Schema):
    status = fields.Enum(BindingStatus, by_value=True, metadata={"description": "按状态筛选，如 pending"})


class BindingRejectSchema(Schema):
    reason = text(200, required=True, min_len=1, metadata={"description": "驳回原因（家长可见）"})


class FamilyInviteRedeemSchema(Schema):
    code = text(16, required=True, min_len=1, metadata={"description": "家庭邀请码"})
    relation = relation_field(required=True)
    name = text(40, required=True, min_len=1, metadata={"description": "家长姓名"})


FLAG_NAMES = ("left_behind", "migrant", "in_difficulty", "disabled")


class ChildFlagsUpdateSchema(Schema):
    left_behind = StrictBoolean(metadata={"description": "留守儿童"})
    migrant = StrictBoolean(metadata={"description": "流动儿童"})
    in_difficulty = StrictBoolean(metadata={"description": "困境儿童"})
    disabled = StrictBoolean(metadata={"description": "残疾儿童"})

    @validates_schema
    def _at_least_one(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项标记")


class CareEntrustmentCreateSchema(Schema):
    caretaker_name = text(40, required=True, min_len=1, metadata={"description": "受托照护人姓名"})
    caretaker_relation = text(20, required=True, min_len=1, metadata={"description": "与孩子的关系，如 祖母"})
    caretaker_phone = PhoneNumber(required=True, metadata={"description": "照护人电话：手机或带区号的固定电话"})
    starts_on = fields.Date(required=True, validate=DATE_RANGE, metadata={"description": "委托开始日期"})
    ends_on = fields.Date(
        load_default=None, allow_none=True, validate=DATE_RANGE, metadata={"description": "委托结束日期（可空）"}
    )
    note = text(500, load_default="", metadata={"description": "备注"})

    @validates_schema
    def _period_in_order(self, data, **kwargs):
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise ValidationError("结束日期不能早于开始日期", field_name="ends_on")


class CareEntrustmentQuerySchema(PageArgsSchema, Schema):
    status = fields.Enum(EntrustmentStatus, by_value=True, metadata={"description": "按状态筛选"})


# ---- output --------------------------------------------------------------------------------------------------


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
    school = fields.Nested(SchoolBriefSchema)
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
    school = fields.Nested(SchoolBriefSchema)
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
