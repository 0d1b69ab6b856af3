"""After the visit (家访记录): recording it (scheduled → completed) with its notes and follow-ups, closing a
follow-up, the family's feedback."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.events import cancel_reminders
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.visits.models import (
    FollowUpAction,
    HomeVisit,
    Side,
    VisitAction,
    VisitFeedback,
    VisitMode,
    VisitRecord,
    VisitState,
)
from jlt_family.visits.notices import SUBJECT_TYPE, agreed_time, guardian_user_ids, notify
from jlt_family.visits.service import clear_move_request, not_staff, school_year_at
from jlt_family.visits.transitions import lock_visit, require_state, transition, wrong_state

# A record's visited_at lies at most this far before the agreed window's start or after its end (a visit held a
# few days early or recorded for a late evening is normal; one held a week away from its time should have been
# moved first), and never in the future.
RECORD_MARGIN = dt.timedelta(days=7)


@dataclass(frozen=True)
class RecordEntry:
    """家访记录 as the staff write it down: when and how the visit was held, who took part, what was discussed,
    the notes (sensitive), the summary shared with the family, and the follow-ups (``description``, ``due_on``,
    optional ``owner_id``)."""

    visited_at: dt.datetime
    mode: VisitMode
    attendees: str = ""
    topics: list[str] = field(default_factory=list)
    notes: str = ""
    family_summary: str = ""
    follow_ups: list[Mapping[str, Any]] = field(default_factory=list)


def record_visit(actor: Actor, visit: HomeVisit, *, entry: RecordEntry) -> VisitRecord:
    """记录家访: the visit took place (scheduled → completed), with notes and follow-up actions; the record.

    ``visited_at`` is when it was held: not in the future and within ``RECORD_MARGIN`` of the agreed window; it
    decides the visit's school year. Each follow-up's owner (default: the recorder) is staff of the school, and
    its due date is not before the day of the visit.
    """
    visited_at = entry.visited_at
    if visited_at > utcnow():
        raise RuleViolation("家访时间不能晚于现在", code="visit_in_future")
    visit = lock_visit(visit)
    require_state(visit, VisitAction.COMPLETED)
    _check_visited_at(visit, visited_at)
    items = [(f["description"], f["due_on"], f.get("owner_id") or actor.user_id) for f in entry.follow_ups]
    _check_follow_ups(visit, visited_at, items)
    record = visit.record = VisitRecord(
        visited_at=visited_at,
        mode=entry.mode,
        attendees=entry.attendees,
        topics=entry.topics,
        notes=entry.notes,
        family_summary=entry.family_summary,
        recorded_by_id=actor.user_id,
        follow_ups=[
            FollowUpAction(description=description, due_on=due_on, owner_id=owner_id)
            for description, due_on, owner_id in items
        ],
    )
    visit.school_year = school_year_at(visit.school_id, visited_at)
    clear_move_request(visit)
    transition(visit, VisitAction.COMPLETED, actor, Side.STAFF)
    db.session.flush()
    audit(actor, "write_visit_notes", "home_visit", visit.id, school_id=visit.school_id, student_id=visit.student_id)
    cancel_reminders.send(visit, subject_type=SUBJECT_TYPE, subject_id=visit.id, user_ids=None)
    if entry.family_summary:
        notify(visit, guardian_user_ids(visit), "家访小结", "老师分享了本次家访的小结，欢迎反馈")
    return record


def _check_visited_at(visit: HomeVisit, visited_at: dt.datetime) -> None:
    starts_at, ends_at = visit.agreed
    if starts_at - RECORD_MARGIN <= visited_at <= ends_at + RECORD_MARGIN:
        return
    raise RuleViolation(
        f"实际家访时间应在约定时间（{agreed_time(visit)}）前后 {RECORD_MARGIN.days} 天内；时间变了请先改期",
        code="visited_at_out_of_range",
        errors={"visited_at": [agreed_time(visit)]},
    )


def _check_follow_ups(visit: HomeVisit, visited_at: dt.datetime, items: Sequence[tuple[str, dt.date, int]]) -> None:
    visit_day = visited_at.astimezone(SHANGHAI).date()
    early = [i for i, (_d, due_on, _o) in enumerate(items) if due_on < visit_day]
    if early:
        raise RuleViolation("跟进期限不能早于家访当天", code="follow_up_due_before_visit", errors={"follow_ups": early})
    outsiders = not_staff(visit.school_id, {owner_id for _d, _due, owner_id in items}) if items else []
    if outsiders:
        raise RuleViolation(
            "跟进负责人须为本校教职工", code="follow_up_owner_not_in_school", errors={"follow_ups": outsiders}
        )


def set_follow_up_done(actor: Actor, follow_up: FollowUpAction, *, done: bool) -> FollowUpAction:
    """完成（或重新打开）后续跟进: ``done_at``/``done_by_id`` set to now and the caller, or cleared."""
    if done and follow_up.done_at is None:
        follow_up.done_at, follow_up.done_by_id = utcnow(), actor.user_id
    elif not done:
        follow_up.done_at, follow_up.done_by_id = None, None
    db.session.flush()
    return follow_up


def add_feedback(actor: Actor, visit: HomeVisit, *, rating: int, comment: str) -> VisitFeedback:
    """家长反馈 on a completed visit; one per visit (409 ``feedback_exists``)."""
    if visit.state != VisitState.COMPLETED:
        raise wrong_state(visit)
    feedback = VisitFeedback(visit_id=visit.id, user_id=actor.user_id, rating=rating, comment=comment)
    try:
        with db.session.begin_nested():
            db.session.add(feedback)
            db.session.flush()
    except IntegrityError:
        raise Conflict("该家访已有反馈", code="feedback_exists")
    db.session.refresh(visit)
    return feedback
