"""What each caller sees of needs, proposals and matches: the dictionaries the schemas dump.

The school side and the administrators see the whole need with its match, the bookings' status (and their code
once confirmed, for the door) and the draft course. The matched unit's staff see the need and their own bookings
as venue staff see any booking (group, party size, code), nothing of the proposals.
"""

from jlt_family.courses.models import CATEGORY_LABELS, PROVIDER_LABELS
from jlt_family.matching.models import NEED_STATUS_LABELS, TOPIC_LABELS, TOPIC_OFFERING_KINDS, TOPIC_UNIT_KINDS
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS
from jlt_family.venues.models import BOOKING_STATUS_LABELS, OFFERING_KIND_LABELS, BookingStatus
from jlt_family.venues.schemas import VenueUnitBriefSchema

_CODE_SHOWN = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def topic_out(topic):
    return {
        "topic": topic.value,
        "label": TOPIC_LABELS[topic],
        "unit_kinds": [{"kind": k.value, "label": RESOURCE_UNIT_KIND_LABELS[k]} for k in TOPIC_UNIT_KINDS[topic]],
        "offering_kinds": [{"kind": k.value, "label": OFFERING_KIND_LABELS[k]} for k in TOPIC_OFFERING_KINDS[topic]],
    }


def _booking_out(booking, staff_view):
    school_class = booking.school_class
    return {
        "id": booking.id,
        "status": booking.status.value,
        "status_label": BOOKING_STATUS_LABELS[booking.status],
        "slot_id": booking.slot_id,
        "starts_at": booking.slot.starts_at,
        "ends_at": booking.slot.ends_at,
        "offering_title": booking.slot.offering.title,
        "channel": booking.channel.value,
        "group": f"{school_class.school.name} {grade_label(school_class.grade)} {school_class.name}",
        "headcount": booking.headcount,
        "reason": booking.reason,
        "code": booking.code if staff_view or booking.status in _CODE_SHOWN else None,
        "checked_in_count": booking.checked_in_count,
    }


def _course_out(course):
    if course is None:
        return None
    return {
        "id": course.id,
        "title": course.title,
        "is_published": course.is_published,
        "category": course.category.value,
        "category_label": CATEGORY_LABELS[course.category],
    }


def match_out(match, staff_view=False):
    if match is None:
        return None
    return {
        "id": match.id,
        "kind": match.kind.value,
        "label": match.label,
        "unit": VenueUnitBriefSchema().dump(match.resource_unit) if match.resource_unit is not None else None,
        "offering_id": match.offering_id,
        "provider_kind": match.provider_kind.value if match.provider_kind else None,
        "provider_kind_label": PROVIDER_LABELS[match.provider_kind] if match.provider_kind else None,
        "provider_id": match.provider_id,
        "reasons": list(match.reasons or []),
        "limits": list(match.limits or []),
        "accepted_by": match.accepted_by.nickname if match.accepted_by else "",
        "accepted_at": match.accepted_at,
        "bookings": [_booking_out(link.booking, staff_view) for link in match.bookings],
        "course": _course_out(match.course),
        "feedback": (
            {"rating": match.rating, "comment": match.comment, "rated_at": match.rated_at}
            if match.rating is not None
            else None
        ),
    }


def need_out(need, staff_view=False, unit_ids=None):
    """A need with its standing match (or, once closed, the rated one).

    ``unit_ids``: the caller sees the need as staff of these units only: the latest match with one of them (a need
    matched again elsewhere keeps showing them their own, never the other unit's bookings).
    """
    school_class = need.school_class
    if unit_ids is not None:
        standing = next((m for m in reversed(need.matches) if m.resource_unit_id in unit_ids), None)
    else:
        standing = need.match or next((m for m in reversed(need.matches) if m.rating is not None), None)
    return {
        "id": need.id,
        "title": need.title,
        "topic": need.topic.value,
        "topic_label": TOPIC_LABELS[need.topic],
        "course_category": need.course_category.value if need.course_category else None,
        "course_category_label": CATEGORY_LABELS[need.course_category] if need.course_category else None,
        "school": {"id": need.school.id, "name": need.school.name},
        "school_class": (
            {"id": school_class.id, "name": school_class.name, "grade": school_class.grade}
            if school_class is not None
            else None
        ),
        "grade_min": need.grade_min,
        "grade_max": need.grade_max,
        "grades_label": (
            grade_label(need.grade_min)
            if need.grade_min == need.grade_max
            else f"{grade_label(need.grade_min)}至{grade_label(need.grade_max)}"
        ),
        "headcount": need.headcount,
        "starts_on": need.starts_on,
        "ends_on": need.ends_on,
        "period_label": need.period_label,
        "note": need.note,
        "status": need.status.value,
        "status_label": NEED_STATUS_LABELS[need.status],
        "posted_by": need.posted_by.nickname if need.posted_by else "",
        "created_at": need.created_at,
        "match": match_out(standing, staff_view),
    }


def proposal_out(proposal):
    offering = proposal.offering
    return {
        "rank": proposal.rank,
        "kind": proposal.kind,
        "key": proposal.key,
        "label": proposal.label,
        "serves_alliance": proposal.serves_alliance,
        "same_county": proposal.same_county,
        "green_channel": proposal.green,
        "unit": VenueUnitBriefSchema().dump(proposal.unit) if proposal.unit is not None else None,
        "offering": (
            {
                "id": offering.id,
                "title": offering.title,
                "kind": offering.kind.value,
                "kind_label": OFFERING_KIND_LABELS[offering.kind],
                "capacity": offering.capacity,
                "green_quota": offering.green_quota,
                "min_grade": offering.min_grade,
                "max_grade": offering.max_grade,
                "duration_minutes": offering.duration_minutes,
                "price_kind": offering.price_kind.value,
            }
            if offering is not None
            else None
        ),
        "provider": (
            {
                "kind": proposal.provider_kind.value,
                "kind_label": PROVIDER_LABELS[proposal.provider_kind],
                "id": proposal.provider.id,
                "name": proposal.provider.name,
            }
            if proposal.provider_kind is not None
            else None
        ),
        "reasons": proposal.reasons,
        "limits": proposal.limits,
        "open_slots": proposal.open_slots,
        "slots_needed": proposal.slots_needed,
        "slots": proposal.slots,
    }
