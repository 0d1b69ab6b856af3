"""What each caller sees of courses, sessions and enrolments: plain dicts for the output schemas.

Organisers see the guardians of a session by name with masked phones; feedback reaches them without names.
"""

from jlt_family.core.masking import mask_phone
from jlt_family.courses.models import ACTIVITY_LABELS, CATEGORY_LABELS, FORMAT_LABELS, PROVIDER_LABELS


def provider_view(course):
    provider = course.provider
    return {
        "kind": course.provider_kind.value,
        "kind_label": PROVIDER_LABELS[course.provider_kind],
        "id": provider.id,
        "name": provider.name,
    }


def session_brief(session):
    if session is None:
        return None
    return {
        "id": session.id,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "place": session.place,
        "online_url": session.online_url,
        "capacity": session.capacity,
        "taken": session.taken,
        "places_left": session.places_left,
        "waitlisted": session.waitlisted,
        "learning_hours": float(session.learning_hours),
        "status": session.status.value,
    }


def my_enrolment_view(enrolment):
    if enrolment is None:
        return None
    return {"id": enrolment.id, "session_id": enrolment.session_id, "status": enrolment.status.value}


def course_brief(course):
    return {
        "id": course.id,
        "title": course.title,
        "category": course.category.value,
        "activity_kind": course.activity_kind.value,
        "format": course.format.value,
        "provider": provider_view(course),
    }


def course_item(course, next_session=None, mine=None):
    return {
        **course_brief(course),
        "category_label": CATEGORY_LABELS[course.category],
        "activity_label": ACTIVITY_LABELS[course.activity_kind],
        "format_label": FORMAT_LABELS[course.format],
        "speaker": course.speaker,
        "grade_min": course.grade_min,
        "grade_max": course.grade_max,
        "is_published": course.is_published,
        "next_session": session_brief(next_session),
        "my_enrolment": my_enrolment_view(mine),
    }


def course_view(course, next_session, mine, can_manage):
    return {
        **course_item(course, next_session, mine),
        "description": course.description,
        "published_at": course.published_at,
        "created_at": course.created_at,
        "can_manage": can_manage,
    }


def session_view(session, mine=None, can_manage=False):
    return {
        **session_brief(session),
        "course": course_brief(session.course),
        "enrol_opens_at": session.enrol_opens_at,
        "enrol_closes_at": session.enrolment_closes,
        "cancel_until": session.cancel_until,
        "cancel_reason": session.cancel_reason,
        "backfilled": session.backfilled,
        "my_enrolment": my_enrolment_view(mine),
        "can_manage": can_manage,
    }


def enrolment_view(enrolment, rank=None):
    return {
        "id": enrolment.id,
        "status": enrolment.status.value,
        "waitlist_position": enrolment.waitlist_position,
        "waitlist_rank": rank,
        "session": session_view(enrolment.session, enrolment),
        "created_at": enrolment.created_at,
        "promoted_at": enrolment.promoted_at,
        "cancelled_at": enrolment.cancelled_at,
        "checked_in_at": enrolment.checked_in_at,
    }


def my_enrolment_item(enrolment):
    return {
        "id": enrolment.id,
        "status": enrolment.status.value,
        "waitlist_position": enrolment.waitlist_position,
        "session": session_brief(enrolment.session),
        "course": course_brief(enrolment.session.course),
        "created_at": enrolment.created_at,
        "checked_in_at": enrolment.checked_in_at,
    }


def roster_item(enrolment):
    guardian = enrolment.guardian
    user = guardian.user  # None once the guardian left the family: the pseudonymised name only
    return {
        "id": enrolment.id,
        "guardian_name": guardian.name or user.nickname,
        "phone": mask_phone(user.phone) if user else None,
        "status": enrolment.status.value,
        "waitlist_position": enrolment.waitlist_position,
        "created_at": enrolment.created_at,
        "checked_in_at": enrolment.checked_in_at,
    }


def feedback_item(row):
    feedback, starts_at = row
    return {
        "id": feedback.id,
        "session_id": feedback.session_id,
        "session_starts_at": starts_at,
        "rating": feedback.rating,
        "comment": feedback.comment,
        "created_at": feedback.created_at,
    }
