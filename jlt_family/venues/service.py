"""Rules of venue bookings: booking a slot, for a family or a class group (decisions, cancellations and
check-in: ``venues.decisions``; the states and their moves: ``venues.lifecycle``; expiry and no-shows:
``venues.jobs``).

Places are taken and given back with ONE conditional UPDATE of the slot per change, in the same transaction as
the booking row (``_take_places``/``lifecycle.give_back``); a family's active bookings are counted the same way.

Lock order, so that racing requests queue instead of deadlocking on MariaDB: a new booking locks its family's
row, takes its places (the slot's row), counts itself on the family's counter, then inserts its row (inserting
first would hold a shared lock on the slot through the foreign key, which every racing booker then tries to
upgrade). A change that frees places locks the slot's row, then the booking, the counter and the slot's places.
Cancelling a whole slot locks the slot's row, closes it, then cancels its holding bookings one by one in family
order (each: the booking, the family's counter, the slot's places); places are only taken from an open slot, so
a booker queued behind the cancellation gets ``slot_closed`` instead of a place. A closure does the same for every
slot of its days (``venues.closures``). Whatever the venue cancels ends ``cancelled_by_venue``; the booker's own
cancellation ends ``cancelled``.
Every change of a booking's status goes through ``lifecycle.move_booking``: a conditional UPDATE from the
statuses it may leave (``BOOKING_LIFECYCLE``) with its history row; of two racing changes exactly one wins, and
only the winner touches the counters, so each counter always equals the headcount of its channel's holding
bookings. A new booking writes the first history row (``booking_created``).

Services never commit and never read the request; they announce changes through core.events after flushing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from jlt_family.auth.context import Actor
from jlt_family.core.codes import new_code
from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.families.models import Family
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Student
from jlt_family.venues import eligibility, notify
from jlt_family.venues.lifecycle import booking_created
from jlt_family.venues.models import (
    HOLDING,
    Booking,
    BookingChild,
    BookingKind,
    BookingStatus,
    Channel,
    FamilyBookingCounter,
    Offering,
    Slot,
    SlotStatus,
    VenuePolicy,
)

BOOKING_CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 codes
DEFAULT_PENDING_EXPIRY_HOURS = 24
DEFAULT_CHECK_IN_OPENS_MINUTES = 60


def _rule(code: str, message: str) -> RuleViolation:
    return RuleViolation(message, code=code)


# ---- places ---------------------------------------------------------------------------------------------------


def _take_places(slot_id: int, channel: Channel, places: int) -> None:
    """Take ``places`` of an open slot's channel pool, or 409 ``green_full`` / ``general_full`` (422
    ``slot_closed`` when the slot closed meanwhile): one conditional UPDATE."""
    if channel == Channel.GREEN:
        stmt = (
            sa.update(Slot)
            .where(Slot.id == slot_id, Slot.green_taken + places <= Slot.green_capacity)
            .values(green_taken=Slot.green_taken + places)
        )
    else:
        stmt = (
            sa.update(Slot)
            .where(Slot.id == slot_id, Slot.general_taken + places + Slot.green_capacity <= Slot.capacity)
            .values(general_taken=Slot.general_taken + places)
        )
    if not update_rows(stmt.where(Slot.status == SlotStatus.OPEN)):
        # A locking read sees the latest committed status (a plain one could see the transaction's old snapshot).
        if db.session.scalar(sa.select(Slot.status).where(Slot.id == slot_id).with_for_update()) != SlotStatus.OPEN:
            raise _rule("slot_closed", "该场次已关闭，不可预约")
        if channel == Channel.GREEN:
            raise Conflict("绿色通道名额已满", code="green_full")
        raise Conflict("该场次名额已满", code="general_full")


# ---- booking --------------------------------------------------------------------------------------------------


def check_bookable(slot: Slot, now: dt.datetime | None = None) -> None:
    """A slot open for booking now, or 422 with why not."""
    now = now or utcnow()
    offering = slot.offering
    if slot.starts_at <= now:
        raise _rule("slot_past", "该场次已开始或已结束")
    if slot.status != SlotStatus.OPEN or not offering.is_active or not offering.resource_unit.is_active:
        raise _rule("slot_closed", "该场次已关闭，不可预约")
    if now < slot.starts_at - dt.timedelta(days=offering.booking_opens_days):
        raise _rule("booking_not_open", f"该场次尚未开放预约（开场前 {offering.booking_opens_days} 天开放）")
    if now > slot.starts_at - dt.timedelta(minutes=offering.booking_closes_minutes):
        raise _rule("booking_closed", "该场次已停止预约")


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _fits_audience(offering: Offering, grade: int | None, birth_date: dt.date | None, day: dt.date) -> bool:
    if grade is not None and offering.min_grade is not None and grade < offering.min_grade:
        return False
    if grade is not None and offering.max_grade is not None and grade > offering.max_grade:
        return False
    if birth_date is not None and offering.min_age is not None and _age_on(birth_date, day) < offering.min_age:
        return False
    return not (birth_date is not None and offering.max_age is not None and _age_on(birth_date, day) > offering.max_age)


def _party_children(family_id: int, child_ids: Sequence[int]) -> Sequence[Student]:
    children = db.session.scalars(sa.select(Student).where(Student.id.in_(child_ids))).all()
    if len(children) != len(set(child_ids)) or any(child.family_id != family_id for child in children):
        raise _rule("child_not_in_family", "所选孩子不是您家庭的成员")
    return children


def _check_party(offering: Offering, slot: Slot, children: Sequence[Student], headcount: int) -> None:
    if headcount > offering.max_party:
        raise _rule("party_too_large", f"每次预约最多 {offering.max_party} 人")
    day = to_shanghai(slot.starts_at).date()  # a child's age on the visit's day in China
    for child in children:
        grade = child.school_class.grade if child.school_class is not None else None
        if not _fits_audience(offering, grade, child.birth_date, day):
            raise _rule("child_not_in_audience", f"{child.name} 不在该项目的适合年级或年龄范围内")


def _check_green_for_family(family_id: int, unit_id: int, children: Sequence[Student], now: dt.datetime) -> None:
    alliances = eligibility.child_alliances([child.id for child in children])
    if not set(alliances.values()) & eligibility.unit_alliance_ids(unit_id):
        raise _rule("not_green_eligible", "所选孩子的学校不在该场馆服务的教联体内，不能使用绿色通道")
    suspension = eligibility.suspension_in_force(family_id, now)
    if suspension is not None:
        until = suspension.ends_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
        raise _rule("green_channel_suspended", f"因多次爽约，您的绿色通道暂停至 {until}")


def _already_booked(family_id: int, slot_id: int) -> int | None:
    return db.session.scalar(
        sa.select(Booking.id)
        .where(Booking.slot_id == slot_id, Booking.family_id == family_id, Booking.status.in_(HOLDING))
        .limit(1)
    )


def _count_family_booking(family_id: int, policy: VenuePolicy) -> None:
    """One more active booking for the family, or 409: one conditional UPDATE of its counter row.

    The caller holds the family's row lock (a record lock, no gaps), which serialises the family's own bookers:
    creating the counter row on the family's first booking cannot race.
    """
    if db.session.get(FamilyBookingCounter, family_id) is None:
        try:
            with db.session.begin_nested():
                db.session.add(FamilyBookingCounter(family_id=family_id, active=0))
        except IntegrityError:
            pass  # created by the family's booking that committed just before
    if not update_rows(
        sa.update(FamilyBookingCounter)
        .where(FamilyBookingCounter.family_id == family_id, FamilyBookingCounter.active < policy.max_active_bookings)
        .values(active=FamilyBookingCounter.active + 1)
    ):
        raise Conflict(f"每个家庭最多同时有 {policy.max_active_bookings} 个有效预约", code="too_many_active_bookings")


def _initial_status(offering: Offering, channel: Channel, kind: BookingKind) -> BookingStatus:
    if kind == BookingKind.FAMILY and channel == Channel.GREEN and offering.green_auto_confirm:
        return BookingStatus.CONFIRMED
    if kind == BookingKind.FAMILY and not offering.needs_confirmation:
        return BookingStatus.CONFIRMED
    return BookingStatus.PENDING


def _pending_expiry(slot: Slot, now: dt.datetime) -> dt.datetime:
    hours = current_app.config.get("VENUE_PENDING_EXPIRY_HOURS", DEFAULT_PENDING_EXPIRY_HOURS)
    return min(now + dt.timedelta(hours=hours), slot.starts_at)


def _insert(booking: Booking, duplicate_code: str, duplicate_message: str) -> Booking:
    for _attempt in range(3):
        booking.code = new_code(BOOKING_CODE_LENGTH)
        try:
            with db.session.begin_nested():
                db.session.add(booking)
                db.session.flush()
            return booking
        except IntegrityError as exc:
            text = str(exc.orig).lower()
            if "active" in text:  # one active booking per family (or class) and slot
                raise Conflict(duplicate_message, code=duplicate_code)
            if "code" not in text:
                raise
    raise Conflict("请稍后重试", code="booking_code_collision")


def book_for_family(
    actor: Actor,
    slot: Slot,
    *,
    channel: Channel,
    child_ids: Sequence[int],
    adults: int,
    now: dt.datetime | None = None,
) -> Booking:
    """家长预约: the party (children of the family + adults) on a channel; green eligibility from the database."""
    now = now or utcnow()
    family_id = actor.family_id
    assert family_id is not None  # the booking route lets only a family's guardian book
    offering = slot.offering
    check_bookable(slot, now)
    children = _party_children(family_id, child_ids)
    headcount = len(children) + adults
    _check_party(offering, slot, children, headcount)
    if channel == Channel.GREEN:
        _check_green_for_family(family_id, offering.resource_unit_id, children, now)
    policy = eligibility.family_policy(family_id)
    db.session.scalar(sa.select(Family.id).where(Family.id == family_id).with_for_update())
    if _already_booked(family_id, slot.id):
        raise Conflict("您已预约该场次", code="already_booked")
    status = _initial_status(offering, channel, BookingKind.FAMILY)
    booking = Booking(
        slot_id=slot.id,
        resource_unit_id=offering.resource_unit_id,
        kind=BookingKind.FAMILY,
        channel=channel,
        family_id=family_id,
        school_id=children[0].school_id,
        booked_by_id=actor.user_id,
        contact_name=actor.guardian.name,
        adults=adults,
        headcount=headcount,
        is_free=offering.is_free_for_channel(channel),
        status=status,
        expires_at=_pending_expiry(slot, now) if status == BookingStatus.PENDING else None,
        children=[BookingChild(student_id=child.id) for child in children],
    )
    _take_places(slot.id, channel, headcount)
    _count_family_booking(family_id, policy)
    _insert(booking, "already_booked", "您已预约该场次")
    booking_created(booking, actor_id=actor.user_id)
    db.session.expire(slot)
    if status == BookingStatus.CONFIRMED:
        notify.confirmed(booking, new=True)
    return booking


def book_for_class(
    actor: Actor,
    slot: Slot,
    *,
    school_class: SchoolClass,
    channel: Channel,
    headcount: int,
    chaperones: int,
    now: dt.datetime | None = None,
) -> Booking:
    """教师团体预约: a class group (pupils + chaperones); always confirmed by the venue's staff."""
    now = now or utcnow()
    offering = slot.offering
    check_bookable(slot, now)
    if not _fits_audience(offering, school_class.grade, None, to_shanghai(slot.starts_at).date()):
        raise _rule("class_not_in_audience", "该班级不在该项目的适合年级范围内")
    alliance_id = eligibility.class_alliance_id(school_class)
    if channel == Channel.GREEN and alliance_id not in eligibility.unit_alliance_ids(offering.resource_unit_id):
        raise _rule("not_green_eligible", "该班级的学校不在该场馆服务的教联体内，不能使用绿色通道")
    booking = Booking(
        slot_id=slot.id,
        resource_unit_id=offering.resource_unit_id,
        kind=BookingKind.GROUP,
        channel=channel,
        class_id=school_class.id,
        school_id=school_class.school_id,
        booked_by_id=actor.user_id,
        contact_name=actor.user.nickname,
        adults=chaperones,
        headcount=headcount + chaperones,
        is_free=offering.is_free_for_channel(channel),
        status=BookingStatus.PENDING,
        expires_at=_pending_expiry(slot, now),
    )
    _take_places(slot.id, channel, booking.headcount)
    _insert(booking, "class_already_booked", "该班级已预约该场次")
    booking_created(booking, actor_id=actor.user_id)
    db.session.expire(slot)
    return booking


def sync_family_counter(family_id: int) -> FamilyBookingCounter:
    """Set a family's active count from its bookings (for seeding and repairs, not for the booking path)."""
    active = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Booking)
        .where(Booking.family_id == family_id, Booking.status.in_(HOLDING))
    ).scalar_one()
    counter = db.session.get(FamilyBookingCounter, family_id) or FamilyBookingCounter(family_id=family_id)
    counter.active = active
    db.session.add(counter)
    db.session.flush()
    return counter
