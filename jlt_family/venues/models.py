"""Venue offerings, weekly opening rules, closures, slots, bookings, the alliance venue policy and suspensions.

Places of a slot: ``capacity`` in all, of which ``green_capacity`` are reserved for the green channel; the general
pool is ``capacity - green_capacity``. Releasing unused green places sets ``green_capacity = green_taken``. Named
check constraints keep every counter within its pool, whatever the application does.
"""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import BigId, StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow


class OfferingKind(StrEnum):
    EXHIBITION = "exhibition"  # 展厅参观
    LECTURE = "lecture"  # 科普讲座
    SPORTS = "sports"  # 体育场地
    OPEN_DAY = "open_day"  # 开放日
    READING = "reading"  # 阅读活动
    STUDY_TOUR = "study_tour"  # 研学课程


OFFERING_KIND_LABELS = {
    OfferingKind.EXHIBITION: "展厅参观",
    OfferingKind.LECTURE: "科普讲座",
    OfferingKind.SPORTS: "体育场地",
    OfferingKind.OPEN_DAY: "开放日",
    OfferingKind.READING: "阅读活动",
    OfferingKind.STUDY_TOUR: "研学课程",
}


class PriceKind(StrEnum):
    FREE = "free"  # 免费
    DISCOUNT = "discount"  # 学生优惠


# The longest a green release may come before the start (7 days): the schema's limit and the job's look-ahead.
MAX_GREEN_RELEASE_MINUTES = 10080


class Offering(db.Model):
    """开放项目: what a resource unit opens for booking (展厅参观, 科普讲座, 体育场地, 消防站开放日 ...).

    Audience by grades (``min_grade``..``max_grade``, -3 for 小班) and/or ages; ``capacity`` places per slot of
    which ``green_quota`` for the green channel. Booking opens ``booking_opens_days`` before the start and closes
    ``booking_closes_minutes`` before it; a family may cancel up to ``cancel_closes_minutes`` before it. Unused
    green places go to the general pool ``green_release_minutes`` before the start (never when NULL).
    """

    __tablename__ = "venue_offering"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("resource_unit.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[OfferingKind] = mapped_column(str_enum(OfferingKind))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    min_grade: Mapped[int | None] = mapped_column(sa.SmallInteger)
    max_grade: Mapped[int | None] = mapped_column(sa.SmallInteger)
    min_age: Mapped[int | None] = mapped_column(sa.SmallInteger)
    max_age: Mapped[int | None] = mapped_column(sa.SmallInteger)
    duration_minutes: Mapped[int] = mapped_column(sa.SmallInteger)
    capacity: Mapped[int] = mapped_column(sa.Integer)
    green_quota: Mapped[int] = mapped_column(sa.Integer, default=0)
    price_kind: Mapped[PriceKind] = mapped_column(str_enum(PriceKind), default=PriceKind.FREE)
    price_cents: Mapped[int] = mapped_column(sa.Integer, default=0)
    student_price_cents: Mapped[int] = mapped_column(sa.Integer, default=0)
    booking_opens_days: Mapped[int] = mapped_column(sa.SmallInteger, default=14)
    booking_closes_minutes: Mapped[int] = mapped_column(sa.Integer, default=60)
    cancel_closes_minutes: Mapped[int] = mapped_column(sa.Integer, default=120)
    needs_confirmation: Mapped[bool] = mapped_column(default=True)
    green_auto_confirm: Mapped[bool] = mapped_column(default=True)
    green_release_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    max_party: Mapped[int] = mapped_column(sa.SmallInteger, default=5)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Last change of the offering or its weekly rules (the county catalogue shows it).
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    resource_unit: Mapped["ResourceUnit"] = relationship()  # noqa: F821
    rules: Mapped[list["OpeningRule"]] = relationship(
        back_populates="offering",
        cascade="all, delete-orphan",
        order_by=lambda: (OpeningRule.weekday, OpeningRule.start_time),
    )

    __table_args__ = (
        sa.CheckConstraint("capacity BETWEEN 1 AND 10000", name="capacity_range"),
        sa.CheckConstraint("green_quota >= 0 AND green_quota <= capacity", name="green_quota_within_capacity"),
        sa.CheckConstraint("duration_minutes BETWEEN 10 AND 720", name="duration_range"),
        sa.CheckConstraint("max_party BETWEEN 1 AND 20", name="max_party_range"),
        sa.CheckConstraint("price_cents >= 0 AND student_price_cents >= 0", name="prices_not_negative"),
    )

    def is_free_for_channel(self, channel: "Channel") -> bool:
        return self.price_kind == PriceKind.FREE or channel == Channel.GREEN


class OpeningRule(db.Model):
    """开放规则: every week on ``weekday`` (0 = Monday) a slot starts at ``start_time`` (Asia/Shanghai)."""

    __tablename__ = "venue_opening_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("venue_offering.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)
    start_time: Mapped[dt.time] = mapped_column(sa.Time)
    valid_from: Mapped[dt.date | None] = mapped_column(sa.Date)
    valid_until: Mapped[dt.date | None] = mapped_column(sa.Date)

    offering: Mapped[Offering] = relationship(back_populates="rules")

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.UniqueConstraint("offering_id", "weekday", "start_time"),
    )


class Closure(db.Model):
    """闭馆: days (Asia/Shanghai, inclusive) a unit is closed, e.g. 国庆节; no slots are generated then.

    Making one closes the unit's slots of those days that have not ended and cancels their pending and confirmed
    bookings (``cancelled_by_venue``, the closure's reason on each, ``Booking.closure_id`` pointing here): see
    ``venues.closures``. Deleting it brings the slots back, not the cancelled bookings.
    """

    __tablename__ = "venue_closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("resource_unit.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="period_order"),)

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class SlotStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # cancelled, or a closure fell on it: no new bookings (its holding ones were cancelled)


class Slot(db.Model):
    """场次: one start of an offering with its places per channel (see the module docstring)."""

    __tablename__ = "venue_slot"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("venue_offering.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(sa.Integer)
    green_capacity: Mapped[int] = mapped_column(sa.Integer, default=0)
    green_taken: Mapped[int] = mapped_column(sa.Integer, default=0)
    general_taken: Mapped[int] = mapped_column(sa.Integer, default=0)
    status: Mapped[SlotStatus] = mapped_column(str_enum(SlotStatus), default=SlotStatus.OPEN)
    green_released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    offering: Mapped[Offering] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("offering_id", "starts_at"),
        sa.CheckConstraint("green_capacity >= 0 AND green_capacity <= capacity", name="green_within_capacity"),
        sa.CheckConstraint("green_taken >= 0 AND green_taken <= green_capacity", name="green_taken_within_quota"),
        sa.CheckConstraint(
            "general_taken >= 0 AND general_taken + green_capacity <= capacity", name="general_taken_within_pool"
        ),
        sa.CheckConstraint("ends_at > starts_at", name="slot_order"),
    )

    @property
    def green_left(self) -> int:
        return self.green_capacity - self.green_taken

    @property
    def general_left(self) -> int:
        return self.capacity - self.green_capacity - self.general_taken


class BookingKind(StrEnum):
    FAMILY = "family"  # 家长带孩子
    GROUP = "group"  # 学校组织的班级团体


class Channel(StrEnum):
    GREEN = "green"  # 绿色通道
    GENERAL = "general"  # 普通预约


class BookingStatus(StrEnum):
    PENDING = "pending"  # 待确认 (holds its places)
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # by the booker
    CANCELLED_BY_VENUE = "cancelled_by_venue"  # 场馆取消: by the unit's staff, a cancelled slot or a closure
    EXPIRED = "expired"  # nobody confirmed it in time
    CHECKED_IN = "checked_in"  # 已核销
    NO_SHOW = "no_show"  # 爽约


BOOKING_STATUS_LABELS = {
    BookingStatus.PENDING: "待确认",
    BookingStatus.CONFIRMED: "已确认",
    BookingStatus.REJECTED: "已拒绝",
    BookingStatus.CANCELLED: "已取消",
    BookingStatus.CANCELLED_BY_VENUE: "场馆取消",
    BookingStatus.EXPIRED: "已过期",
    BookingStatus.CHECKED_IN: "已核销",
    BookingStatus.NO_SHOW: "爽约",
}

HOLDING = (BookingStatus.PENDING, BookingStatus.CONFIRMED)  # statuses that hold places and can be cancelled
ACTIVE = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def _active_key_for_status(context: Any) -> int | None:
    """``active_key`` at insert, from the status: a plain ``default=1`` would also fire for an explicit None."""
    return 1 if context.get_current_parameters()["status"] in ACTIVE else None


class Booking(db.Model):
    """预约: a family's party or a class group in one slot, on one channel, with its booking code.

    ``active_key`` is 1 while pending, confirmed or checked in, NULL otherwise: one active booking per family
    and slot (MySQL has no partial index). ``headcount`` is the number of places it holds.
    """

    __tablename__ = "venue_booking"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("venue_slot.id"), index=True)
    resource_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("resource_unit.id"), index=True)
    kind: Mapped[BookingKind] = mapped_column(str_enum(BookingKind))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    family_id: Mapped[int | None] = mapped_column(sa.ForeignKey("family.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    booked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    contact_name: Mapped[str] = mapped_column(sa.String(40), default="")
    adults: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    headcount: Mapped[int] = mapped_column(sa.SmallInteger)
    is_free: Mapped[bool] = mapped_column(default=True)
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus), default=BookingStatus.PENDING)
    active_key: Mapped[int | None] = mapped_column(sa.SmallInteger, default=_active_key_for_status)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    # The closure that cancelled it (NULL otherwise, or once that closure is deleted).
    closure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venue_closure.id", ondelete="SET NULL"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_in_count: Mapped[int | None] = mapped_column(sa.SmallInteger)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    slot: Mapped[Slot] = relationship()
    family: Mapped["Family | None"] = relationship()  # noqa: F821
    school_class: Mapped["SchoolClass | None"] = relationship()  # noqa: F821
    booked_by: Mapped["User"] = relationship(foreign_keys=[booked_by_id])  # noqa: F821
    children: Mapped[list["BookingChild"]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="BookingChild.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("slot_id", "family_id", "active_key", name="uq_venue_booking_family_active"),
        sa.UniqueConstraint("slot_id", "class_id", "active_key", name="uq_venue_booking_class_active"),
        sa.CheckConstraint(
            "(status IN ('pending', 'confirmed', 'checked_in')) = (active_key IS NOT NULL)",
            name="active_key_matches_status",
        ),
        sa.CheckConstraint("headcount BETWEEN 1 AND 500", name="headcount_range"),
        sa.CheckConstraint("adults >= 0", name="adults_not_negative"),
        sa.CheckConstraint(
            "checked_in_count IS NULL OR (checked_in_count BETWEEN 1 AND headcount)", name="checked_in_within_headcount"
        ),
        sa.CheckConstraint(
            "(kind = 'family' AND family_id IS NOT NULL) OR (kind = 'group' AND class_id IS NOT NULL)",
            name="kind_subject",
        ),
    )

    @property
    def qr_payload(self) -> str:
        return f"JLT-VENUE:{self.code}"


class BookingChild(db.Model):
    """预约的孩子: a child of the family in the booking's party."""

    __tablename__ = "venue_booking_child"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("venue_booking.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("student.id"), index=True)

    booking: Mapped[Booking] = relationship(back_populates="children")
    student: Mapped["Student"] = relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("booking_id", "student_id"),)


class VenuePolicy(db.Model):
    """场馆预约规则 of an alliance: active bookings per family, and the no-show rule of the green channel.

    An alliance without a row has the defaults (``DEFAULTS``).
    """

    __tablename__ = "venue_policy"

    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliance.id", ondelete="CASCADE"), primary_key=True)
    max_active_bookings: Mapped[int] = mapped_column(sa.SmallInteger, default=3)
    no_show_limit: Mapped[int] = mapped_column(sa.SmallInteger, default=3)
    no_show_window_days: Mapped[int] = mapped_column(sa.SmallInteger, default=90)
    suspension_days: Mapped[int] = mapped_column(sa.SmallInteger, default=30)

    __table_args__ = (
        sa.CheckConstraint("max_active_bookings BETWEEN 1 AND 50", name="max_active_range"),
        sa.CheckConstraint("no_show_limit BETWEEN 1 AND 50", name="no_show_limit_range"),
        sa.CheckConstraint("no_show_window_days BETWEEN 1 AND 366", name="window_range"),
        sa.CheckConstraint("suspension_days BETWEEN 1 AND 366", name="suspension_range"),
    )

    DEFAULTS = {"max_active_bookings": 3, "no_show_limit": 3, "no_show_window_days": 90, "suspension_days": 30}


class GreenSuspension(db.Model):
    """绿色通道暂停: after too many no-shows a family may not book on the green channel until ``ends_at``."""

    __tablename__ = "venue_green_suspension"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliance.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    no_show_count: Mapped[int] = mapped_column(sa.SmallInteger)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    family: Mapped["Family"] = relationship()  # noqa: F821

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="period_order"),)

    def is_in_force(self, now: dt.datetime | None = None) -> bool:
        now = now or utcnow()
        return self.lifted_at is None and self.starts_at <= now < self.ends_at


class FamilyBookingCounter(db.Model):
    """有效预约计数: a family's pending and confirmed bookings, kept by the same transactions that change them.

    Limits "at most N active bookings" with one conditional UPDATE (like a slot's places): a locking count of the
    family's bookings would take gap locks that racing bookers of other families deadlock on.
    """

    __tablename__ = "venue_family_counter"

    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id", ondelete="CASCADE"), primary_key=True)
    active: Mapped[int] = mapped_column(sa.SmallInteger, default=0)

    __table_args__ = (sa.CheckConstraint("active >= 0", name="active_not_negative"),)


class VenueFeedback(db.Model):
    """场馆评价: a guardian's rating (1–5) and optional comment on a checked-in booking of their family; one per
    booking. Read by the unit's staff and administrators above it (anonymous there: what was said, not who)."""

    __tablename__ = "venue_feedback"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("venue_booking.id", ondelete="CASCADE"), unique=True)
    resource_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("resource_unit.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship()

    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        sa.Index("ix_venue_feedback_unit_created", "resource_unit_id", "created_at"),
    )
