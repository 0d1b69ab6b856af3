"""闭馆: a closure closes the unit's slots of its days and cancels the bookings they hold, in one transaction.

``close`` covers every slot of the unit whose start falls on one of the closure's days (Asia/Shanghai, as
``Closure.covers``) and that has not ended: the slot closes, each of its pending and confirmed bookings becomes
``cancelled_by_venue`` with the closure's reason and ``closure_id``, its places go back to their pool (a green
place to the green quota) and it leaves the family's active count; its reminders are cancelled and the booker
gets the usual cancellation notice (``notify.cancelled``). Checked-in bookings stay as they are.

Lock order, the same as the rest of venues: the unit's row (closures of one unit queue), its offerings (slot
generation locks an offering first), then the covered slots with ONE conditional UPDATE that closes them, then
their holding bookings in family order, each moved by ``lifecycle.move_booking`` (booking, family counter, places). The
UPDATE is the transaction's first write: on SQLite the database's write lock is held from there on, on MariaDB
the slots' row locks are. So a booking racing the closure either took its places before (it committed first,
and the locking read of the bookings below sees and cancels it) or queues behind the closed slot and gets
``slot_closed`` (places are only taken from an open slot).

A retried request (the same unit, days and reason: the answer was lost on the way) finds its closure and returns
it with the bookings it cancelled, creating nothing. Without ``confirm`` a closure that would cancel bookings is
refused with 409 ``closure_cancels_bookings`` listing them; nothing is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.organizations.models import ResourceUnit, SchoolClass
from jlt_family.venues import notify, slots
from jlt_family.venues.lifecycle import move_booking
from jlt_family.venues.models import (
    HOLDING,
    Booking,
    BookingChild,
    BookingStatus,
    Closure,
    Offering,
    Slot,
    SlotStatus,
)

DEFAULT_REASON = "场馆闭馆"


class ClosureCancelsBookings(Conflict):
    """The closure would cancel ``bookings`` and the request did not confirm it (nothing was written)."""

    code = "closure_cancels_bookings"

    def __init__(self, bookings: Sequence[Booking]) -> None:
        super().__init__(
            f"闭馆期间有 {len(bookings)} 个待确认或已确认的预约，闭馆将取消这些预约并通知预约人；"
            '确认后请带 "confirm": true 重新提交'
        )
        self.bookings = sorted(bookings, key=lambda booking: booking.id)


@dataclasses.dataclass
class ClosureResult:
    """新增闭馆的结果: the closure, the bookings it cancelled, and whether this request created it."""

    closure: Closure
    cancelled: Sequence[Booking]  # the bookings this closure cancelled, in id order
    created: bool  # False: a retry found the same closure

    @property
    def cancelled_booking_ids(self) -> list[int]:
        return [booking.id for booking in self.cancelled]


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)


def lock_unit(unit_id: int) -> Sequence[int]:
    """The unit's row (shared), then its offerings' rows (exclusive, in id order): what every change of the unit's
    closures locks first. The offering ids.

    Shared on the unit: a booking's INSERT takes a shared lock on its unit (the foreign key) while it holds its
    slot's row, so an exclusive lock here, taken before the slots, deadlocked with every booking in flight on
    MariaDB. Two changes of one unit's closures still take turns, on the offerings' rows."""
    db.session.scalar(sa.select(ResourceUnit.id).where(ResourceUnit.id == unit_id).with_for_update(read=True))
    return db.session.scalars(
        sa.select(Offering.id).where(Offering.resource_unit_id == unit_id).order_by(Offering.id).with_for_update()
    ).all()


def _covered(offering_ids: Sequence[int], starts_on: dt.date, ends_on: dt.date, now: dt.datetime) -> tuple:
    return (
        Slot.offering_id.in_(offering_ids),
        Slot.starts_at >= _day_start(starts_on),
        Slot.starts_at < _day_start(ends_on + dt.timedelta(days=1)),
        Slot.ends_at > now,
    )


def _holding(slot_ids: Sequence[int]) -> Sequence[Booking]:
    """A locking read of the slots' holding bookings in family order (so two closures, or a closure and a slot
    cancellation, take the families' counters in the same order), with what the staff view shows."""
    return db.session.scalars(
        sa.select(Booking)
        .where(Booking.slot_id.in_(slot_ids), Booking.status.in_(HOLDING))
        .order_by(Booking.family_id, Booking.id)
        .with_for_update()
        .execution_options(populate_existing=True)
        .options(
            selectinload(Booking.slot).selectinload(Slot.offering),
            selectinload(Booking.children).selectinload(BookingChild.student),
            selectinload(Booking.school_class).selectinload(SchoolClass.school),
        )
    ).all()


def _same_closure(unit_id: int, starts_on: dt.date, ends_on: dt.date, reason: str) -> Closure | None:
    return db.session.scalar(
        sa.select(Closure)
        .where(
            Closure.resource_unit_id == unit_id,
            Closure.starts_on == starts_on,
            Closure.ends_on == ends_on,
            Closure.reason == reason,
        )
        .order_by(Closure.id)
        .limit(1)
    )


def cancelled_by(closure: Closure) -> Sequence[Booking]:
    """The bookings a closure cancelled, in id order."""
    return db.session.scalars(sa.select(Booking).where(Booking.closure_id == closure.id).order_by(Booking.id)).all()


def close(
    unit: ResourceUnit,
    staff: Actor,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str = "",
    confirm: bool = False,
    now: dt.datetime | None = None,
) -> ClosureResult:
    """新增闭馆: close the unit's slots of those days and cancel their holding bookings (see the module).

    409 ``closure_cancels_bookings`` (with the bookings) when there are some and ``confirm`` is false.
    """
    now = now or utcnow()
    offering_ids = lock_unit(unit.id)
    covered = _covered(offering_ids, starts_on, ends_on, now)
    update_rows(sa.update(Slot).where(*covered, Slot.status == SlotStatus.OPEN).values(status=SlotStatus.CLOSED))
    existing = _same_closure(unit.id, starts_on, ends_on, reason)
    slot_ids = db.session.scalars(sa.select(Slot.id).where(*covered).order_by(Slot.id).with_for_update()).all()
    holding = _holding(slot_ids)
    if holding and not confirm:
        raise ClosureCancelsBookings(holding)
    closure = existing or Closure(resource_unit_id=unit.id, starts_on=starts_on, ends_on=ends_on, reason=reason)
    if existing is None:
        db.session.add(closure)
        db.session.flush()
        audit(
            staff,
            "venue_closure_created",
            "venue_closure",
            closure.id,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
            reason=reason,
            bookings=len(holding),
        )
    for booking in holding:
        if move_booking(
            booking,
            BookingStatus.CANCELLED_BY_VENUE,
            actor_id=staff.user_id,
            reason=reason or DEFAULT_REASON,
            values={
                "reason": reason or DEFAULT_REASON,
                "decided_by_id": staff.user_id,
                "decided_at": now,
                "expires_at": None,
                "closure_id": closure.id,
            },
        ):
            audit(
                staff,
                "venue_booking_cancelled",
                "venue_booking",
                booking.id,
                school_id=booking.school_id,
                reason=reason or DEFAULT_REASON,
                closure_id=closure.id,
            )
            notify.cancelled(booking)
    _regenerate(offering_ids, now)
    return ClosureResult(closure=closure, cancelled=cancelled_by(closure), created=existing is None)


def delete(closure: Closure, now: dt.datetime | None = None) -> None:
    """取消闭馆: the unbooked slots of those days come back; the bookings it cancelled stay cancelled (their
    families were told), no longer pointing at it, and their slots stay closed."""
    offering_ids = lock_unit(closure.resource_unit_id)
    # What the foreign key's ON DELETE SET NULL does, said explicitly (whatever the connection's foreign-key mode).
    update_rows(sa.update(Booking).where(Booking.closure_id == closure.id).values(closure_id=None))
    db.session.delete(closure)
    db.session.flush()
    _regenerate(offering_ids, now)


def _regenerate(offering_ids: Sequence[int], now: dt.datetime | None) -> None:
    for offering in db.session.scalars(
        sa.select(Offering).where(Offering.id.in_(offering_ids)).order_by(Offering.id)
    ).all():
        slots.generate_slots(offering, now)
