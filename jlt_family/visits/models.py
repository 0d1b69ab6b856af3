"""家访: home visits, their proposed time windows, staff, history, records, family feedback, school settings."""

import datetime as dt
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import shanghai_today, utcnow


class VisitMode(StrEnum):
    HOME = "home"  # 入户
    SCHOOL = "school"  # 到校
    ONLINE = "online"  # 线上
    PHONE = "phone"  # 电话


MODE_LABELS = {VisitMode.HOME: "入户", VisitMode.SCHOOL: "到校", VisitMode.ONLINE: "线上", VisitMode.PHONE: "电话"}


class VisitPurpose(StrEnum):
    ACADEMIC = "academic"  # 学业
    PSYCHOLOGICAL = "psychological"  # 心理
    SAFETY = "safety"  # 安全
    FAMILY_EDUCATION = "family_education"  # 家庭教育
    FINANCIAL_AID = "financial_aid"  # 资助帮扶
    OTHER = "other"  # 其他


PURPOSE_LABELS = {
    VisitPurpose.ACADEMIC: "学业",
    VisitPurpose.PSYCHOLOGICAL: "心理",
    VisitPurpose.SAFETY: "安全",
    VisitPurpose.FAMILY_EDUCATION: "家庭教育",
    VisitPurpose.FINANCIAL_AID: "资助帮扶",
    VisitPurpose.OTHER: "其他",
}


class VisitState(StrEnum):
    PROPOSED = "proposed"  # 待确认
    SCHEDULED = "scheduled"  # 已确认
    COMPLETED = "completed"  # 已完成
    CANCELLED = "cancelled"  # 已取消
    DECLINED = "declined"  # 家长婉拒


OPEN_STATES = (VisitState.PROPOSED, VisitState.SCHEDULED)


class MoveRequest(NamedTuple):
    """改期申请: the time a family asked to move a scheduled visit to, and why."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str


class Side(StrEnum):
    """Whose answer a proposal waits for: the family (staff proposed windows) or the staff (family suggested)."""

    FAMILY = "family"
    STAFF = "staff"


class HomeVisit(db.Model):
    """家访: a visit by school staff to a student's family, from proposal to record.

    ``starts_at``/``ends_at`` are set once a window is accepted (scheduled); ``awaiting`` says whose answer a
    proposal waits for, or, on a scheduled visit, that the staff have a family's counter-proposal (改期申请,
    ``move_starts_at``/``move_ends_at``/``move_reason``) to answer: the visit keeps its time until they accept.
    The school and class are copied from the student at proposal time, so coverage stays right when the student
    later changes class; the school year follows when the visit is held (the earliest window on offer, then the
    agreed time, then the recorded time, in the school calendar of the school's region).
    """

    __tablename__ = "home_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("student.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    class_id: Mapped[int] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    school_year: Mapped[int] = mapped_column(sa.SmallInteger)
    mode: Mapped[VisitMode] = mapped_column(str_enum(VisitMode))
    purpose: Mapped[VisitPurpose] = mapped_column(str_enum(VisitPurpose))
    note_to_family: Mapped[str] = mapped_column(sa.String(500), default="")
    state: Mapped[VisitState] = mapped_column(str_enum(VisitState), default=VisitState.PROPOSED)
    awaiting: Mapped[Side | None] = mapped_column(str_enum(Side), default=Side.FAMILY)
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    move_starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    move_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    move_reason: Mapped[str | None] = mapped_column(sa.String(200))
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    student: Mapped["Student"] = relationship()  # noqa: F821
    school_class: Mapped["SchoolClass"] = relationship()  # noqa: F821
    windows: Mapped[list["VisitWindow"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitWindow.starts_at"
    )
    participants: Mapped[list["VisitParticipant"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitParticipant.id"
    )
    history: Mapped[list["VisitEvent"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitEvent.id"
    )
    record: Mapped["VisitRecord | None"] = relationship(back_populates="visit", cascade="all, delete-orphan")
    feedback: Mapped["VisitFeedback | None"] = relationship(back_populates="visit", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="time_order"),
        sa.CheckConstraint(
            "(move_starts_at IS NULL AND move_ends_at IS NULL) OR "
            "(move_starts_at IS NOT NULL AND move_ends_at IS NOT NULL AND move_ends_at > move_starts_at)",
            name="move_order",
        ),
        sa.Index("ix_home_visit_coverage", "class_id", "school_year", "state"),
        # "Has this student a completed visit this school year?", asked once per student by the coverage
        # reports: answered from the index alone (no row read per student).
        sa.Index("ix_home_visit_visited", "student_id", "school_year", "state"),
    )

    @property
    def staff_ids(self) -> list[int]:
        return [p.user_id for p in self.participants]

    @property
    def staff(self) -> list["User"]:  # noqa: F821
        """The staff taking part, in the order they were named."""
        return [p.user for p in self.participants]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def has_move_request(self) -> bool:
        return self.move_starts_at is not None

    @property
    def agreed(self) -> tuple[dt.datetime, dt.datetime]:
        """The agreed time of a scheduled or completed visit (ValueError while it has none)."""
        if self.starts_at is None or self.ends_at is None:
            raise ValueError(f"home visit {self.id} has no agreed time")
        return self.starts_at, self.ends_at

    @property
    def move_request(self) -> "MoveRequest | None":
        """The family's pending counter-proposal, or None."""
        if self.move_starts_at is None or self.move_ends_at is None:
            return None
        return MoveRequest(self.move_starts_at, self.move_ends_at, self.move_reason or "")


class VisitWindow(db.Model):
    """可选时段: one of the 1–3 time windows on offer (by the staff, or the one a family suggested)."""

    __tablename__ = "visit_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("home_visit.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    offered_by: Mapped[Side] = mapped_column(str_enum(Side), default=Side.STAFF)

    visit: Mapped[HomeVisit] = relationship(back_populates="windows")

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="window_order"),)


class VisitParticipant(db.Model):
    """参与教师: a staff member of the school taking part in the visit (never double-booked)."""

    __tablename__ = "visit_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("home_visit.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)

    visit: Mapped[HomeVisit] = relationship(back_populates="participants")
    user: Mapped["User"] = relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("visit_id", "user_id"),)


class VisitAction(StrEnum):
    PROPOSED = "proposed"  # 教师发起
    ACCEPTED = "accepted"  # 接受时段
    SUGGESTED = "suggested"  # 家长另提时间
    REPROPOSED = "reproposed"  # 教师给出新时段
    DECLINED = "declined"  # 家长婉拒
    CANCELLED = "cancelled"  # 取消
    MOVED = "moved"  # 改期
    COMPLETED = "completed"  # 记录家访
    MOVE_REQUESTED = "move_requested"  # 家长申请改期
    MOVE_ACCEPTED = "move_accepted"  # 同意改期
    MOVE_DECLINED = "move_declined"  # 不同意改期


# 家访状态表: each action on a visit, the states it may be taken from, and the state it leaves the visit in. The
# one table of a visit's life cycle (None: the visit does not exist yet); ``transitions.transition`` applies it and
# writes the history row (``VisitEvent``) of every change, from routes and jobs alike.
VISIT_TRANSITIONS: dict[VisitAction, tuple[frozenset[VisitState | None], VisitState]] = {
    VisitAction.PROPOSED: (frozenset({None}), VisitState.PROPOSED),
    VisitAction.SUGGESTED: (frozenset({VisitState.PROPOSED}), VisitState.PROPOSED),
    VisitAction.REPROPOSED: (frozenset({VisitState.PROPOSED}), VisitState.PROPOSED),
    VisitAction.ACCEPTED: (frozenset({VisitState.PROPOSED}), VisitState.SCHEDULED),
    VisitAction.DECLINED: (frozenset({VisitState.PROPOSED}), VisitState.DECLINED),
    VisitAction.CANCELLED: (frozenset(OPEN_STATES), VisitState.CANCELLED),
    VisitAction.MOVED: (frozenset({VisitState.SCHEDULED}), VisitState.SCHEDULED),
    VisitAction.MOVE_REQUESTED: (frozenset({VisitState.SCHEDULED}), VisitState.SCHEDULED),
    VisitAction.MOVE_ACCEPTED: (frozenset({VisitState.SCHEDULED}), VisitState.SCHEDULED),
    VisitAction.MOVE_DECLINED: (frozenset({VisitState.SCHEDULED}), VisitState.SCHEDULED),
    VisitAction.COMPLETED: (frozenset({VisitState.SCHEDULED}), VisitState.COMPLETED),
}


def _named_enum(enum_cls: type[StrEnum], name: str) -> Any:
    """``str_enum`` with its own CHECK name, for a second column of the same enum in one table."""
    column_type = str_enum(enum_cls)
    column_type.name = name
    return column_type


class VisitEvent(db.Model):
    """家访记录变更: one change of a visit (who, when, what, from which state to which, why).

    ``on_behalf_of_id``: the visit's teacher a 班主任 acted for (代为操作), when the class's homeroom teacher
    acted on a visit that does not name them.
    """

    __tablename__ = "visit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("home_visit.id", ondelete="CASCADE"), index=True)
    actor_user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    side: Mapped[Side] = mapped_column(str_enum(Side))
    action: Mapped[VisitAction] = mapped_column(str_enum(VisitAction))
    from_state: Mapped[VisitState | None] = mapped_column(_named_enum(VisitState, "visit_from_state"))
    to_state: Mapped[VisitState] = mapped_column(str_enum(VisitState))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    visit: Mapped[HomeVisit] = relationship(back_populates="history")
    actor: Mapped["User"] = relationship(foreign_keys=[actor_user_id])  # noqa: F821
    on_behalf_of: Mapped["User | None"] = relationship(foreign_keys=[on_behalf_of_id])  # noqa: F821

    @property
    def on_behalf_of_name(self) -> str | None:
        """The nickname of the teacher a 班主任 acted for, or None."""
        return self.on_behalf_of.nickname if self.on_behalf_of is not None else None


class VisitRecord(db.Model):
    """家访记录: what happened; ``notes`` and the follow-ups are sensitive (the visiting teachers, the class's
    班主任 and school leaders only), the family sees ``family_summary``."""

    __tablename__ = "visit_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("home_visit.id", ondelete="CASCADE"), unique=True)
    visited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    mode: Mapped[VisitMode] = mapped_column(str_enum(VisitMode))
    attendees: Mapped[str] = mapped_column(sa.String(200), default="")
    topics: Mapped[list] = mapped_column(sa.JSON, default=list)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    family_summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    visit: Mapped[HomeVisit] = relationship(back_populates="record")
    follow_ups: Mapped[list["FollowUpAction"]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="FollowUpAction.id"
    )


class FollowUpStatus(StrEnum):
    """Which follow-ups a list shows (not stored)."""

    OPEN = "open"  # 未完成
    DONE = "done"  # 已完成
    ALL = "all"


class FollowUpAction(db.Model):
    """后续跟进: an action agreed at the visit, with its owner (a staff member of the school), its due date and
    its done state (``done_at``, by ``done_by_id``; None while open)."""

    __tablename__ = "visit_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("visit_record.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    record: Mapped[VisitRecord] = relationship(back_populates="follow_ups")
    owner: Mapped["User"] = relationship(foreign_keys=[owner_id])  # noqa: F821

    # "My open follow-ups, soonest due first": the owner's list reads this index in order.
    __table_args__ = (sa.Index("ix_visit_follow_up_owner", "owner_id", "done_at", "due_on"),)

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def overdue(self) -> bool:
        """Still open and past its due date (Asia/Shanghai)."""
        return not self.done and self.due_on < shanghai_today()


class VisitFeedback(db.Model):
    """家长反馈: a guardian's rating (1–5) and comment on a completed visit; one per visit."""

    __tablename__ = "visit_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("home_visit.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    visit: Mapped[HomeVisit] = relationship(back_populates="feedback")

    __table_args__ = (sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)


DEFAULT_TRAVEL_BUFFER_MINUTES = 30
DEFAULT_ALLOWED_START = dt.time(8, 0)
DEFAULT_ALLOWED_END = dt.time(21, 0)


class VisitSettings(db.Model):
    """家访设置: a school's travel buffer around home visits and its allowed hours (Asia/Shanghai).

    A school without a row uses the defaults (30 minutes, 08:00–21:00).
    """

    __tablename__ = "visit_settings"

    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), primary_key=True)
    travel_buffer_minutes: Mapped[int] = mapped_column(sa.SmallInteger, default=DEFAULT_TRAVEL_BUFFER_MINUTES)
    allowed_start: Mapped[dt.time] = mapped_column(sa.Time, default=DEFAULT_ALLOWED_START)
    allowed_end: Mapped[dt.time] = mapped_column(sa.Time, default=DEFAULT_ALLOWED_END)

    __table_args__ = (
        sa.CheckConstraint("travel_buffer_minutes BETWEEN 0 AND 240", name="buffer_range"),
        sa.CheckConstraint("allowed_end > allowed_start", name="hours_order"),
    )


class VisitCalendarFeed(db.Model):
    """家访日历订阅: a staff member's secret iCalendar URL; only the token's SHA-256 is stored."""

    __tablename__ = "visit_calendar_feed"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
