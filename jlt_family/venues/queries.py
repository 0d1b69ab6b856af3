"""List queries of venues, narrowed to what the caller may see, with what each row shows loaded up front."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.alliances.models import AllianceMember
from jlt_family.core.timeutil import SHANGHAI, shanghai_today, utcnow
from jlt_family.organizations.models import ResourceUnit, SchoolClass
from jlt_family.organizations.students import Student
from jlt_family.venues.models import Booking, BookingChild, GreenSuspension, Offering, Slot, SlotStatus


def _day_bounds(day):
    start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1)


def _has_places():
    return sa.or_(Slot.green_taken < Slot.green_capacity, Slot.general_taken + Slot.green_capacity < Slot.capacity)


def offerings(actor, args, family_alliance_ids):
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


def _offering_slot_filter(args):
    if not args.get("date") and not args.get("has_places"):
        return None
    conditions = [Slot.status == SlotStatus.OPEN, Slot.starts_at > utcnow()]
    if args.get("date"):
        start, end = _day_bounds(args["date"])
        conditions += [Slot.starts_at >= start, Slot.starts_at < end]
    if args.get("has_places"):
        conditions.append(_has_places())
    return conditions


def slots(offering, args):
    """Upcoming slots of an offering (from today, Asia/Shanghai)."""
    start, _ = _day_bounds(args.get("date_from") or shanghai_today())
    stmt = sa.select(Slot).where(Slot.offering_id == offering.id, Slot.starts_at >= start)
    if args.get("date_to"):
        stmt = stmt.where(Slot.starts_at < _day_bounds(args["date_to"])[1])
    if args.get("has_places"):
        stmt = stmt.where(_has_places())
    return stmt.order_by(Slot.starts_at)


def _booking_options(stmt):
    return stmt.options(
        selectinload(Booking.slot).selectinload(Slot.offering).selectinload(Offering.resource_unit),
        selectinload(Booking.children).selectinload(BookingChild.student),
        selectinload(Booking.school_class).selectinload(SchoolClass.school),
    )


def my_bookings(actor, status=None):
    """The caller's family's bookings and the groups they booked, newest first."""
    mine = Booking.booked_by_id == actor.user_id
    if actor.family_id is not None:
        mine = sa.or_(mine, Booking.family_id == actor.family_id)
    stmt = sa.select(Booking).where(mine)
    if status is not None:
        stmt = stmt.where(Booking.status == status)
    return _booking_options(stmt).order_by(Booking.created_at.desc(), Booking.id.desc())


def unit_bookings(unit_id, args):
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


def suspensions(alliance_id, in_force):
    now = utcnow()
    stmt = sa.select(GreenSuspension).where(GreenSuspension.alliance_id == alliance_id)
    if in_force:
        stmt = stmt.where(GreenSuspension.lifted_at.is_(None), GreenSuspension.ends_at > now)
    return stmt.order_by(GreenSuspension.starts_at.desc(), GreenSuspension.id.desc())


def family_children_ids(family_id):
    from jlt_family.core.extensions import db

    return db.session.scalars(sa.select(Student.id).where(Student.family_id == family_id)).all()
