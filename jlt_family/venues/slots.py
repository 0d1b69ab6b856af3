"""场次生成: weekly opening rules minus closures → slots over a rolling horizon.

``generate_slots(offering)`` is idempotent: it adds missing slots, updates and removes future slots nobody has
booked, and never removes a slot that has a booking (a closure keeps such a slot, closed, with its cancelled
bookings: see ``venues.closures``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.organizations.models import ResourceUnit
from jlt_family.venues.models import Booking, Closure, Offering, Slot, SlotStatus

DEFAULT_HORIZON_DAYS = 30


def horizon_days() -> int:
    """How many days ahead slots are generated (``VENUE_SLOT_HORIZON_DAYS``)."""
    return current_app.config.get("VENUE_SLOT_HORIZON_DAYS", DEFAULT_HORIZON_DAYS)


def wanted_starts(offering: Offering, first_day: dt.date, days: int, closures: Sequence[Closure]) -> set[dt.datetime]:
    """The slot starts (aware UTC) the rules give over ``days`` days from ``first_day``, outside closures."""
    starts = set()
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        if any(closure.covers(day) for closure in closures):
            continue
        for rule in offering.rules:
            if rule.weekday != day.weekday():
                continue
            if (rule.valid_from and day < rule.valid_from) or (rule.valid_until and day > rule.valid_until):
                continue
            starts.add(dt.datetime.combine(day, rule.start_time, tzinfo=SHANGHAI).astimezone(dt.UTC))
    return starts


def _closures(unit_id: int, first_day: dt.date, last_day: dt.date) -> Sequence[Closure]:
    """A locking (shared) read: a closure committed while this transaction waited for the offering's row is seen,
    so the closed days' slots are not reopened from an older snapshot."""
    return db.session.scalars(
        sa.select(Closure)
        .where(Closure.resource_unit_id == unit_id, Closure.ends_on >= first_day, Closure.starts_on <= last_day)
        .with_for_update(read=True)
    ).all()


def _has_booking() -> sa.Exists:
    return sa.exists().where(Booking.slot_id == Slot.id)


def generate_slots(offering: Offering, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Bring the offering's future slots in line with its rules and closures; the number of slots added."""
    now = now or utcnow()
    days = days or horizon_days()
    db.session.scalar(sa.select(Offering.id).where(Offering.id == offering.id).with_for_update())
    first_day = now.astimezone(SHANGHAI).date()
    closures = _closures(offering.resource_unit_id, first_day, first_day + dt.timedelta(days=days))
    wanted = wanted_starts(offering, first_day, days, closures) if offering.is_active else set()
    future = db.session.execute(
        sa.select(Slot, _has_booking().label("booked")).where(Slot.offering_id == offering.id, Slot.starts_at > now)
    ).all()
    existing = {slot.starts_at for slot, _ in future}
    _retire(offering, [(slot, booked) for slot, booked in future if slot.starts_at not in wanted], closures)
    for slot, booked in future:
        if slot.starts_at in wanted and not booked:
            _match_offering(slot, offering)
    added = [start for start in sorted(wanted - existing) if start > now]
    for start in added:
        db.session.add(_new_slot(offering, start))
    db.session.flush()
    return len(added)


def _retire(offering: Offering, slots: list[tuple[Slot, bool]], closures: Sequence[Closure]) -> None:
    """Unbooked slots the rules no longer give are deleted; booked ones stay (closed if a closure covers them)."""
    unbooked = [slot.id for slot, booked in slots if not booked]
    if unbooked:
        db.session.execute(
            sa.delete(Slot).where(Slot.id.in_(unbooked), ~_has_booking()),
            execution_options={"synchronize_session": False},
        )
        for slot, booked in slots:
            if not booked:
                db.session.expunge(slot)
    for slot, booked in slots:
        day = slot.starts_at.astimezone(SHANGHAI).date()
        if booked and any(closure.covers(day) for closure in closures):
            slot.status = SlotStatus.CLOSED


def _match_offering(slot: Slot, offering: Offering) -> None:
    """An unbooked slot follows the offering's current duration and places (a green release stays released)."""
    slot.ends_at = slot.starts_at + dt.timedelta(minutes=offering.duration_minutes)
    slot.capacity = offering.capacity
    slot.green_capacity = slot.green_taken if slot.green_released_at is not None else offering.green_quota
    slot.status = SlotStatus.OPEN


def _new_slot(offering: Offering, start: dt.datetime) -> Slot:
    ends_at = start + dt.timedelta(minutes=offering.duration_minutes)
    return Slot(
        offering_id=offering.id,
        starts_at=start,
        ends_at=ends_at,
        capacity=offering.capacity,
        green_capacity=offering.green_quota,
        green_taken=0,
        general_taken=0,
        status=SlotStatus.OPEN,
    )


def generate_all(now: dt.datetime | None = None) -> int:
    """The scheduled refresh: every active offering of an active unit, its slots over the horizon; the number of
    slots added (a deactivated unit gets none: nobody could book them)."""
    offerings = db.session.scalars(
        sa.select(Offering)
        .join(ResourceUnit, ResourceUnit.id == Offering.resource_unit_id)
        .where(Offering.is_active.is_(True), ResourceUnit.is_active.is_(True))
        .order_by(Offering.id)
    )
    return sum(generate_slots(offering, now) for offering in offerings.all())
