"""Families, guardians, binding requests, family invites and care entrustments."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.lifecycle import Lifecycle
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.students import Student


class Family(db.Model):
    """家庭: guardians and the children they look after; the home address is sensitive."""

    __tablename__ = "family"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_address: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    guardians: Mapped[list["Guardian"]] = relationship(
        back_populates="family", order_by="Guardian.id", foreign_keys="Guardian.family_id"
    )
    children: Mapped[list["Student"]] = relationship(back_populates="family", order_by="Student.id")


class GuardianRelation(StrEnum):
    FATHER = "father"  # 父亲
    MOTHER = "mother"  # 母亲
    PATERNAL_GRANDPARENT = "paternal_grandparent"  # 祖父母
    MATERNAL_GRANDPARENT = "maternal_grandparent"  # 外祖父母
    OTHER = "other"  # 其他监护人


RELATION_LABELS = {
    GuardianRelation.FATHER: "父亲",
    GuardianRelation.MOTHER: "母亲",
    GuardianRelation.PATERNAL_GRANDPARENT: "祖父母",
    GuardianRelation.MATERNAL_GRANDPARENT: "外祖父母",
    GuardianRelation.OTHER: "其他监护人",
}


DEPARTED_GUARDIAN_NAME = "已退出的监护人"


class Guardian(db.Model):
    """家长 / 监护人: a user's place in one family, with their relation to the children.

    A guardian who leaves (退出家庭) stays as a departed row, because their history points at it (enrolments,
    attendance, feedback): ``left_at`` set, the name replaced, unlinked from the user (who may join another
    family or sign in afresh) and from the family (``left_family_id`` keeps which one), so that every query of
    a family's guardians or of a user's guardian sees only current guardians.
    """

    __tablename__ = "guardian"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int | None] = mapped_column(sa.ForeignKey("family.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    relation: Mapped[GuardianRelation] = mapped_column(str_enum(GuardianRelation))
    name: Mapped[str] = mapped_column(sa.String(40), default="")
    is_primary: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    left_family_id: Mapped[int | None] = mapped_column(sa.ForeignKey("family.id"), index=True)

    family: Mapped[Family | None] = relationship(back_populates="guardians", foreign_keys=[family_id])
    user: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(
            "(left_at IS NULL AND family_id IS NOT NULL AND user_id IS NOT NULL AND left_family_id IS NULL)"
            " OR (left_at IS NOT NULL AND family_id IS NULL AND user_id IS NULL AND left_family_id IS NOT NULL)",
            name="departed_unlinked",
        ),
    )

    @property
    def has_left(self) -> bool:
        return self.left_at is not None


class BindingStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class BindingRequest(db.Model):
    """绑定申请: a guardian asks to bind a child (class invite code + name + student number); the 班主任 decides.

    ``active_key`` is 1 while pending, NULL once decided: one pending request per user and student.
    """

    __tablename__ = "binding_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("student.id"), index=True)
    class_id: Mapped[int] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    relation: Mapped[GuardianRelation] = mapped_column(str_enum(GuardianRelation))
    guardian_name: Mapped[str] = mapped_column(sa.String(40), default="")
    status: Mapped[BindingStatus] = mapped_column(str_enum(BindingStatus), default=BindingStatus.PENDING)
    active_key: Mapped[int | None] = mapped_column(sa.SmallInteger, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
    student: Mapped[Student] = relationship()
    school_class: Mapped["SchoolClass"] = relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("user_id", "student_id", "active_key", name="uq_binding_request_active"),)


# 绑定申请的状态: pending until the homeroom teacher approves or rejects it, or the guardian withdraws it (撤回).
BINDING_LIFECYCLE = Lifecycle(
    aggregate="binding",
    model=BindingRequest,
    transitions={
        BindingStatus.PENDING: frozenset({BindingStatus.APPROVED, BindingStatus.REJECTED, BindingStatus.CANCELLED}),
    },
)


class FamilyInvite(db.Model):
    """家庭邀请码: a guardian invites a second guardian into the family; single use, expires."""

    __tablename__ = "family_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class EntrustmentStatus(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    WITHDRAWN = "withdrawn"


class CareEntrustment(db.Model):
    """委托照护: a left-behind child's parents tell the school in writing who cares for the child (002 §7)."""

    __tablename__ = "care_entrustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("student.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    caretaker_name: Mapped[str] = mapped_column(sa.String(40))
    caretaker_relation: Mapped[str] = mapped_column(sa.String(20))
    caretaker_phone: Mapped[str] = mapped_column(sa.String(20))
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[EntrustmentStatus] = mapped_column(str_enum(EntrustmentStatus), default=EntrustmentStatus.SUBMITTED)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    student: Mapped[Student] = relationship()

    __table_args__ = (sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_order"),)


# 委托照护的状态: submitted, then acknowledged by the school; the guardians may withdraw it at either stage.
ENTRUSTMENT_LIFECYCLE = Lifecycle(
    aggregate="entrustment",
    model=CareEntrustment,
    transitions={
        EntrustmentStatus.SUBMITTED: frozenset({EntrustmentStatus.ACKNOWLEDGED, EntrustmentStatus.WITHDRAWN}),
        EntrustmentStatus.ACKNOWLEDGED: frozenset({EntrustmentStatus.WITHDRAWN}),
    },
)
