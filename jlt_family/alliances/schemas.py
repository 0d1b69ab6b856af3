"""Schemas of an alliance: what it shows, its reminder policy, and forming and approving it (the draft, its
member schools and units, the review)."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from jlt_family.alliances.models import AllianceAction, AllianceStatus, MemberKind
from jlt_family.core.schemas import (
    Id,
    Label,
    PageArgsSchema,
    PhoneNumber,
    QueryId,
    ShanghaiDateTime,
    SmallInt,
    StrictBoolean,
    text,
)
from jlt_family.organizations.models import SchoolKind
from jlt_family.organizations.schemas import HourMinute, RegionBriefSchema, SchoolBriefSchema, one_of

_KINDS = [m.value for m in MemberKind]


# Input -------------------------------------------------------------------------------------------------------


class MemberInputSchema(Schema):
    """成员单位: a resource unit of the catalogue, a 街道社区 or a 政府部门, with what it does (000 §三.3)."""

    kind = fields.String(
        required=True,
        validate=validate.OneOf(_KINDS, error=f"应为以下之一：{', '.join(_KINDS)}"),
        metadata={"description": "resource_unit 社会资源单位 / community 街道社区 / department 政府部门"},
    )
    resource_unit_id = Id(allow_none=True, metadata={"description": "资源目录中的单位（社会资源单位必填）"})
    name = text(100, allow_none=True, metadata={"description": "单位名称（选了资源单位时默认为其名称）"})
    duties = text(2000, required=True, min_len=1, metadata={"description": "职责"})
    cooperation = text(2000, required=True, min_len=1, metadata={"description": "合作方式"})
    responsible_person = text(40, required=True, min_len=1, metadata={"description": "负责人"})
    contact_phone = PhoneNumber(required=True, metadata={"description": "联系电话（手机或带区号的固定电话）"})


class MemberUpdateSchema(Schema):
    """修改成员单位 (its kind and resource unit stay)."""

    name = text(100, min_len=1)
    duties = text(2000, min_len=1)
    cooperation = text(2000, min_len=1)
    responsible_person = text(40, min_len=1)
    contact_phone = PhoneNumber()

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项")


class AllianceCreateSchema(Schema):
    """起草教联体."""

    name = text(100, required=True, min_len=2, metadata={"example": "乌兰浩特市第二小学教联体"})
    description = text(4000, load_default="", metadata={"description": "简介：工作目标、协同机制（提交前必填）"})
    centre_school_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(max=10),
        metadata={"description": "中心校（1–2 所，同一区县；起草人须为其中一所的学校管理员）"},
    )
    member_school_ids = fields.List(
        Id(), load_default=list, validate=validate.Length(max=200), metadata={"description": "成员学校（同一区县）"}
    )
    members = fields.List(
        fields.Nested(MemberInputSchema),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={"description": "成员单位"},
    )


class AllianceUpdateSchema(Schema):
    name = text(100, min_len=2)
    description = text(4000)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项")


class AllianceSchoolInputSchema(Schema):
    school_id = Id(required=True)
    is_centre = StrictBoolean(load_default=False, metadata={"description": "是否中心校（最多两所）"})


class AllianceSchoolUpdateSchema(Schema):
    is_centre = StrictBoolean(required=True)


class CommentSchema(Schema):
    comment = text(2000, load_default="", metadata={"description": "审批意见（退回时必填）"})


class SuspendSchema(Schema):
    reason = text(2000, load_default="", metadata={"description": "暂停原因（必填）"})


# Output ------------------------------------------------------------------------------------------------------


class AllianceUserSchema(Schema):
    id = fields.Integer()
    nickname = fields.String()


class ProposedSchoolSchema(Schema):
    """申报中的学校."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": [m.value for m in SchoolKind]})
    kind_label = fields.String()
    is_centre = fields.Boolean(metadata={"description": "中心校"})
    in_other_alliance = fields.Boolean(metadata={"description": "已属于其他教联体（提交和批准时会被拒绝）"})


class AllianceApplicationSchema(Schema):
    """申报与审批: shown to the alliance's admins, its centre schools' admins, admins of its schools and the
    education bureau; ``null`` for everybody else."""

    drafted_by = fields.Nested(AllianceUserSchema, allow_none=True)
    created_at = ShanghaiDateTime()
    updated_at = ShanghaiDateTime(allow_none=True)
    submitted_at = ShanghaiDateTime(allow_none=True)
    submitted_by = fields.Nested(AllianceUserSchema, allow_none=True)
    reviewed_at = ShanghaiDateTime(allow_none=True)
    reviewed_by = fields.Nested(AllianceUserSchema, allow_none=True)
    review_comment = fields.String(metadata={"description": "最近一次审批意见（退回意见）"})
    suspended_at = ShanghaiDateTime(allow_none=True)
    suspension_reason = fields.String()
    proposed_schools = fields.List(fields.Nested(ProposedSchoolSchema))
    allowed_actions = fields.List(
        fields.String(),
        metadata={"description": "当前用户可执行的操作：edit, submit, approve, return, suspend, reinstate"},
    )


class AllianceEventSchema(Schema):
    """教联体记录: who did what, the status before and after, the comment."""

    id = fields.Integer()
    action = fields.String(metadata={"enum": [m.value for m in AllianceAction]})
    action_label = fields.String()
    actor = fields.Nested(AllianceUserSchema, allow_none=True)
    from_status = fields.String(allow_none=True, metadata={"enum": [m.value for m in AllianceStatus]})
    to_status = fields.String(allow_none=True, metadata={"enum": [m.value for m in AllianceStatus]})
    comment = fields.String()
    detail = fields.Dict(metadata={"description": "修改的内容（字段的旧值和新值、学校或成员单位）"})
    created_at = ShanghaiDateTime()


MIN_LEAD_MINUTES = 5

MAX_LEAD_MINUTES = 7 * 24 * 60
ALLIANCE_STATUS_LABELS = {
    AllianceStatus.DRAFT: "草稿",
    AllianceStatus.SUBMITTED: "待审批",
    AllianceStatus.APPROVED: "已批准",
    AllianceStatus.SUSPENDED: "已暂停",
    AllianceStatus.RETURNED: "已退回",
}
MEMBER_KIND_LABELS = {
    MemberKind.RESOURCE_UNIT: "社会资源单位",
    MemberKind.COMMUNITY: "街道社区",
    MemberKind.DEPARTMENT: "政府部门",
}


class AllianceMemberSchema(Schema):
    """教联体成员单位 (a ``MemberView``): the phone is masked except for staff of the alliance and its region."""

    id = fields.Integer(attribute="member.id")
    kind = fields.String(attribute="member.kind")
    kind_label = Label(MEMBER_KIND_LABELS, "member.kind")
    name = fields.String(attribute="member.name")
    resource_unit_id = fields.Integer(attribute="member.resource_unit_id", allow_none=True)
    duties = fields.String(attribute="member.duties", metadata={"description": "职责"})
    cooperation = fields.String(attribute="member.cooperation", metadata={"description": "合作方式"})
    responsible_person = fields.String(attribute="member.responsible_person", metadata={"description": "负责人"})
    contact_phone = fields.String(metadata={"description": "联系电话（非本教联体工作人员看到的是脱敏号码）"})


class ReminderPolicySchema(Schema):
    """提醒策略 (of an ``Alliance``): lead times before an event and quiet hours (Asia/Shanghai) when pushes wait."""

    lead_minutes = fields.List(
        fields.Integer(), attribute="reminder_lead_minutes", metadata={"description": "提前提醒的分钟数，从长到短"}
    )
    quiet_hours_start = HourMinute()
    quiet_hours_end = HourMinute()


class ReminderPolicyUpdateSchema(Schema):
    lead_minutes = fields.List(
        SmallInt(min=MIN_LEAD_MINUTES, max=MAX_LEAD_MINUTES),
        validate=validate.Length(min=1, max=5, error="提前提醒应设置 1 到 5 个"),
        metadata={"description": "1–5 个不同的提前量，每个 5 分钟到 7 天（10080 分钟）", "example": [1440, 120]},
    )
    quiet_hours_start = HourMinute()
    quiet_hours_end = HourMinute(metadata={"example": "07:00"})

    @validates_schema
    def _check(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("请至少修改一项")
        leads = data.get("lead_minutes")
        if leads is not None and len(set(leads)) != len(leads):
            raise ValidationError("提前提醒的时间不能重复", "lead_minutes")


class AllianceSchema(Schema):
    """教联体 (an ``AllianceView``: the alliance as its caller sees it)."""

    id = fields.Integer(attribute="alliance.id")
    name = fields.String(attribute="alliance.name")
    region = fields.Nested(RegionBriefSchema, attribute="alliance.region")
    status = fields.String(attribute="alliance.status", metadata={"enum": [m.value for m in AllianceStatus]})
    status_label = Label(ALLIANCE_STATUS_LABELS, "alliance.status")
    description = fields.String(attribute="alliance.description")
    centre_schools = fields.List(fields.Nested(SchoolBriefSchema), metadata={"description": "中心学校（1–2 所）"})
    schools = fields.List(fields.Nested(SchoolBriefSchema), metadata={"description": "成员学校"})
    members = fields.List(fields.Nested(AllianceMemberSchema))
    reminder_policy = fields.Nested(ReminderPolicySchema, attribute="alliance")
    approved_at = ShanghaiDateTime(attribute="alliance.approved_at", allow_none=True)
    # 申报与审批 (jlt_family.alliances.schemas), for those who take part in it; null for everybody else.
    application = fields.Nested(AllianceApplicationSchema, allow_none=True)


class AllianceArgsSchema(PageArgsSchema):
    region_id = QueryId(metadata={"description": "该区划及其下级的教联体"})
    status = fields.String(validate=one_of(AllianceStatus))
