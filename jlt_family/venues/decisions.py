"""Decisions on venue bookings: staff confirm or reject, bookers and staff cancel, a slot is cancelled, the door
checks in (see ``venues.service`` for the lock order and the conditional moves)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit
from jlt_family.core.codes import normalise_code
from jlt_family.core.errors import Conflict, NotFound, ValidationFailed
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.venues import notify
from jlt_family.venues.lifecycle import move_booking
from jlt_family.venues.models import HOLDING, Booking, BookingStatus, Slot, SlotStatus
from jlt_family.venues.service import DEFAULT_CHECK_IN_OPENS_MINUTES, _rule

QR_PREFIX = "JLT-VENUE:"  # the QR payload is the code behind this prefix (``Booking.qr_payload``)


class AlreadyDecided(Conflict):
    code = "booking_already_decided"
    message = "该预约已处理，不能重复操作"


def confirm(booking: Booking, staff: Actor) -> Booking:
    """确认 a pending booking (409 once decided)."""
    if not move_booking(
        booking,
        BookingStatus.CONFIRMED,
        actor_id=staff.user_id,
        values={"decided_by_id": staff.user_id, "decided_at": utcnow(), "expires_at": None},
    ):
        raise AlreadyDecided()
    audit(staff, "venue_booking_confirmed", "venue_booking", booking.id, school_id=booking.school_id)
    notify.confirmed(booking)
    return booking


def reject(booking: Booking, staff: Actor, *, reason: str) -> Booking:
    """拒绝 a pending booking with a reason: its places go back at once."""
    if not move_booking(
        booking,
        BookingStatus.REJECTED,
        actor_id=staff.user_id,
        reason=reason,
        values={"decided_by_id": staff.user_id, "decided_at": utcnow(), "reason": reason, "expires_at": None},
    ):
        raise AlreadyDecided()
    audit(staff, "venue_booking_rejected", "venue_booking", booking.id, school_id=booking.school_id, reason=reason)
    notify.rejected(booking)
    return booking


def decide_many(
    unit_id: int, staff: Actor, *, booking_ids: Iterable[int], approve: bool, reason: str = ""
) -> dict[str, str]:
    """Bulk confirm/reject of the unit's bookings: each booking on its own, in id order; the outcome per booking
    id (``ok``, the error code, or ``booking_not_found`` for an id that is not one of the unit's bookings)."""
    ids = sorted(set(booking_ids))
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.id.in_(ids), Booking.resource_unit_id == unit_id).order_by(Booking.id)
    ).all()
    outcomes = {str(i): "booking_not_found" for i in ids}
    for booking in bookings:
        try:
            confirm(booking, staff) if approve else reject(booking, staff, reason=reason)
            outcomes[str(booking.id)] = "ok"
        except AlreadyDecided as exc:
            outcomes[str(booking.id)] = exc.code
    return outcomes


def cancel_by_booker(booking: Booking, actor: Actor, *, reason: str = "", now: dt.datetime | None = None) -> Booking:
    """家长/教师取消 before the cancel deadline; the places go back at once."""
    now = now or utcnow()
    deadline = booking.slot.starts_at - dt.timedelta(minutes=booking.slot.offering.cancel_closes_minutes)
    if booking.status in HOLDING and now > deadline:
        raise _rule("cancel_closed", "已过取消截止时间，不能取消")
    return _cancel(booking, actor, reason or "预约人取消")


def cancel_by_staff(booking: Booking, staff: Actor, *, reason: str) -> Booking:
    """场馆取消 (``cancelled_by_venue``): staff must give the family a reason (audit-logged)."""
    if not reason:
        raise ValidationFailed(errors={"json": {"reason": ["场馆取消预约请填写原因"]}})
    _cancel(booking, staff, reason, BookingStatus.CANCELLED_BY_VENUE)
    audit(staff, "venue_booking_cancelled", "venue_booking", booking.id, school_id=booking.school_id, reason=reason)
    return booking


def _cancel(booking: Booking, actor: Actor, reason: str, to_status: BookingStatus = BookingStatus.CANCELLED) -> Booking:
    if not move_booking(
        booking,
        to_status,
        actor_id=actor.user_id,
        reason=reason,
        values={"reason": reason, "decided_by_id": actor.user_id, "decided_at": utcnow(), "expires_at": None},
    ):
        raise Conflict("该预约已不能取消", code="booking_not_cancellable")
    notify.cancelled(booking)
    return booking


def cancel_slot(slot: Slot, staff: Actor, *, reason: str, now: dt.datetime | None = None) -> list[Booking]:
    """场次取消 (e.g. an unplanned closure): the slot closes and every pending or confirmed booking of it is
    cancelled by the venue with ``reason`` (``cancelled_by_venue``; places back, the family or teacher told,
    reminders cancelled, each audit-logged).

    The cancelled bookings, in id order. 422 ``slot_ended`` once the slot is over; 409 ``slot_already_closed``
    when it is closed and holds no booking any more.
    """
    now = now or utcnow()
    slot = db.session.execute(
        sa.select(Slot).where(Slot.id == slot.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
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
        if move_booking(
            booking,
            BookingStatus.CANCELLED_BY_VENUE,
            actor_id=staff.user_id,
            reason=reason,
            values={"reason": reason, "decided_by_id": staff.user_id, "decided_at": now, "expires_at": None},
        ):
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


def check_in(
    unit_id: int, staff: Actor, *, code: str, count: int | None = None, now: dt.datetime | None = None
) -> Booking:
    """核销: verify a booking code (or the QR payload) of this unit; a group may check in fewer than booked."""
    now = now or utcnow()
    code = normalise_code(code.removeprefix(QR_PREFIX))
    booking = db.session.scalar(sa.select(Booking).where(Booking.code == code, Booking.resource_unit_id == unit_id))
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
    if not move_booking(
        booking,
        BookingStatus.CHECKED_IN,
        actor_id=staff.user_id,
        values={"checked_in_count": count, "checked_in_at": now, "checked_in_by_id": staff.user_id},
    ):
        raise Conflict("该预约码已核销，不能重复使用", code="booking_code_used")
    audit(staff, "venue_booking_checked_in", "venue_booking", booking.id, school_id=booking.school_id, count=count)
    return booking


def _check_door_open(slot: Slot, now: dt.datetime) -> None:
    opens = current_app.config.get("VENUE_CHECK_IN_OPENS_MINUTES", DEFAULT_CHECK_IN_OPENS_MINUTES)
    if now < slot.starts_at - dt.timedelta(minutes=opens):
        raise _rule("check_in_not_open", f"开场前 {opens} 分钟才可核销")
    if now > slot.ends_at:
        raise _rule("check_in_closed", "该场次已结束，不能核销")
