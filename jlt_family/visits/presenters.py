"""What each side sees of a visit: plain dicts for the output schemas.

The family sees the shared summary, never the notes; notes, follow-ups and the home address appear only for
those the permissions allow (the route audit-logs those reads). Every instant is shown in Asia/Shanghai.
"""

import datetime as dt

from jlt_family.core.timeutil import shanghai_today, to_shanghai
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
        "move_request": {
            "starts_at": visit.move_starts_at,
            "ends_at": visit.move_ends_at,
            "reason": visit.move_reason or "",
        }
        if visit.has_move_request
        else None,
        "windows": [
            {"id": w.id, "starts_at": w.starts_at, "ends_at": w.ends_at, "offered_by": w.offered_by}
            for w in visit.windows
        ],
        "staff": [_staff(p) for p in visit.participants],
        "created_at": visit.created_at,
    }


def _history(event):
    on_behalf_of = event.on_behalf_of.nickname if event.on_behalf_of_id is not None else None
    return {
        "action": event.action,
        "side": event.side,
        "actor_name": event.actor.nickname,
        "on_behalf_of_name": on_behalf_of,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "detail": shanghai_times(event.detail),
        "created_at": event.created_at,
    }


def shanghai_times(value):
    """The history detail with every instant (``…_at`` keys, stored as ISO 8601 in UTC) shown in Asia/Shanghai."""
    if isinstance(value, dict):
        return {
            key: _shanghai_text(item) if key.endswith("_at") and isinstance(item, str) else shanghai_times(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [shanghai_times(item) for item in value]
    return value


def _shanghai_text(text):
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return to_shanghai(instant).isoformat() if instant.tzinfo is not None else text


def follow_up_view(follow_up):
    return {
        "id": follow_up.id,
        "description": follow_up.description,
        "due_on": follow_up.due_on,
        "owner": {"id": follow_up.owner_id, "name": follow_up.owner.nickname},
        "done": follow_up.done,
        "done_at": follow_up.done_at,
    }


def my_follow_up_view(follow_up):
    visit = follow_up.record.visit
    return {
        **follow_up_view(follow_up),
        "overdue": not follow_up.done and follow_up.due_on < shanghai_today(),
        "visit_id": visit.id,
        "student": _brief(visit.student),
        "school_class": _brief(visit.school_class),
    }


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
        "follow_ups": [follow_up_view(f) for f in record.follow_ups] if with_notes else [],
    }


def _family_record(record):
    if record is None:
        return None
    return {
        "visited_at": record.visited_at,
        "mode": record.mode,
        "family_summary": record.family_summary,
        "topics": [],
        "attendees": "",
        "notes": None,
        "follow_ups": [],
    }


def feedback_view(feedback):
    if feedback is None:
        return None
    return {
        "visit_id": feedback.visit_id,
        "rating": feedback.rating,
        "comment": feedback.comment,
        "created_at": feedback.created_at,
    }


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
        "open_visit": {
            "id": open_visit.id,
            "state": open_visit.state.value,
            "starts_at": _shanghai(open_visit.starts_at),
        }
        if open_visit is not None
        else None,
    }


def _shanghai(value):
    return to_shanghai(value).isoformat() if value is not None else None


def settings_view(settings):
    return {
        "school_id": settings.school_id,
        "travel_buffer_minutes": settings.travel_buffer_minutes,
        "allowed_start": settings.allowed_start,
        "allowed_end": settings.allowed_end,
    }
