"""What a caller sees of offerings, slots and bookings: the dictionaries the schemas dump.

Venue staff see a booking's masked names (张*明), party size and code, nothing more.
"""

from jlt_family.core.masking import mask_name
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS
from jlt_family.venues.models import BOOKING_STATUS_LABELS, OFFERING_KIND_LABELS, BookingStatus, SlotStatus

_CODE_SHOWN = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def unit_brief(unit):
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind.value,
        "kind_label": RESOURCE_UNIT_KIND_LABELS[unit.kind],
        "address": unit.address,
    }


def rule_out(rule):
    return {
        "weekday": rule.weekday,
        "start_time": rule.start_time,
        "valid_from": rule.valid_from,
        "valid_until": rule.valid_until,
    }


_OFFERING_FIELDS = (
    "id",
    "title",
    "description",
    "min_grade",
    "max_grade",
    "min_age",
    "max_age",
    "duration_minutes",
    "capacity",
    "green_quota",
    "price_cents",
    "student_price_cents",
    "booking_opens_days",
    "booking_closes_minutes",
    "cancel_closes_minutes",
    "needs_confirmation",
    "green_auto_confirm",
    "green_release_minutes",
    "max_party",
    "is_active",
)


def offering_out(offering, green_alliances=frozenset()):
    """``green_alliances``: the alliances that make the caller's family green-eligible."""
    unit_alliances = {m.alliance_id for m in offering.resource_unit.memberships}
    return {
        **{name: getattr(offering, name) for name in _OFFERING_FIELDS},
        "unit": unit_brief(offering.resource_unit),
        "kind": offering.kind.value,
        "kind_label": OFFERING_KIND_LABELS[offering.kind],
        "price_kind": offering.price_kind.value,
        "rules": [rule_out(rule) for rule in offering.rules],
        "green_eligible": bool(unit_alliances & set(green_alliances)),
    }


def slot_out(slot, green_eligible, now=None):
    from jlt_family.core.errors import RuleViolation
    from jlt_family.venues.service import check_bookable

    try:
        check_bookable(slot, now or utcnow())
        bookable = True
    except RuleViolation:
        bookable = False
    return {
        "id": slot.id,
        "offering_id": slot.offering_id,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "status": slot.status.value,
        "capacity": slot.capacity,
        "green_left": max(slot.green_left, 0),
        "general_left": max(slot.general_left, 0),
        "green_released": slot.green_released_at is not None,
        "green_eligible": green_eligible and slot.status == SlotStatus.OPEN,
        "bookable": bookable,
    }


def _slot_brief(slot):
    offering = slot.offering
    return {
        "id": slot.id,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "offering_id": offering.id,
        "offering_title": offering.title,
        "unit": unit_brief(offering.resource_unit),
    }


def booking_out(booking):
    """The booker's view (the family's guardians or the booking teacher)."""
    shows_code = booking.status in _CODE_SHOWN
    return {
        "id": booking.id,
        "kind": booking.kind.value,
        "channel": booking.channel.value,
        "status": booking.status.value,
        "status_label": BOOKING_STATUS_LABELS[booking.status],
        "slot": _slot_brief(booking.slot),
        "children": [{"id": c.student.id, "name": c.student.name} for c in booking.children],
        "class_id": booking.class_id,
        "adults": booking.adults,
        "headcount": booking.headcount,
        "is_free": booking.is_free,
        "code": booking.code if shows_code else None,
        "qr_payload": booking.qr_payload if shows_code else None,
        "reason": booking.reason,
        "expires_at": booking.expires_at,
        "checked_in_count": booking.checked_in_count,
        "checked_in_at": booking.checked_in_at,
        "created_at": booking.created_at,
    }


def staff_booking_out(booking):
    """Venue staff's view: masked names, party size and code only."""
    group = None
    if booking.school_class is not None:
        school_class = booking.school_class
        group = f"{school_class.school.name} {grade_label(school_class.grade)} {school_class.name}"
    names = [mask_name(c.student.name) for c in booking.children]
    if booking.contact_name:
        names.append(mask_name(booking.contact_name))
    return {
        "id": booking.id,
        "slot_id": booking.slot_id,
        "starts_at": booking.slot.starts_at,
        "offering_title": booking.slot.offering.title,
        "kind": booking.kind.value,
        "channel": booking.channel.value,
        "status": booking.status.value,
        "status_label": BOOKING_STATUS_LABELS[booking.status],
        "names": names,
        "group": group,
        "headcount": booking.headcount,
        "code": booking.code,
        "checked_in_count": booking.checked_in_count,
    }


def suspension_out(suspension, now=None):
    return {
        "id": suspension.id,
        "family_id": suspension.family_id,
        "alliance_id": suspension.alliance_id,
        "starts_at": suspension.starts_at,
        "ends_at": suspension.ends_at,
        "no_show_count": suspension.no_show_count,
        "reason": suspension.reason,
        "lifted_at": suspension.lifted_at,
        "in_force": suspension.is_in_force(now),
    }


def policy_out(policy):
    return {
        name: getattr(policy, name)
        for name in ("alliance_id", "max_active_bookings", "no_show_limit", "no_show_window_days", "suspension_days")
    }
