"""What each side sees of a visit: plain dicts for the output schemas.

The family sees the shared summary, never the notes; notes and the home address appear only for those the
permissions allow (the route audit-logs those reads).
"""

from jlt_family.core.timeutil import to_shanghai
from jlt_family.visits.models import Side

FLAGS = ("left_behind", "in_difficulty", "disabled", "migrant")


def _brief(obj):
    return {"id": obj.id, "name": obj.name} if obj is not None else None


def _staff(participant):
    return {"id": participant.user_id, "name": participant.user.nickname}


def visit_view(visit, side):
    return {
        "id": visit.id,
        "state": visit.state,
        "awaiting": visit.awaiting,
        "my_side": side,
        "mode": visit.mode,
        "purpose": visit.purpose,
        "note_to_family": visit.note_to_family,
        "student": _brief(visit.student),
        "school_class": _brief(visit.school_class),
        "school_year": visit.school_year,
        "starts_at": visit.starts_at,
        "ends_at": visit.ends_at,
        "windows": [{"id": w.id, "starts_at": w.starts_at, "ends_at": w.ends_at, "offered_by": w.offered_by}
                    for w in visit.windows],
        "staff": [_staff(p) for p in visit.participants],
        "created_at": visit.created_at,
    }


def _history(event):
    return {"action": event.action, "side": event.side, "actor_name": event.actor.nickname,
            "from_state": event.from_state, "to_state": event.to_state, "reason": event.reason,
            "detail": event.detail, "created_at": event.created_at}


def record_view(record, *, with_notes):
    if record is None:
        return None
    return {
        "visited_at": record.visited_at,
        "mode": record.mode,
        "attendees": record.attendees,
        "topics": record.topics,
        "notes": record.notes if with_notes else None,
        "family_summary": record.family_summary,
        "follow_ups": [{"id": f.id, "description": f.description, "due_on": f.due_on} for f in record.follow_ups],
    }


def _family_record(record):
    if record is None:
        return None
    return {"visited_at": record.visited_at, "mode": record.mode, "family_summary": record.family_summary,
            "topics": [], "attendees": "", "notes": None, "follow_ups": []}


def feedback_view(feedback):
    if feedback is None:
        return None
    return {"visit_id": feedback.visit_id, "rating": feedback.rating, "comment": feedback.comment,
            "created_at": feedback.created_at}


def detail_view(visit, side, *, with_notes, with_address):
    family = visit.student.family
    record = record_view(visit.record, with_notes=with_notes) if side == Side.STAFF else _family_record(visit.record)
    show_address = with_address or side == Side.FAMILY
    return {
        **visit_view(visit, side),
        "history": [_history(event) for event in visit.history],
        "record": record,
        "feedback": feedback_view(visit.feedback),
        "home_address": family.home_address if show_address and family is not None else None,
    }


def coverage_student(student, *, with_flags, open_visit):
    flags = [name for name in FLAGS if getattr(student, name)] if with_flags else None
    return {
        "id": student.id,
        "name": student.name,
        "student_no": student.student_no,
        "school_class": _brief(student.school_class),
        "flags": flags,
        "open_visit": {"id": open_visit.id, "state": open_visit.state.value,
                       "starts_at": _shanghai(open_visit.starts_at)}
        if open_visit is not None else None,
    }


def _shanghai(value):
    return to_shanghai(value).isoformat() if value is not None else None


def settings_view(settings):
    return {"school_id": settings.school_id, "travel_buffer_minutes": settings.travel_buffer_minutes,
            "allowed_start": settings.allowed_start, "allowed_end": settings.allowed_end}
