"""Who may see and do what with venue offerings and bookings (deny by default).

A unit's staff area (its bookings, closures, check-in, creating offerings) is for the unit's venue staff only:
everyone else gets 404, staff of another unit included. Active offerings of active units are public to
signed-in users. A booking is seen by its family's guardians (or the teacher who booked a group) and by the
unit's staff; everyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from jlt_family.alliances.models import Alliance
from jlt_family.auth.context import Actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.organizations.models import ResourceUnit, SchoolClass
from jlt_family.organizations.permissions import administers_alliance, require  # noqa: F401  (re-exported)
from jlt_family.venues.models import Booking, Closure, GreenSuspension, Offering, Slot

T = TypeVar("T")


def staffs_unit(actor: Actor, unit_id: int) -> bool:
    return unit_id in actor.unit_ids


def can_view_offering(actor: Actor, offering: Offering) -> bool:
    return (offering.is_active and offering.resource_unit.is_active) or staffs_unit(actor, offering.resource_unit_id)


def owns_booking(actor: Actor, booking: Booking) -> bool:
    """The family's guardians, or the teacher who booked the group."""
    if booking.family_id is not None:
        return booking.family_id == actor.family_id
    return booking.booked_by_id == actor.user_id


def can_view_booking(actor: Actor, booking: Booking) -> bool:
    return owns_booking(actor, booking) or staffs_unit(actor, booking.resource_unit_id)


def _get_or_404(model: type[T], object_id: int, can_view: Callable[[T], bool], message: str, code: str) -> T:
    obj = db.session.get(model, object_id)
    if obj is None or not can_view(obj):
        raise NotFound(message, code=code)
    return obj


def staffed_unit_or_404(actor: Actor, unit_id: int) -> ResourceUnit:
    return _get_or_404(
        ResourceUnit, unit_id, lambda unit: staffs_unit(actor, unit.id), "未找到该资源单位", "resource_unit_not_found"
    )


def offering_or_404(actor: Actor, offering_id: int) -> Offering:
    return _get_or_404(
        Offering, offering_id, lambda o: can_view_offering(actor, o), "未找到该开放项目", "offering_not_found"
    )


def managed_offering_or_404(actor: Actor, offering_id: int) -> Offering:
    """An offering the caller may change: its unit's staff (403 for others who may see it)."""
    offering = offering_or_404(actor, offering_id)
    require(staffs_unit(actor, offering.resource_unit_id))
    return offering


def slot_or_404(actor: Actor, slot_id: int) -> Slot:
    return _get_or_404(Slot, slot_id, lambda s: can_view_offering(actor, s.offering), "未找到该场次", "slot_not_found")


def managed_slot_or_404(actor: Actor, slot_id: int) -> Slot:
    """A slot the caller may cancel: its unit's staff (403 for others who may see it)."""
    slot = slot_or_404(actor, slot_id)
    require(staffs_unit(actor, slot.offering.resource_unit_id), "只有场馆工作人员可以取消场次")
    return slot


def booking_or_404(actor: Actor, booking_id: int) -> Booking:
    return _get_or_404(Booking, booking_id, lambda b: can_view_booking(actor, b), "未找到该预约", "booking_not_found")


def managed_booking_or_404(actor: Actor, booking_id: int) -> Booking:
    """A booking the caller may decide on: its unit's staff (403 for the booker)."""
    booking = booking_or_404(actor, booking_id)
    require(staffs_unit(actor, booking.resource_unit_id), "只有场馆工作人员可以处理预约")
    return booking


def taught_class_or_404(actor: Actor, class_id: int) -> SchoolClass:
    """A class the caller teaches (for a group booking)."""
    return _get_or_404(
        SchoolClass, class_id, lambda c: c.id in actor.taught_class_ids, "未找到该班级", "class_not_found"
    )


def closure_or_404(actor: Actor, closure_id: int) -> Closure:
    return _get_or_404(
        Closure, closure_id, lambda c: staffs_unit(actor, c.resource_unit_id), "未找到该闭馆安排", "closure_not_found"
    )


def administers_suspension(actor: Actor, suspension: GreenSuspension) -> bool:
    """The administrators of the alliance whose policy suspended the family (教联体 or 教育局)."""
    alliance = db.session.get(Alliance, suspension.alliance_id) if suspension.alliance_id else None
    return alliance is not None and administers_alliance(actor, alliance)


def suspension_or_404(actor: Actor, suspension_id: int) -> GreenSuspension:
    def can_view(suspension: GreenSuspension) -> bool:
        return suspension.family_id == actor.family_id or administers_suspension(actor, suspension)

    return _get_or_404(GreenSuspension, suspension_id, can_view, "未找到该暂停记录", "suspension_not_found")
