"""List queries of venues, narrowed to what the caller may see, with what each row shows loaded up front."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.alliances.models import AllianceMember
from jlt_family.auth.context import Actor
from jlt_family.core.timeutil import SHANGHAI, shanghai_today, utcnow
from jlt_family.organizations.models import ResourceUnit, SchoolClass
from jlt_family.venues.models import (
    Booking,
    BookingChild,
    BookingStatus,
    Closure,
    GreenSuspension,
    Offering,
    Slot,
    SlotStatus,
)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1)


def _has_places() -> sa.ColumnElement[bool]:
    return sa.or_(Slot.green_taken < Slot.green_capacity, Slot.general_taken + Slot.green_capacity < Slot.capacity)


def offerings(actor: Actor, args: Mapping[str, Any], family_alliance_ids: Collection[int]) -> sa.Select:
    """Offerings the caller may see; a guardian sees those of their children's alliances unless ``all``."""
    stmt = (
        sa.select(Offering)
        .join(ResourceUnit, ResourceUnit.id == Offering.resource_unit_id)
        .where(
            sa.or_(
                sa.and_(Offering.is_active.is_(True), ResourceUnit.is_active.is_(True)),
                Offering.resource_unit_id.in_(actor.unit_ids),
            )
        )
    )
    alliance_ids = [args["alliance_id"]] if args.get("alliance_id") else None
    if alliance_ids is None and family_alliance_ids and not args.get("all") and not args.get("unit_id"):
        alliance_ids = list(family_alliance_ids)
    if alliance_ids is not None:
        stmt = stmt.where(
            Offering.resource_unit_id.in_(
                sa.select(AllianceMember.resource_unit_id).where(AllianceMember.alliance_id.in_(alliance_ids))
            )
        )
    if args.get("unit_id"):
        stmt = stmt.where(Offering.resource_unit_id == args["unit_id"])
    if args.get("kind"):
        stmt = stmt.where(Offering.kind == args["kind"])
    slot_filter = _offering_slot_filter(args)
    if slot_filter is not None:
        stmt = stmt.where(sa.exists().where(Slot.offering_id == Offering.id, *slot_filter))
    return stmt.options(
        selectinload(Offering.rules),
        selectinload(Offering.resource_unit).selectinload(ResourceUnit.memberships),
    ).order_by(Offering.resource_unit_id, Offering.id)


def _offering_slot_filter(args: Mapping[str, Any]) -> list[sa.ColumnElement[bool]] | None:
    if not args.get("date") and not args.get("has_places"):
        return None
    conditions = [Slot.status == SlotStatus.OPEN, Slot.starts_at > utcnow()]
    if args.get("date"):
        start, end = _day_bounds(args["date"])
        conditions += [Slot.starts_at >= start, Slot.starts_at < end]
    if args.get("has_places"):
        conditions.append(_has_places())
    return conditions


def slots(offering: Offering, args: Mapping[str, Any]) -> sa.Select:
    """Upcoming slots of an offering (from today, Asia/Shanghai)."""
    start, _ = _day_bounds(args.get("date_from") or shanghai_today())
    stmt = sa.select(Slot).where(Slot.offering_id == offering.id, Slot.starts_at >= start)
    if args.get("date_to"):
        stmt = stmt.where(Slot.starts_at < _day_bounds(args["date_to"])[1])
    if args.get("has_places"):
        stmt = stmt.where(_has_places())
    return stmt.order_by(Slot.starts_at)


def _booking_options(stmt: sa.Select) -> sa.Select:
    return stmt.options(
        selectinload(Booking.slot).selectinload(Slot.offering).selectinload(Offering.resource_unit),
        selectinload(Booking.children).selectinload(BookingChild.student),
        selectinload(Booking.school_class).selectinload(SchoolClass.school),
    )


def my_bookings(actor: Actor, status: BookingStatus | None = None) -> sa.Select:
    """The caller's family's bookings and the groups they booked, newest first."""
    mine = Booking.booked_by_id == actor.user_id
    if actor.family_id is not None:
        mine = sa.or_(mine, Booking.family_id == actor.family_id)
    stmt = sa.select(Booking).where(mine)
    if status is not None:
        stmt = stmt.where(Booking.status == status)
    return _booking_options(stmt).order_by(Booking.created_at.desc(), Booking.id.desc())


def unit_bookings(unit_id: int, args: Mapping[str, Any]) -> sa.Select:
    """A unit's bookings per slot: one day's, or everything from today on."""
    stmt = sa.select(Booking).join(Slot, Slot.id == Booking.slot_id).where(Booking.resource_unit_id == unit_id)
    if args.get("date"):
        start, end = _day_bounds(args["date"])
        stmt = stmt.where(Slot.starts_at >= start, Slot.starts_at < end)
    else:
        stmt = stmt.where(Slot.starts_at >= _day_bounds(shanghai_today())[0])
    if args.get("slot_id"):
        stmt = stmt.where(Booking.slot_id == args["slot_id"])
    if args.get("status"):
        stmt = stmt.where(Booking.status == args["status"])
    return _booking_options(stmt).order_by(Slot.starts_at, Booking.id)


def suspensions(alliance_id: int, in_force: bool) -> sa.Select:
    """An alliance's green-channel suspensions (only those in force now, or all), the latest first."""
    now = utcnow()
    stmt = sa.select(GreenSuspension).where(GreenSuspension.alliance_id == alliance_id)
    if in_force:
        stmt = stmt.where(GreenSuspension.lifted_at.is_(None), GreenSuspension.ends_at > now)
    return stmt.order_by(GreenSuspension.starts_at.desc(), GreenSuspension.id.desc())


def unit_closures(unit_id: int) -> sa.Select:
    """A unit's closures, the latest first."""
    return sa.select(Closure).where(Closure.resource_unit_id == unit_id).order_by(Closure.starts_on.desc())
