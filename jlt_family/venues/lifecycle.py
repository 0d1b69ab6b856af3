"""预约状态: the states of a venue booking, the moves between them, and what every move of a booking also does.

``BOOKING_LIFECYCLE`` is the one table of a booking's transitions; ``move_booking`` is the one way a service, a
closure or a job changes a booking's status. Besides the conditional UPDATE and the history row of
``Lifecycle.move`` it keeps, in the same transaction and only for the call that made the change:

- the lock order: a move out of the active statuses clears ``active_key``, which re-checks the row's foreign key
  to its slot (a shared lock there), so the slot's row is locked first: racing changes of one slot's bookings
  queue instead of deadlocking;
- the family's active count: a family booking that stops holding places leaves it (once);
- the places: a booking that is rejected, cancelled or expires gives its places back to their pool (a green
  place after the release goes to the general pool); a checked-in or no-show booking keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.core.lifecycle import Lifecycle
from jlt_family.core.models import StateChange
from jlt_family.core.sql import update_rows
from jlt_family.venues.models import ACTIVE, HOLDING, Booking, BookingStatus, Channel, FamilyBookingCounter, Slot

BOOKING_LIFECYCLE = Lifecycle(
    aggregate="booking",
    model=Booking,
    transitions={
        BookingStatus.PENDING: frozenset(
            {
                BookingStatus.CONFIRMED,
                BookingStatus.REJECTED,
                BookingStatus.CANCELLED,
                BookingStatus.CANCELLED_BY_VENUE,
                BookingStatus.EXPIRED,
            }
        ),
        BookingStatus.CONFIRMED: frozenset(
            {
                BookingStatus.CHECKED_IN,
                BookingStatus.NO_SHOW,
                BookingStatus.CANCELLED,
                BookingStatus.CANCELLED_BY_VENUE,
            }
        ),
    },
)

# The moves that give the booking's places back (a checked-in or no-show booking keeps its places).
RELEASING = frozenset(
    {BookingStatus.REJECTED, BookingStatus.CANCELLED, BookingStatus.CANCELLED_BY_VENUE, BookingStatus.EXPIRED}
)


def move_booking(
    booking: Booking,
    target: BookingStatus,
    *,
    actor_id: int | None,
    reason: str | None = None,
    only_from: Iterable[BookingStatus] | None = None,
    values: Mapping[str, Any] | None = None,
) -> bool:
    """Move ``booking`` to ``target`` if the table (narrowed by ``only_from``) allows it from its status; whether
    this call made the change. ``actor_id`` None: the system (a job). See the module for what a move also does."""
    sources = BOOKING_LIFECYCLE.sources(target)
    if only_from is not None:
        sources = sources & frozenset(only_from)
    columns = dict(values or {})
    if target not in ACTIVE:
        columns["active_key"] = None
        _lock_slot(booking.slot_id)
    family_id = booking.family_id
    moved = BOOKING_LIFECYCLE.move(booking, target, actor_id=actor_id, reason=reason, only_from=sources, values=columns)
    db.session.expire(booking)
    if not moved:
        return False
    if family_id is not None and sources <= set(HOLDING) and target not in HOLDING:
        update_rows(
            sa.update(FamilyBookingCounter)
            .where(FamilyBookingCounter.family_id == family_id)
            .values(active=FamilyBookingCounter.active - 1)
        )
    if target in RELEASING:
        give_back(booking)
    return True


def booking_created(booking: Booking, *, actor_id: int) -> StateChange:
    """The history row of a new booking (created pending or confirmed at once)."""
    return BOOKING_LIFECYCLE.created(booking, actor_id=actor_id)


def booking_history(booking: Booking) -> list[StateChange]:
    """The changes of a booking's status, oldest first (its creation first)."""
    return BOOKING_LIFECYCLE.history(booking.id)


def give_back(booking: Booking) -> None:
    """Return a booking's places to its pool (a green place after the release goes to the general pool)."""
    n = booking.headcount
    values: dict[str, Any]
    if booking.channel == Channel.GREEN:
        values = {
            "green_taken": Slot.green_taken - n,
            "green_capacity": sa.case(
                (Slot.green_released_at.is_(None), Slot.green_capacity), else_=Slot.green_capacity - n
            ),
        }
    else:
        values = {"general_taken": Slot.general_taken - n}
    update_rows(sa.update(Slot).where(Slot.id == booking.slot_id).values(values))


def _lock_slot(slot_id: int) -> None:
    db.session.scalar(sa.select(Slot.id).where(Slot.id == slot_id).with_for_update())
