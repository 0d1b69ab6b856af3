"""Rules of venue bookings: booking a slot, deciding, cancelling, expiring, checking in, no-shows.

Places are taken and given back with ONE conditional UPDATE of the slot per change, in the same transaction as
the booking row (``_take_places``/``_give_back``); a family's active bookings are counted the same way.

Lock order, so that racing requests queue instead of deadlocking on MariaDB: a new booking locks its family's
row, takes its places (the slot's row), counts itself on the family's counter, then inserts its row (inserting
first would hold a shared lock on the slot through the foreign key, which every racing booker then tries to
upgrade). A change that frees places locks the slot's row, then the booking, the counter and the slot's places.
Cancelling a whole slot locks the slot's row, closes it, then cancels its holding bookings one by one in family
order (each: the booking, the family's counter, the slot's places); places are only taken from an open slot, so
a booker queued behind the cancellation gets ``slot_closed`` instead of a place. A closure does the same for every
slot of its days (``venues.closures``). Whatever the venue cancels ends ``cancelled_by_venue``; the booker's own
cancellation ends ``cancelled``.
Every change of a booking's status is a conditional UPDATE
from the statuses it may leave (``_move``): of two racing changes exactly one wins, and only the winner touches
the counters, so each counter always equals the headcount of its channel's holding bookings.

Services never commit and never read the request; they announce changes through core.events after flushing.
"""

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from jlt_family.core.audit import audit
from jlt_family.core.codes import new_code, normalise_code
from jlt_family.core.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.families.models import Family
from jlt_family.organizations.students import Student
from jlt_family.venues import eligibility, notify
from jlt_family.venues.models import (
    HOLDING,
    Booking,
    BookingChild,
    BookingKind,
    BookingStatus,
    Channel,
    FamilyBookingCounter,
    Offering,
    OpeningRule,
    Slot,
    SlotStatus,
)

BOOKING_CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 codes
DEFAULT_PENDING_EXPIRY_HOURS = 24
DEFAULT_CHECK_IN_OPENS_MINUTES = 60


def _rule(code, message):
    return RuleViolation(message, code=code)


# ---- places ---------------------------------------------------------------------------------------------------


def _take_places(slot_id, channel, places):
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


def _give_back(booking):
    """Return a booking's places to its pool (a green place after the release goes to the general pool)."""
    n = booking.headcount
    if booking.channel == Channel.GREEN:
        values = {
            "green_taken": Slot.green_taken - n,
            "green_capacity": sa.case(
                (Slot.green_released_at.is_(None), Slot.green_capacity), else_=Slot.green_capacity - n
            ),
        }
    else:
        values = {"general_taken": Slot.general_taken - n}
    update_rows(sa.update(Slot).where(Slot.id == booking.slot_id).values(**values))


def _lock_slot(slot_id):
    db.session.scalar(sa.select(Slot.id).where(Slot.id == slot_id).with_for_update())


def _move(booking, from_statuses, to_status, **values):
    """Change a booking's status if it is still in ``from_statuses``; whether this call made the change.

    A family booking that stops holding places also leaves the family's active count (in the same transaction,
    once: only the call that made the change gets here).
    """
    if to_status not in (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN):
        values["active_key"] = None
        # Changing active_key re-checks the row's foreign key to its slot (a shared lock there), so the slot's
        # row is locked first: racing changes of one slot's bookings queue instead of deadlocking.
        _lock_slot(booking.slot_id)
    family_id = booking.family_id
    moved = update_rows(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_(from_statuses))
        .values(status=to_status, **values)
    )
    db.session.expire(booking)
    if moved and family_id is not None and set(from_statuses) <= set(HOLDING) and to_status not in HOLDING:
        update_rows(
            sa.update(FamilyBookingCounter)
            .where(FamilyBookingCounter.family_id == family_id)
            .values(active=FamilyBookingCounter.active - 1)
        )
    return bool(moved)


# ---- booking --------------------------------------------------------------------------------------------------


def check_bookable(slot, now=None):
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


def _age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _fits_audience(offering, grade, birth_date, day):
    if grade is not None and offering.min_grade is not None and grade < offering.min_grade:
        return False
    if grade is not None and offering.max_grade is not None and grade > offering.max_grade:
        return False
    if birth_date is not None and offering.min_age is not None and _age_on(birth_date, day) < offering.min_age:
        return False
    return not (birth_date is not None and offering.max_age is not None and _age_on(birth_date, day) > offering.max_age)


def _party_children(family_id, child_ids):
    children = db.session.scalars(sa.select(Student).where(Student.id.in_(child_ids))).all()
    if len(children) != len(set(child_ids)) or any(child.family_id != family_id for child in children):
        raise _rule("child_not_in_family", "所选孩子不是您家庭的成员")
    return children


def _check_party(offering, slot, children, headcount):
    if headcount > offering.max_party:
        raise _rule("party_too_large", f"每次预约最多 {offering.max_party} 人")
    day = to_shanghai(slot.starts_at).date()  # a child's age on the visit's day in China
    for child in children:
        grade = child.school_class.grade if child.school_class is not None else None
        if not _fits_audience(offering, grade, child.birth_date, day):
            raise _rule("child_not_in_audience", f"{child.name} 不在该项目的适合年级或年龄范围内")


def _check_green_for_family(family_id, unit_id, children, now):
    alliances = eligibility.child_alliances([child.id for child in children])
    if not set(alliances.values()) & eligibility.unit_alliance_ids(unit_id):
        raise _rule("not_green_eligible", "所选孩子的学校不在该场馆服务的教联体内，不能使用绿色通道")
    suspension = eligibility.suspension_in_force(family_id, now)
    if suspension is not None:
        until = suspension.ends_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
        raise _rule("green_channel_suspended", f"因多次爽约，您的绿色通道暂停至 {until}")


def _already_booked(family_id, slot_id):
    return db.session.scalar(
        sa.select(Booking.id)
        .where(Booking.slot_id == slot_id, Booking.family_id == family_id, Booking.status.in_(HOLDING))
        .limit(1)
    )


def _count_family_booking(family_id, policy):
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


def _initial_status(offering, channel, kind):
    if kind == BookingKind.FAMILY and channel == Channel.GREEN and offering.green_auto_confirm:
        return BookingStatus.CONFIRMED
    if kind == BookingKind.FAMILY and not offering.needs_confirmation:
        return BookingStatus.CONFIRMED
    return BookingStatus.PENDING


def _pending_expiry(slot, now):
    hours = current_app.config.get("VENUE_PENDING_EXPIRY_HOURS", DEFAULT_PENDING_EXPIRY_HOURS)
    return min(now + dt.timedelta(hours=hours), slot.starts_at)


def _insert(booking, duplicate_code, duplicate_message):
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


def book_for_family(actor, slot, *, channel, child_ids, adults, now=None):
    """家长预约: the party (children of the family + adults) on a channel; green eligibility from the database."""
    now = now or utcnow()
    family_id = actor.family_id
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
    db.session.expire(slot)
    if status == BookingStatus.CONFIRMED:
        notify.confirmed(booking, new=True)
    return booking


def book_for_class(actor, slot, *, school_class, channel, headcount, chaperones, now=None):
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
    db.session.expire(slot)
    return booking


# ---- decisions ------------------------------------------------------------------------------------------------


class AlreadyDecided(Conflict):
    code = "booking_already_decided"
    message = "该预约已处理，不能重复操作"


def confirm(booking, staff):
    """确认 a pending booking (409 once decided)."""
    if not _move(
        booking,
        [BookingStatus.PENDING],
        BookingStatus.CONFIRMED,
        decided_by_id=staff.user_id,
        decided_at=utcnow(),
        expires_at=None,
    ):
        raise AlreadyDecided()
    audit(staff, "venue_booking_confirmed", "venue_booking", booking.id, school_id=booking.school_id)
    notify.confirmed(booking)
    return booking


def reject(booking, staff, reason):
    """拒绝 a pending booking with a reason: its places go back at once."""
    if not _move(
        booking,
        [BookingStatus.PENDING],
        BookingStatus.REJECTED,
        decided_by_id=staff.user_id,
        decided_at=utcnow(),
        reason=reason,
        expires_at=None,
    ):
        raise AlreadyDecided()
    _give_back(booking)
    audit(staff, "venue_booking_rejected", "venue_booking", booking.id, school_id=booking.school_id, reason=reason)
    notify.rejected(booking)
    return booking


def decide_many(bookings, staff, *, approve, reason=""):
    """Bulk confirm/reject: each booking on its own; the outcome per booking id (``ok`` or the error code)."""
    outcomes = {}
    for booking in bookings:
        try:
            confirm(booking, staff) if approve else reject(booking, staff, reason)
            outcomes[booking.id] = "ok"
        except AlreadyDecided as exc:
            outcomes[booking.id] = exc.code
    return outcomes


def cancel_by_booker(booking, actor, reason="", now=None):
    """家长/教师取消 before the cancel deadline; the places go back at once."""
    now = now or utcnow()
    deadline = booking.slot.starts_at - dt.timedelta(minutes=booking.slot.offering.cancel_closes_minutes)
    if booking.status in HOLDING and now > deadline:
        raise _rule("cancel_closed", "已过取消截止时间，不能取消")
    return _cancel(booking, actor, reason or "预约人取消")


def cancel_by_staff(booking, staff, reason):
    """场馆取消 (``cancelled_by_venue``): staff must give the family a reason (audit-logged)."""
    if not reason:
        raise ValidationFailed(errors={"json": {"reason": ["场馆取消预约请填写原因"]}})
    _cancel(booking, staff, reason, BookingStatus.CANCELLED_BY_VENUE)
    audit(staff, "venue_booking_cancelled", "venue_booking", booking.id, school_id=booking.school_id, reason=reason)
    return booking


def _cancel(booking, actor, reason, to_status=BookingStatus.CANCELLED):
    if not _move(
        booking, HOLDING, to_status, reason=reason, decided_by_id=actor.user_id, decided_at=utcnow(), expires_at=None
    ):
        raise Conflict("该预约已不能取消", code="booking_not_cancellable")
    _give_back(booking)
    notify.cancelled(booking)
    return booking


def cancel_slot(slot, staff, reason, now=None):
    """场次取消 (e.g. an unplanned closure): the slot closes and every pending or confirmed booking of it is
    cancelled by the venue with ``reason`` (``cancelled_by_venue``; places back, the family or teacher told,
    reminders cancelled, each audit-logged).

    The cancelled bookings, in id order. 422 ``slot_ended`` once the slot is over; 409 ``slot_already_closed``
    when it is closed and holds no booking any more.
    """
    now = now or utcnow()
    slot = db.session.scalar(
        sa.select(Slot).where(Slot.id == slot.id).with_for_update().execution_options(populate_existing=True)
    )
    if slot.ends_at <= now:
        raise _rule("slot_ended", "该场次已结束，不能取消")
    # A locking read: bookings committed after this transaction's snapshot (queued behind the slot) are included.
    # In family order, so that two slots cancelled at once lock the families' counters in the same order.
    holding = db.session.scalars(
        sa.select(Booking)
        .where(Booking.slot_id == slot.id, Booking.status.in_(HOLDING))
        .order_by(Booking.family_id, Booking.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if slot.status == SlotStatus.CLOSED and not holding:
        raise Conflict("该场次已关闭，没有需要取消的预约", code="slot_already_closed")
    update_rows(sa.update(Slot).where(Slot.id == slot.id).values(status=SlotStatus.CLOSED))
    cancelled = []
    for booking in holding:
        if _move(
            booking,
            HOLDING,
            BookingStatus.CANCELLED_BY_VENUE,
            reason=reason,
            decided_by_id=staff.user_id,
            decided_at=now,
            expires_at=None,
        ):
            _give_back(booking)
            audit(
                staff,
                "venue_booking_cancelled",
                "venue_booking",
                booking.id,
                school_id=booking.school_id,
                reason=reason,
                slot_id=slot.id,
            )
            notify.cancelled(booking)
            cancelled.append(booking)
    audit(staff, "venue_slot_cancelled", "venue_slot", slot.id, reason=reason, bookings=len(cancelled))
    db.session.expire(slot)
    return sorted(cancelled, key=lambda booking: booking.id)


# ---- at the door ----------------------------------------------------------------------------------------------


def check_in(unit_id, code, staff, count=None, now=None):
    """核销: verify a booking code of this unit; a group may check in fewer than booked."""
    now = now or utcnow()
    booking = db.session.scalar(
        sa.select(Booking).where(Booking.code == normalise_code(code), Booking.resource_unit_id == unit_id)
    )
    if booking is None:
        raise NotFound("预约码无效", code="booking_code_invalid")
    if booking.status == BookingStatus.CHECKED_IN:
        raise Conflict("该预约码已核销，不能重复使用", code="booking_code_used")
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict("该预约未确认或已失效，不能核销", code="booking_not_confirmed")
    _check_door_open(booking.slot, now)
    count = booking.headcount if count is None else count
    if count > booking.headcount:
        raise _rule("check_in_over_headcount", f"核销人数不能超过预约人数 {booking.headcount}")
    if not _move(
        booking,
        [BookingStatus.CONFIRMED],
        BookingStatus.CHECKED_IN,
        checked_in_count=count,
        checked_in_at=now,
        checked_in_by_id=staff.user_id,
    ):
        raise Conflict("该预约码已核销，不能重复使用", code="booking_code_used")
    audit(staff, "venue_booking_checked_in", "venue_booking", booking.id, school_id=booking.school_id, count=count)
    return booking


def _check_door_open(slot, now):
    opens = current_app.config.get("VENUE_CHECK_IN_OPENS_MINUTES", DEFAULT_CHECK_IN_OPENS_MINUTES)
    if now < slot.starts_at - dt.timedelta(minutes=opens):
        raise _rule("check_in_not_open", f"开场前 {opens} 分钟才可核销")
    if now > slot.ends_at:
        raise _rule("check_in_closed", "该场次已结束，不能核销")


# ---- offerings ------------------------------------------------------------------------------------------------


def create_offering(unit, **data):
    offering = Offering(resource_unit_id=unit.id, **data)
    db.session.add(offering)
    db.session.flush()
    return offering


def update_offering(offering, **data):
    for name, value in data.items():
        setattr(offering, name, value)
    if offering.green_quota > offering.capacity:
        raise _rule("green_quota_over_capacity", "绿色通道名额不能超过每场总名额")
    db.session.flush()
    return offering


def replace_rules(offering, rules):
    """设置每周开放规则: the new rules replace the old ones, and the offering's last change time moves on."""
    offering.rules = [OpeningRule(**rule) for rule in rules]
    offering.updated_at = utcnow()
    db.session.flush()
    return offering


def sync_family_counter(family_id):
    """Set a family's active count from its bookings (for seeding and repairs, not for the booking path)."""
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .where(Booking.family_id == family_id, Booking.status.in_(HOLDING))
    )
    counter = db.session.get(FamilyBookingCounter, family_id) or FamilyBookingCounter(family_id=family_id)
    counter.active = active
    db.session.add(counter)
    db.session.flush()
    return counter
