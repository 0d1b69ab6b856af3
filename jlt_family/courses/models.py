"""家长学校: courses for parents, their sessions, enrolments (with waitlist) and feedback.

A course is offered by one provider: a school, an alliance (教联体), a community parent school (社区家长学校, a
resource unit of kind ``community``) or a county-wide region. Places of a session are counted in ``taken``
(enrolled, attended and absent enrolments) and ``waitlisted``; both change only under the session row's lock,
in the same transaction as the enrolment rows, so they never drift from the rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from jlt_family.core.db_types import StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.lifecycle import Lifecycle
from jlt_family.core.timeutil import utcnow


class ProviderKind(StrEnum):
    SCHOOL = "school"  # 学校家长学校
    ALLIANCE = "alliance"  # 教联体
    COMMUNITY = "community"  # 社区家长学校 / 家庭教育指导服务站 (a resource unit of kind community)
    REGION = "region"  # 区县 (county-wide)


PROVIDER_LABELS = {
    ProviderKind.SCHOOL: "学校",
    ProviderKind.ALLIANCE: "教联体",
    ProviderKind.COMMUNITY: "社区家长学校",
    ProviderKind.REGION: "区县",
}


class CourseCategory(StrEnum):
    ADMISSION = "admission"  # 升学指导
    SCHOOL_ADAPTATION = "school_adaptation"  # 入学适应
    MENTAL_HEALTH = "mental_health"  # 心理调适
    HOLIDAY_LIFE = "holiday_life"  # 假期生活指导
    SAFETY = "safety"  # 安全护航
    FAMILY_EDUCATION_LAW = "family_education_law"  # 家庭教育促进法
    INTERNET_LITERACY = "internet_literacy"  # 网络素养
    PARENT_CHILD_COMMUNICATION = "parent_child_communication"  # 亲子沟通
    OTHER = "other"  # 其他


CATEGORY_LABELS = {
    CourseCategory.ADMISSION: "升学指导",
    CourseCategory.SCHOOL_ADAPTATION: "入学适应",
    CourseCategory.MENTAL_HEALTH: "心理调适",
    CourseCategory.HOLIDAY_LIFE: "假期生活指导",
    CourseCategory.SAFETY: "安全护航",
    CourseCategory.FAMILY_EDUCATION_LAW: "家庭教育促进法",
    CourseCategory.INTERNET_LITERACY: "网络素养",
    CourseCategory.PARENT_CHILD_COMMUNICATION: "亲子沟通",
    CourseCategory.OTHER: "其他",
}


class ActivityKind(StrEnum):
    """The kind of activity the policy counts (compliance numbers)."""

    PARENT_MEETING = "parent_meeting"  # 家长会
    PARENT_ASSEMBLY = "parent_assembly"  # 家长代表大会
    EVENING_CLASS = "evening_class"  # 家长夜校
    GUIDANCE = "guidance"  # 家庭教育指导
    OPEN_DAY = "open_day"  # 学校开放日
    RECEPTION_DAY = "reception_day"  # 家长接待日
    ALLIANCE_MEETING = "alliance_meeting"  # 教联体协调会
    OTHER = "other"  # 其他


ACTIVITY_LABELS = {
    ActivityKind.PARENT_MEETING: "家长会",
    ActivityKind.PARENT_ASSEMBLY: "家长代表大会",
    ActivityKind.EVENING_CLASS: "家长夜校",
    ActivityKind.GUIDANCE: "家庭教育指导",
    ActivityKind.OPEN_DAY: "学校开放日",
    ActivityKind.RECEPTION_DAY: "家长接待日",
    ActivityKind.ALLIANCE_MEETING: "教联体协调会",
    ActivityKind.OTHER: "其他",
}


class CourseFormat(StrEnum):
    OFFLINE = "offline"  # 线下
    ONLINE_LIVE = "online_live"  # 线上直播
    RECORDED = "recorded"  # 录播


FORMAT_LABELS = {CourseFormat.OFFLINE: "线下", CourseFormat.ONLINE_LIVE: "线上直播", CourseFormat.RECORDED: "录播"}

_PROVIDER_COLUMNS = {
    ProviderKind.SCHOOL: "school_id",
    ProviderKind.ALLIANCE: "alliance_id",
    ProviderKind.COMMUNITY: "resource_unit_id",
    ProviderKind.REGION: "region_id",
}


class Course(db.Model):
    """家长学校课程: a course (or school event) for parents, offered by one provider, published or not.

    ``grade_min``/``grade_max`` bound the audience by the children's grades (-3 … 12, NULL: no bound).
    """

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_kind: Mapped[ProviderKind] = mapped_column(str_enum(ProviderKind))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliance.id"), index=True)
    resource_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resource_unit.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[CourseCategory] = mapped_column(str_enum(CourseCategory))
    activity_kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind))
    format: Mapped[CourseFormat] = mapped_column(str_enum(CourseFormat))
    speaker: Mapped[str] = mapped_column(sa.String(60), default="")
    grade_min: Mapped[int | None] = mapped_column(sa.SmallInteger)
    grade_max: Mapped[int | None] = mapped_column(sa.SmallInteger)
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School | None] = relationship()  # noqa: F821
    alliance: Mapped[Alliance | None] = relationship()  # noqa: F821
    resource_unit: Mapped[ResourceUnit | None] = relationship()  # noqa: F821
    region: Mapped[Region | None] = relationship()  # noqa: F821
    sessions: Mapped[list[CourseSession]] = relationship(back_populates="course", order_by="CourseSession.starts_at")

    __table_args__ = (
        sa.CheckConstraint(
            "(provider_kind = 'school' AND school_id IS NOT NULL AND alliance_id IS NULL"
            " AND resource_unit_id IS NULL AND region_id IS NULL)"
            " OR (provider_kind = 'alliance' AND alliance_id IS NOT NULL AND school_id IS NULL"
            " AND resource_unit_id IS NULL AND region_id IS NULL)"
            " OR (provider_kind = 'community' AND resource_unit_id IS NOT NULL AND school_id IS NULL"
            " AND alliance_id IS NULL AND region_id IS NULL)"
            " OR (provider_kind = 'region' AND region_id IS NOT NULL AND school_id IS NULL"
            " AND alliance_id IS NULL AND resource_unit_id IS NULL)",
            name="one_provider",
        ),
        sa.CheckConstraint("grade_min IS NULL OR (grade_min BETWEEN -3 AND 12)", name="grade_min_range"),
        sa.CheckConstraint("grade_max IS NULL OR (grade_max BETWEEN -3 AND 12)", name="grade_max_range"),
        sa.CheckConstraint("grade_min IS NULL OR grade_max IS NULL OR grade_min <= grade_max", name="grade_order"),
        sa.Index("ix_course_published_kind", "is_published", "provider_kind"),
    )

    @property
    def provider(self) -> Any:
        """The providing school, alliance, community unit or region."""
        return getattr(self, _PROVIDER_COLUMNS[self.provider_kind].removesuffix("_id"))

    @property
    def provider_id(self) -> int:
        return getattr(self, _PROVIDER_COLUMNS[self.provider_kind])

    def set_provider(self, kind: ProviderKind | str, provider: Any) -> None:
        self.provider_kind = ProviderKind(kind)
        for column in _PROVIDER_COLUMNS.values():
            setattr(self, column, None)
        setattr(self, _PROVIDER_COLUMNS[self.provider_kind], provider.id)


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"  # 已安排
    CANCELLED = "cancelled"  # 已取消
    HELD = "held"  # 已举办


class CourseSession(db.Model):
    """课程场次: one meeting of a course, with its places, waitlist, enrolment window and 学时.

    ``taken`` counts enrolled, attended and absent enrolments; ``waitlisted`` the waiting ones; ``waitlist_seq``
    hands out waitlist positions in arrival order. ``checkin_salt`` keys the session's rotating check-in code.
    """

    __tablename__ = "course_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int] = mapped_column(sa.Integer)
    taken: Mapped[int] = mapped_column(sa.Integer, default=0)
    waitlisted: Mapped[int] = mapped_column(sa.Integer, default=0)
    waitlist_seq: Mapped[int] = mapped_column(sa.Integer, default=0)
    enrol_opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    enrol_closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    learning_hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1), default=Decimal("1.0"))
    status: Mapped[SessionStatus] = mapped_column(str_enum(SessionStatus), default=SessionStatus.SCHEDULED)
    cancel_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    checkin_salt: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # 补录: created after it had ended (by an admin); it counts as held only once its attendance is recorded
    backfilled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    course: Mapped[Course] = relationship(back_populates="sessions")

    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
        sa.CheckConstraint("waitlisted >= 0", name="waitlisted_non_negative"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("learning_hours > 0 AND learning_hours <= 20", name="learning_hours_range"),
        sa.CheckConstraint(
            "enrol_closes_at IS NULL OR enrol_opens_at IS NULL OR enrol_closes_at > enrol_opens_at",
            name="enrol_window_order",
        ),
    )

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def enrolment_closes(self) -> dt.datetime:
        """Enrolment closes at ``enrol_closes_at``, and in any case when the session starts."""
        return min(self.enrol_closes_at or self.starts_at, self.starts_at)

    @property
    def cancel_until(self) -> dt.datetime:
        """Enrolled parents may cancel until ``cancel_deadline`` (default: the start)."""
        return min(self.cancel_deadline or self.starts_at, self.starts_at)


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"  # 已报名
    WAITLISTED = "waitlisted"  # 候补中
    CANCELLED = "cancelled"  # 已取消
    ATTENDED = "attended"  # 已签到 / 已出席
    ABSENT = "absent"  # 缺席


PLACE_HOLDING = (EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED, EnrolmentStatus.ABSENT)
ACTIVE = (*PLACE_HOLDING, EnrolmentStatus.WAITLISTED)


def counts_as_held() -> sa.ColumnElement[bool]:
    """SQL: the session may count as held (with the reports' own time and status conditions): a session
    scheduled in advance, or a back-filled one whose attendance is recorded (a parent marked attended)."""
    marked = aliased(Enrolment)  # an alias: the enclosing query may join Enrolment itself
    recorded = sa.exists().where(marked.session_id == CourseSession.id, marked.status == EnrolmentStatus.ATTENDED)
    return sa.or_(CourseSession.backfilled.is_(False), recorded)


class Enrolment(db.Model):
    """报名: a guardian's place (or waitlist entry) in a session.

    ``active_key`` is 1 unless cancelled (then NULL): the unique key allows one active enrolment per guardian and
    session while keeping cancelled ones as history. ``waitlist_position`` is the arrival order on the waitlist.
    """

    __tablename__ = "course_enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("course_session.id"), index=True)
    guardian_id: Mapped[int] = mapped_column(sa.ForeignKey("guardian.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus))
    active_key: Mapped[int | None] = mapped_column(sa.SmallInteger, default=1)
    waitlist_position: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attendance_marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    session: Mapped[CourseSession] = relationship()
    guardian: Mapped[Guardian] = relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("guardian_id", "session_id", "active_key", name="uq_course_enrolment_active"),
        sa.CheckConstraint("(status = 'cancelled') = (active_key IS NULL)", name="active_key_matches_status"),
        sa.CheckConstraint("status <> 'waitlisted' OR waitlist_position IS NOT NULL", name="waitlist_has_position"),
        sa.Index("ix_course_enrolment_session_status", "session_id", "status", "waitlist_position"),
    )


# 场次的生命周期: a scheduled session is cancelled by its organisers, or held once it has ended (the closing job).
SESSION_LIFECYCLE = Lifecycle(
    aggregate="course_session",
    model=CourseSession,
    transitions={SessionStatus.SCHEDULED: frozenset({SessionStatus.CANCELLED, SessionStatus.HELD})},
)

# 报名的生命周期: an enrolment is created enrolled or waitlisted (a back-filled one attended); a waiting parent is
# promoted when a place frees up (``promoted_at``); enrolled and waiting parents may cancel (or lose their entry
# with the session); at the session, an enrolled parent checks in (attended) or is marked absent, and the
# organisers may correct attended ↔ absent.
ENROLMENT_LIFECYCLE = Lifecycle(
    aggregate="enrolment",
    model=Enrolment,
    transitions={
        EnrolmentStatus.WAITLISTED: frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.CANCELLED}),
        EnrolmentStatus.ENROLLED: frozenset(
            {EnrolmentStatus.CANCELLED, EnrolmentStatus.ATTENDED, EnrolmentStatus.ABSENT}
        ),
        EnrolmentStatus.ATTENDED: frozenset({EnrolmentStatus.ABSENT}),
        EnrolmentStatus.ABSENT: frozenset({EnrolmentStatus.ATTENDED}),
    },
)


class Feedback(db.Model):
    """课程评价: a parent's rating (1–5) and comment on a session they attended; one per enrolment."""

    __tablename__ = "course_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("course_enrolment.id"), unique=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("course_session.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[CourseSession] = relationship()

    __table_args__ = (sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)
