"""需求清单 ↔ 资源清单: a school's needs, the match an administrator accepted, and what it produced.

A need (``Need``) is posted by a school (its admin, or a teacher for a class they teach) with a topic, grades,
headcount and a period. Proposals are computed, never stored (``proposals.py``). Accepting one writes a
``NeedMatch`` (the accepted resource: a unit's offering or a course provider) with the group bookings
(``NeedMatchBooking``) or the draft course it produced, and moves the need from ``open`` to ``matched`` with one
conditional UPDATE: of two administrators accepting at once exactly one wins. ``NeedMatch.active_key`` (1 while
the match stands, NULL once released) lets the database keep one standing match per need (MySQL has no partial
index) while released matches stay as history.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import BigId, StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.courses.models import CourseCategory, ProviderKind
from jlt_family.organizations.models import ResourceUnitKind as U
from jlt_family.venues.models import OfferingKind as O


class NeedTopic(StrEnum):
    SCIENCE = "science"  # 科学教育
    PATRIOTIC = "patriotic"  # 爱国主义教育
    HISTORY_CULTURE = "history_culture"  # 历史文化
    ARTS = "arts"  # 艺术教育
    SPORTS = "sports"  # 体育健身
    READING = "reading"  # 阅读推广
    SAFETY = "safety"  # 安全教育
    HEALTH = "health"  # 健康教育
    LABOUR = "labour"  # 劳动实践
    PARENT_EDUCATION = "parent_education"  # 家庭教育指导 (a parent-school course)


TOPIC_LABELS = {
    NeedTopic.SCIENCE: "科学教育",
    NeedTopic.PATRIOTIC: "爱国主义教育",
    NeedTopic.HISTORY_CULTURE: "历史文化",
    NeedTopic.ARTS: "艺术教育",
    NeedTopic.SPORTS: "体育健身",
    NeedTopic.READING: "阅读推广",
    NeedTopic.SAFETY: "安全教育",
    NeedTopic.HEALTH: "健康教育",
    NeedTopic.LABOUR: "劳动实践",
    NeedTopic.PARENT_EDUCATION: "家庭教育指导",
}

# Which resource units and which of their offerings serve a topic (the matching table of the resource list).
TOPIC_UNIT_KINDS = {
    NeedTopic.SCIENCE: (U.SCIENCE_MUSEUM, U.SCIENCE_BASE, U.UNIVERSITY, U.YOUTH_PALACE, U.ENTERPRISE),
    NeedTopic.PATRIOTIC: (U.PATRIOTIC_BASE, U.MUSEUM),
    NeedTopic.HISTORY_CULTURE: (U.MUSEUM, U.LIBRARY, U.PATRIOTIC_BASE),
    NeedTopic.ARTS: (U.ART_GALLERY, U.PERFORMING_ARTS, U.YOUTH_PALACE, U.CHILDREN_CENTRE),
    NeedTopic.SPORTS: (U.SPORTS_VENUE, U.SCHOOL, U.YOUTH_PALACE),
    NeedTopic.READING: (U.LIBRARY,),
    NeedTopic.SAFETY: (U.FIRE_STATION, U.MEDICAL),
    NeedTopic.HEALTH: (U.MEDICAL, U.SPORTS_VENUE),
    NeedTopic.LABOUR: (U.ENTERPRISE, U.SCIENCE_BASE),
    NeedTopic.PARENT_EDUCATION: (U.COMMUNITY,),
}
TOPIC_OFFERING_KINDS = {
    NeedTopic.SCIENCE: (O.EXHIBITION, O.LECTURE, O.STUDY_TOUR, O.OPEN_DAY),
    NeedTopic.PATRIOTIC: (O.EXHIBITION, O.STUDY_TOUR, O.LECTURE, O.OPEN_DAY),
    NeedTopic.HISTORY_CULTURE: (O.EXHIBITION, O.STUDY_TOUR, O.LECTURE, O.READING),
    NeedTopic.ARTS: (O.EXHIBITION, O.LECTURE, O.STUDY_TOUR, O.OPEN_DAY),
    NeedTopic.SPORTS: (O.SPORTS, O.OPEN_DAY),
    NeedTopic.READING: (O.READING, O.LECTURE, O.OPEN_DAY),
    NeedTopic.SAFETY: (O.OPEN_DAY, O.LECTURE, O.EXHIBITION),
    NeedTopic.HEALTH: (O.LECTURE, O.OPEN_DAY, O.SPORTS),
    NeedTopic.LABOUR: (O.STUDY_TOUR, O.OPEN_DAY),
    NeedTopic.PARENT_EDUCATION: (),
}


class NeedStatus(StrEnum):
    OPEN = "open"  # 待对接
    MATCHED = "matched"  # 已对接
    CLOSED = "closed"  # 已完成（已评价）
    WITHDRAWN = "withdrawn"  # 已撤回


NEED_STATUS_LABELS = {
    NeedStatus.OPEN: "待对接",
    NeedStatus.MATCHED: "已对接",
    NeedStatus.CLOSED: "已完成",
    NeedStatus.WITHDRAWN: "已撤回",
}


class Need(db.Model):
    """需求: what a school asks of the county's resources (topic, grades, headcount, period, note).

    ``class_id`` when a teacher posts for a class they teach; ``starts_on``..``ends_on`` is the period
    (Asia/Shanghai dates), ``period_label`` names it when it was given as a term (2026–2027学年春季学期).
    """

    __tablename__ = "matching_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    topic: Mapped[NeedTopic] = mapped_column(str_enum(NeedTopic))
    course_category: Mapped[CourseCategory | None] = mapped_column(str_enum(CourseCategory))
    title: Mapped[str] = mapped_column(sa.String(100))
    grade_min: Mapped[int] = mapped_column(sa.SmallInteger)
    grade_max: Mapped[int] = mapped_column(sa.SmallInteger)
    headcount: Mapped[int] = mapped_column(sa.SmallInteger)
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date] = mapped_column(sa.Date)
    period_label: Mapped[str] = mapped_column(sa.String(40), default="")
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    status: Mapped[NeedStatus] = mapped_column(str_enum(NeedStatus), default=NeedStatus.OPEN, index=True)
    posted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School] = relationship()  # noqa: F821
    school_class: Mapped[SchoolClass | None] = relationship()  # noqa: F821
    posted_by: Mapped[User] = relationship()  # noqa: F821
    matches: Mapped[list[NeedMatch]] = relationship(back_populates="need", order_by="NeedMatch.id")

    __table_args__ = (
        sa.CheckConstraint(
            "grade_min BETWEEN -3 AND 12 AND grade_max BETWEEN -3 AND 12 AND grade_min <= grade_max", name="grade_range"
        ),
        sa.CheckConstraint("headcount BETWEEN 1 AND 2000", name="headcount_range"),
        sa.CheckConstraint("ends_on >= starts_on", name="period_order"),
        sa.CheckConstraint("(topic = 'parent_education') = (course_category IS NOT NULL)", name="category_for_topic"),
    )

    @property
    def is_parent_education(self) -> bool:
        return self.topic == NeedTopic.PARENT_EDUCATION

    @property
    def match(self) -> NeedMatch | None:
        """The standing match (accepted, not released), if any."""
        return next((m for m in self.matches if m.active_key is not None), None)


class MatchKind(StrEnum):
    VENUE = "venue"  # 场馆开放项目 → 团体预约
    COURSE = "course"  # 家长学校举办方 → 课程（草稿）


class NeedMatch(db.Model):
    """需求对接: the proposal an administrator accepted, and what it produced (group bookings or a draft course).

    A venue match names the unit and its offering; a course match the provider (a community parent school, the
    alliance or the county) and the course created. The school's rating (1–5, comment) comes once, after the
    activity (a booking checked in, or a session of the course held).
    """

    __tablename__ = "matching_need_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("matching_need.id"), index=True)
    kind: Mapped[MatchKind] = mapped_column(str_enum(MatchKind))
    resource_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resource_unit.id"), index=True)
    offering_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venue_offering.id"))
    provider_kind: Mapped[ProviderKind | None] = mapped_column(str_enum(ProviderKind))
    provider_id: Mapped[int | None] = mapped_column(sa.Integer)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200), default="")  # 兴安盟科技馆 · 展厅参观, at acceptance
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    limits: Mapped[list] = mapped_column(sa.JSON, default=list)
    accepted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    active_key: Mapped[int | None] = mapped_column(sa.SmallInteger, default=1)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # its bookings all fell through
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    rated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    need: Mapped[Need] = relationship(back_populates="matches")
    resource_unit: Mapped[ResourceUnit | None] = relationship()  # noqa: F821
    offering: Mapped[Offering | None] = relationship()  # noqa: F821
    course: Mapped[Course | None] = relationship()  # noqa: F821
    accepted_by: Mapped[User] = relationship(foreign_keys=[accepted_by_id])  # noqa: F821
    bookings: Mapped[list[NeedMatchBooking]] = relationship(
        back_populates="match", cascade="all, delete-orphan", order_by="NeedMatchBooking.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("need_id", "active_key", name="uq_matching_need_match_active"),
        sa.CheckConstraint(
            "(kind = 'venue' AND resource_unit_id IS NOT NULL AND offering_id IS NOT NULL)"
            " OR (kind = 'course' AND provider_kind IS NOT NULL AND provider_id IS NOT NULL)",
            name="kind_subject",
        ),
        sa.CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
        sa.CheckConstraint("active_key IS NULL OR active_key = 1", name="active_key_one"),
    )


class NeedMatchBooking(db.Model):
    """对接产生的团体预约: one class group booked in one slot of the matched offering."""

    __tablename__ = "matching_need_match_booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("matching_need_match.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("venue_booking.id"), unique=True)

    match: Mapped[NeedMatch] = relationship(back_populates="bookings")
    booking: Mapped[Booking] = relationship()  # noqa: F821
