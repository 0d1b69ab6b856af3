"""The history of an alliance's application and review (the alliance itself is in ``organizations.models``)."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import BigId, StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow


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
