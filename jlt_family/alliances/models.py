"""教联体: an alliance, its member schools and units, and the history of its application and review."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import BigId, StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.lifecycle import Lifecycle
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import Region, ResourceUnit, School


class AllianceStatus(StrEnum):
    """教联体状态: 草稿 → 待审批 → 已批准 (or 已退回 → edited → 待审批 again); an approved one may be 已暂停."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    RETURNED = "returned"


# An alliance that was established (approved, perhaps suspended since): it has member schools and is evaluated.
# A draft, submitted or returned one is an application, not an alliance yet.
ESTABLISHED_ALLIANCE_STATUSES = (AllianceStatus.APPROVED, AllianceStatus.SUSPENDED)


class Alliance(db.Model):
    """教联体: a school–family–community alliance around 1–2 centre schools, in one region.

    Carries the reminder policy its families get: lead times before an event, and quiet hours
    (Asia/Shanghai) during which pushes are deferred.
    """

    __tablename__ = "alliance"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    status: Mapped[AllianceStatus] = mapped_column(str_enum(AllianceStatus), default=AllianceStatus.DRAFT)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    reminder_lead_minutes: Mapped[list] = mapped_column(sa.JSON, default=lambda: [1440, 120])
    quiet_hours_start: Mapped[dt.time] = mapped_column(sa.Time, default=dt.time(22, 0))
    quiet_hours_end: Mapped[dt.time] = mapped_column(sa.Time, default=dt.time(7, 0))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The application (申报) and its review (审批): see jlt_family.alliances.
    drafted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    suspended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str] = mapped_column(sa.Text, default="")

    region: Mapped[Region] = relationship()
    schools: Mapped[list["School"]] = relationship(back_populates="alliance", order_by="School.id")
    members: Mapped[list["AllianceMember"]] = relationship(
        back_populates="alliance", cascade="all, delete-orphan", order_by="AllianceMember.id"
    )
    proposed_schools: Mapped[list["AllianceSchool"]] = relationship(
        back_populates="alliance", cascade="all, delete-orphan", order_by="AllianceSchool.id"
    )
    drafted_by: Mapped["User | None"] = relationship(foreign_keys=[drafted_by_id])  # noqa: F821
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821

    @property
    def centre_schools(self) -> list[School]:
        return [s for s in self.schools if s.is_alliance_centre]


# 申报与审批的状态表: every change of an alliance's status goes through it (and is written to its history).
ALLIANCE_LIFECYCLE = Lifecycle(
    aggregate="alliance",
    model=Alliance,
    transitions={
        AllianceStatus.DRAFT: frozenset({AllianceStatus.SUBMITTED}),
        AllianceStatus.RETURNED: frozenset({AllianceStatus.SUBMITTED}),
        AllianceStatus.SUBMITTED: frozenset({AllianceStatus.APPROVED, AllianceStatus.RETURNED}),
        AllianceStatus.APPROVED: frozenset({AllianceStatus.SUSPENDED}),
        AllianceStatus.SUSPENDED: frozenset({AllianceStatus.APPROVED}),
    },
)


class MemberKind(StrEnum):
    RESOURCE_UNIT = "resource_unit"  # 社会资源单位
    COMMUNITY = "community"  # 街道社区
    DEPARTMENT = "department"  # 政府部门


class AllianceMember(db.Model):
    """教联体成员单位: a member unit with its duties, way of cooperating, responsible person and contact (000 §三.3)."""

    __tablename__ = "alliance_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliance.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MemberKind] = mapped_column(str_enum(MemberKind))
    resource_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resource_unit.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    duties: Mapped[str] = mapped_column(sa.Text, default="")
    cooperation: Mapped[str] = mapped_column(sa.Text, default="")
    responsible_person: Mapped[str] = mapped_column(sa.String(40), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="")

    alliance: Mapped[Alliance] = relationship(back_populates="members")
    resource_unit: Mapped["ResourceUnit | None"] = relationship()

    __table_args__ = (sa.UniqueConstraint("alliance_id", "resource_unit_id"),)


class AllianceSchool(db.Model):
    """教联体申报学校: a school named in the alliance's application, as a centre school (中心校) or a member.

    Until approval this is only the proposal; approval makes it real (``School.alliance_id`` and
    ``School.is_alliance_centre``), and the rows stay as the record of what was approved.
    """

    __tablename__ = "alliance_school"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliance.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    is_centre: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    alliance: Mapped[Alliance] = relationship(back_populates="proposed_schools")
    school: Mapped["School"] = relationship()

    __table_args__ = (sa.UniqueConstraint("alliance_id", "school_id"),)


class AllianceAction(StrEnum):
    """What happened to an alliance (each row of its history is one of these)."""

    CREATED = "created"  # 起草
    UPDATED = "updated"  # 修改名称或简介
    SCHOOL_ADDED = "school_added"  # 添加成员学校
    SCHOOL_CHANGED = "school_changed"  # 设为 / 取消中心校
    SCHOOL_REMOVED = "school_removed"  # 移除成员学校
    MEMBER_ADDED = "member_added"  # 添加成员单位
    MEMBER_CHANGED = "member_changed"  # 修改成员单位
    MEMBER_REMOVED = "member_removed"  # 移除成员单位
    SUBMITTED = "submitted"  # 提交审批
    APPROVED = "approved"  # 批准
    RETURNED = "returned"  # 退回修改
    SUSPENDED = "suspended"  # 暂停
    REINSTATED = "reinstated"  # 恢复


class AllianceEvent(db.Model):
    """教联体记录: one edit or status change of an alliance: who, what, from → to status, comment, when."""

    __tablename__ = "alliance_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliance.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[AllianceAction] = mapped_column(str_enum(AllianceAction))
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str | None] = mapped_column(sa.String(12))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.Index("ix_alliance_event_alliance", "alliance_id", "id"),)
