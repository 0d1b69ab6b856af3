"""Rules of home visits: proposing, agreeing on a time, cancelling and moving (a family's move is a counter-proposal
the staff answer), recording, follow-ups, family feedback.

Services never commit and never read the request. Every change of state is a model change plus a history row
(``VisitEvent``), made on the visit row read again with a locking read (so two answers to one proposal decide
once), and announced through the reminder contract of ``core.events`` after the flush.
"""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from jlt_family.core.events import cancel_reminders, schedule_reminders, send_notice
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.families.models import Guardian
from jlt_family.organizations.calendar import school_year_for
from jlt_family.organizations.models import School, StaffMembership, StaffRole
from jlt_family.organizations.students import Student
from jlt_family.visits import permissions, scheduling
from jlt_family.visits.models import (
    MODE_LABELS,
    FollowUpAction,
    HomeVisit,
    Side,
    VisitAction,
    VisitEvent,
    VisitFeedback,
    VisitParticipant,
    VisitRecord,
    VisitState,
    VisitWindow,
)

SUBJECT_TYPE = "home_visit"
REMINDER_KIND = "home_visit"  # reminders before a scheduled visit
NOTICE_KIND = "home_visit_update"  # notices of a change (proposed, accepted, moved, cancelled, summary shared)
MAX_STAFF = 5
# A record's visited_at lies at most this far before the agreed window's start or after its end (a visit held a
# few days early or recorded for a late evening is normal; one held a week away from its time should have been
# moved first), and never in the future.
RECORD_MARGIN = dt.timedelta(days=7)


class StudentNotFound(NotFound):
    code = "student_not_found"
    message = "未找到该学生"


class WrongState(Conflict):
    code = "visit_state_conflict"
    message = "家访当前状态不允许此操作"


def _wrong_state(visit):
    labels = {
        VisitState.PROPOSED: "待确认",
        VisitState.SCHEDULED: "已确认",
        VisitState.COMPLETED: "已完成",
        VisitState.CANCELLED: "已取消",
        VisitState.DECLINED: "已婉拒",
    }
    return WrongState(f"该家访{labels[visit.state]}，不能执行此操作")


# ---- proposing ------------------------------------------------------------------------------------------------


def student_for_proposal(actor, student_id):
    """The student the caller may propose a visit for: 404 when out of scope, 403 for the child's guardians."""
    from jlt_family.families.permissions import is_guardian_of

    student = db.session.get(Student, student_id)
    if student is None:
        raise StudentNotFound()
    if permissions.may_propose_for(actor, student):
        return student
    if is_guardian_of(actor, student):
        raise PermissionDenied("家访由老师发起", code="staff_only")
    raise StudentNotFound()


def _not_staff(school_id, user_ids):
    """Those of ``user_ids`` who are not (or no longer) a teacher or a leader of the school, sorted."""
    found = set(
        db.session.scalars(
            sa.select(StaffMembership.user_id).where(
                StaffMembership.user_id.in_(list(user_ids)),
                StaffMembership.school_id == school_id,
                StaffMembership.role.in_((StaffRole.TEACHER, StaffRole.SCHOOL_ADMIN)),
                StaffMembership.revoked_at.is_(None),
            )
        )
    )
    return sorted(set(user_ids) - found)


def _check_staff(school_id, staff_ids):
    """Every participant must be a teacher or a leader of the visit's school."""
    if len(staff_ids) > MAX_STAFF:
        raise RuleViolation(f"参与教师最多 {MAX_STAFF} 人", code="too_many_staff")
    missing = _not_staff(school_id, staff_ids)
    if missing:
        raise RuleViolation("参与教师须为本校教职工", code="staff_not_in_school", errors={"staff_ids": missing})


def propose_visit(actor, student, *, mode, purpose, note_to_family, windows, staff_ids):
    """发起家访: the proposer and the named staff of the school offer 1–3 windows to the family."""
    staff = list(dict.fromkeys([actor.user_id, *staff_ids]))
    _check_staff(student.school_id, staff)
    settings = scheduling.settings_for(student.school_id)
    spans = [(w["starts_at"], w["ends_at"]) for w in windows]
    scheduling.validate_windows(spans, settings)
    for starts_at, ends_at in spans:
        scheduling.ensure_staff_free(staff, starts_at, ends_at, mode, settings)
    visit = HomeVisit(
        student=student,
        school_id=student.school_id,
        class_id=student.class_id,
        school_year=school_year_at(student.school_id, min(s for s, _e in spans)),
        mode=mode,
        purpose=purpose,
        note_to_family=note_to_family,
        state=VisitState.PROPOSED,
        awaiting=Side.FAMILY,
        proposed_by_id=actor.user_id,
        windows=[VisitWindow(starts_at=s, ends_at=e, offered_by=Side.STAFF) for s, e in spans],
        participants=[VisitParticipant(user_id=user_id) for user_id in staff],
    )
    db.session.add(visit)
    _log(visit, actor, Side.STAFF, VisitAction.PROPOSED, None, detail={"windows": _spans_detail(spans)})
    db.session.flush()
    _notify(visit, _guardian_user_ids(visit), "家访邀请", f"老师邀请您确认{MODE_LABELS[visit.mode]}家访的时间")
    return visit


# ---- answering a proposal -------------------------------------------------------------------------------------


def accept_window(actor, visit, side, window_id):
    """接受时段: the family takes one of the staff's windows, or the staff take the family's suggestion."""
    _require_awaiting(visit, side)
    visit = _lock_for_scheduling(visit)
    db.session.expire(visit, ["windows"])
    _require_awaiting(visit, side)
    window = next((w for w in visit.windows if w.id == window_id), None)
    if window is None or window.offered_by == side:
        raise NotFound("未找到该可选时段", code="window_not_found")
    settings = scheduling.settings_for(visit.school_id)
    starts_at, ends_at = window.starts_at, window.ends_at
    scheduling.validate_window(starts_at, ends_at, settings)
    scheduling.ensure_staff_free(visit.staff_ids, starts_at, ends_at, visit.mode, settings, exclude_visit_id=visit.id)
    visit.state, visit.awaiting = VisitState.SCHEDULED, None
    _set_time(visit, starts_at, ends_at)
    _log(visit, actor, side, VisitAction.ACCEPTED, VisitState.PROPOSED, detail={"window": _span(starts_at, ends_at)})
    db.session.flush()
    _schedule_reminders(visit)
    _notify(visit, _other_side(visit, side), "家访已确认", f"家访时间已确认：{_when(visit)}")
    return visit


def suggest_time(actor, visit, *, starts_at, ends_at, note):
    """另提时间: the family suggests one window of their own; the staff answer next."""
    _require_awaiting(visit, Side.FAMILY)
    scheduling.validate_window(starts_at, ends_at, scheduling.settings_for(visit.school_id))
    visit = lock_visit(visit)
    _require_awaiting(visit, Side.FAMILY)
    _replace_windows(visit, [(starts_at, ends_at)], Side.FAMILY)
    visit.awaiting = Side.STAFF
    _log(
        visit,
        actor,
        Side.FAMILY,
        VisitAction.SUGGESTED,
        VisitState.PROPOSED,
        reason=note,
        detail={"windows": _spans_detail([(starts_at, ends_at)])},
    )
    db.session.flush()
    _notify(visit, visit.staff_ids, "家长另提家访时间", f"家长建议的时间：{_span_text(starts_at, ends_at)}")
    return visit


def repropose(actor, visit, *, windows, note):
    """给出新时段: the staff answer (or revise their offer) with 1–3 new windows; the family answers next."""
    spans = [(w["starts_at"], w["ends_at"]) for w in windows]
    settings = scheduling.settings_for(visit.school_id)
    scheduling.validate_windows(spans, settings)
    visit = lock_visit(visit)
    if visit.state != VisitState.PROPOSED:
        raise _wrong_state(visit)
    for starts_at, ends_at in spans:
        scheduling.ensure_staff_free(visit.staff_ids, starts_at, ends_at, visit.mode, settings)
    _replace_windows(visit, spans, Side.STAFF)
    visit.awaiting = Side.FAMILY
    visit.school_year = school_year_at(visit.school_id, min(s for s, _e in spans))
    _log(
        visit,
        actor,
        Side.STAFF,
        VisitAction.REPROPOSED,
        VisitState.PROPOSED,
        reason=note,
        detail={"windows": _spans_detail(spans)},
    )
    db.session.flush()
    _notify(visit, _guardian_user_ids(visit), "家访新时段", "老师给出了新的家访时间，请选择")
    return visit


def decline(actor, visit, reason):
    """婉拒家访 (the family), with a reason the staff see."""
    visit = lock_visit(visit)
    if visit.state != VisitState.PROPOSED:
        raise _wrong_state(visit)
    visit.state, visit.awaiting = VisitState.DECLINED, None
    _log(visit, actor, Side.FAMILY, VisitAction.DECLINED, VisitState.PROPOSED, reason=reason)
    db.session.flush()
    _notify(visit, visit.staff_ids, "家长婉拒家访", f"原因：{reason}")
    return visit


# ---- cancelling and moving ------------------------------------------------------------------------------------


def cancel(actor, visit, side, reason):
    """取消家访 (either side, while proposed or scheduled), with a reason."""
    visit = lock_visit(visit)
    if not visit.is_open:
        raise _wrong_state(visit)
    was = visit.state
    visit.state, visit.awaiting = VisitState.CANCELLED, None
    _clear_move_request(visit)
    _log(visit, actor, side, VisitAction.CANCELLED, was, reason=reason)
    db.session.flush()
    if was == VisitState.SCHEDULED:
        cancel_reminders.send(visit, subject_type=SUBJECT_TYPE, subject_id=visit.id, user_ids=None)
    _notify(visit, _other_side(visit, side), "家访已取消", f"原因：{reason}")
    return visit


def move(actor, visit, side, *, starts_at, ends_at, reason):
    """改期 by the staff: a scheduled visit moves to a new time at once (checked like an acceptance), with a
    reason; a family's pending counter-proposal ends with it."""
    settings = scheduling.settings_for(visit.school_id)
    scheduling.validate_window(starts_at, ends_at, settings)
    visit = _lock_for_scheduling(visit)
    if visit.state != VisitState.SCHEDULED:
        raise _wrong_state(visit)
    scheduling.ensure_staff_free(visit.staff_ids, starts_at, ends_at, visit.mode, settings, exclude_visit_id=visit.id)
    before = _span(visit.starts_at, visit.ends_at)
    _set_time(visit, starts_at, ends_at)
    _clear_move_request(visit)
    _log(
        visit,
        actor,
        side,
        VisitAction.MOVED,
        VisitState.SCHEDULED,
        reason=reason,
        detail={"from": before, "to": _span(starts_at, ends_at)},
    )
    db.session.flush()
    _move_reminders(visit)
    _notify(visit, _other_side(visit, side), "家访改期", f"新时间：{_when(visit)}；原因：{reason}")
    return visit


def request_move(actor, visit, *, starts_at, ends_at, reason):
    """申请改期: the family asks to move a scheduled visit (a counter-proposal, replacing an earlier one). The
    visit keeps its time and its reminders until the staff accept; the staff's calendar is checked then."""
    scheduling.validate_window(starts_at, ends_at, scheduling.settings_for(visit.school_id))
    visit = lock_visit(visit)
    if visit.state != VisitState.SCHEDULED:
        raise _wrong_state(visit)
    visit.move_starts_at, visit.move_ends_at, visit.move_reason = starts_at, ends_at, reason
    visit.awaiting = Side.STAFF
    _log(
        visit,
        actor,
        Side.FAMILY,
        VisitAction.MOVE_REQUESTED,
        VisitState.SCHEDULED,
        reason=reason,
        detail={"from": _span(visit.starts_at, visit.ends_at), "to": _span(starts_at, ends_at)},
    )
    db.session.flush()
    _notify(
        visit, visit.staff_ids, "家长申请家访改期", f"家长希望改到：{_span_text(starts_at, ends_at)}；原因：{reason}"
    )
    return visit


def accept_move(actor, visit):
    """同意改期: the staff take the family's counter-proposal; the visit moves under the same clash rule as an
    acceptance (staff rows locked first), its reminders with it. 409 ``staff_busy`` leaves the request open."""
    visit = _lock_for_scheduling(visit)
    _require_move_request(visit)
    starts_at, ends_at = visit.move_starts_at, visit.move_ends_at
    settings = scheduling.settings_for(visit.school_id)
    scheduling.validate_window(starts_at, ends_at, settings)
    scheduling.ensure_staff_free(visit.staff_ids, starts_at, ends_at, visit.mode, settings, exclude_visit_id=visit.id)
    before = _span(visit.starts_at, visit.ends_at)
    _set_time(visit, starts_at, ends_at)
    _clear_move_request(visit)
    _log(
        visit,
        actor,
        Side.STAFF,
        VisitAction.MOVE_ACCEPTED,
        VisitState.SCHEDULED,
        detail={"from": before, "to": _span(starts_at, ends_at)},
    )
    db.session.flush()
    _move_reminders(visit)
    _notify(visit, _guardian_user_ids(visit), "家访改期", f"老师同意改期，新时间：{_when(visit)}")
    return visit


def decline_move(actor, visit, reason):
    """不同意改期: the staff decline the family's counter-proposal, with a reason; the visit keeps its time."""
    visit = lock_visit(visit)
    _require_move_request(visit)
    asked = _span(visit.move_starts_at, visit.move_ends_at)
    _clear_move_request(visit)
    _log(
        visit,
        actor,
        Side.STAFF,
        VisitAction.MOVE_DECLINED,
        VisitState.SCHEDULED,
        reason=reason,
        detail={"requested": asked},
    )
    db.session.flush()
    _notify(visit, _guardian_user_ids(visit), "家访改期未获同意", f"原因：{reason}；家访时间不变：{_when(visit)}")
    return visit


# ---- after the visit ------------------------------------------------------------------------------------------


def record_visit(actor, visit, *, visited_at, mode, attendees, topics, notes, family_summary, follow_ups):
    """记录家访: the visit took place (scheduled → completed), with notes and follow-up actions.

    ``visited_at`` is when it was held: not in the future and within ``RECORD_MARGIN`` of the agreed window; it
    decides the visit's school year. Each follow-up's owner (default: the recorder) is staff of the school, and
    its due date is not before the day of the visit.
    """
    if visited_at > utcnow():
        raise RuleViolation("家访时间不能晚于现在", code="visit_in_future")
    visit = lock_visit(visit)
    if visit.state != VisitState.SCHEDULED:
        raise _wrong_state(visit)
    _check_visited_at(visit, visited_at)
    items = [(f["description"], f["due_on"], f.get("owner_id") or actor.user_id) for f in follow_ups]
    _check_follow_ups(visit, visited_at, items)
    visit.record = VisitRecord(
        visited_at=visited_at,
        mode=mode,
        attendees=attendees,
        topics=topics,
        notes=notes,
        family_summary=family_summary,
        recorded_by_id=actor.user_id,
        follow_ups=[
            FollowUpAction(description=description, due_on=due_on, owner_id=owner_id)
            for description, due_on, owner_id in items
        ],
    )
    visit.state = VisitState.COMPLETED
    visit.school_year = school_year_at(visit.school_id, visited_at)
    _clear_move_request(visit)
    _log(visit, actor, Side.STAFF, VisitAction.COMPLETED, VisitState.SCHEDULED)
    db.session.flush()
    audit(actor, "write_visit_notes", "home_visit", visit.id, school_id=visit.school_id, student_id=visit.student_id)
    cancel_reminders.send(visit, subject_type=SUBJECT_TYPE, subject_id=visit.id, user_ids=None)
    if family_summary:
        _notify(visit, _guardian_user_ids(visit), "家访小结", "老师分享了本次家访的小结，欢迎反馈")
    return visit


def _check_visited_at(visit, visited_at):
    if visit.starts_at - RECORD_MARGIN <= visited_at <= visit.ends_at + RECORD_MARGIN:
        return
    raise RuleViolation(
        f"实际家访时间应在约定时间（{_when(visit)}）前后 {RECORD_MARGIN.days} 天内；时间变了请先改期",
        code="visited_at_out_of_range",
        errors={"visited_at": [_when(visit)]},
    )


def _check_follow_ups(visit, visited_at, items):
    visit_day = visited_at.astimezone(SHANGHAI).date()
    early = [i for i, (_d, due_on, _o) in enumerate(items) if due_on < visit_day]
    if early:
        raise RuleViolation("跟进期限不能早于家访当天", code="follow_up_due_before_visit", errors={"follow_ups": early})
    outsiders = _not_staff(visit.school_id, {owner_id for _d, _due, owner_id in items}) if items else []
    if outsiders:
        raise RuleViolation(
            "跟进负责人须为本校教职工", code="follow_up_owner_not_in_school", errors={"follow_ups": outsiders}
        )


def set_follow_up_done(actor, follow_up, *, done):
    """完成（或重新打开）后续跟进: ``done_at``/``done_by_id`` set to now and the caller, or cleared."""
    if done and follow_up.done_at is None:
        follow_up.done_at, follow_up.done_by_id = utcnow(), actor.user_id
    elif not done:
        follow_up.done_at, follow_up.done_by_id = None, None
    db.session.flush()
    return follow_up


def add_feedback(actor, visit, *, rating, comment):
    """家长反馈 on a completed visit; one per visit (409 ``feedback_exists``)."""
    if visit.state != VisitState.COMPLETED:
        raise _wrong_state(visit)
    feedback = VisitFeedback(visit_id=visit.id, user_id=actor.user_id, rating=rating, comment=comment)
    try:
        with db.session.begin_nested():
            db.session.add(feedback)
            db.session.flush()
    except IntegrityError:
        raise Conflict("该家访已有反馈", code="feedback_exists")
    db.session.refresh(visit)
    return feedback


# ---- helpers --------------------------------------------------------------------------------------------------


def lock_visit(visit):
    """The visit row again, locked and fresh (the latest committed state, whatever the snapshot)."""
    return db.session.scalars(
        sa.select(HomeVisit).where(HomeVisit.id == visit.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def _lock_for_scheduling(visit):
    """Lock the staff first (fixed order: users by id), then the visit."""
    scheduling.lock_staff(visit.staff_ids)
    return lock_visit(visit)


def school_year_at(school_id, when):
    """The school year (its start year) that instant ``when`` falls in, in the calendar of the school's region."""
    region = db.session.get(School, school_id).region
    return school_year_for(when.astimezone(SHANGHAI).date(), region).start_year


def _set_time(visit, starts_at, ends_at):
    """The agreed time, and the school year it falls in."""
    visit.starts_at, visit.ends_at = starts_at, ends_at
    visit.school_year = school_year_at(visit.school_id, starts_at)


def _clear_move_request(visit):
    if visit.has_move_request:
        visit.move_starts_at = visit.move_ends_at = visit.move_reason = None
        if visit.state == VisitState.SCHEDULED:
            visit.awaiting = None


def _require_move_request(visit):
    if visit.state != VisitState.SCHEDULED:
        raise _wrong_state(visit)
    if not visit.has_move_request:
        raise Conflict("没有待答复的改期申请", code="no_move_request")


def _move_reminders(visit):
    cancel_reminders.send(visit, subject_type=SUBJECT_TYPE, subject_id=visit.id, user_ids=None)
    _schedule_reminders(visit)


def _require_awaiting(visit, side):
    if visit.state != VisitState.PROPOSED:
        raise _wrong_state(visit)
    if visit.awaiting != side:
        raise Conflict("正在等待对方答复", code="awaiting_other_side")


def _replace_windows(visit, spans, side):
    visit.windows.clear()
    db.session.flush()
    visit.windows.extend(VisitWindow(starts_at=s, ends_at=e, offered_by=side) for s, e in spans)


def _log(visit, actor, side, action, from_state, *, reason="", detail=None):
    """A history row; a 班主任 acting on a visit that does not name them is written as acting for its proposer."""
    on_behalf_of = permissions.acting_for(actor, visit) if side == Side.STAFF else None
    visit.history.append(
        VisitEvent(
            actor_user_id=actor.user_id,
            on_behalf_of_id=on_behalf_of,
            side=side,
            action=action,
            from_state=from_state,
            to_state=visit.state,
            reason=reason,
            detail=detail or {},
        )
    )


def _guardian_user_ids(visit):
    if visit.student.family_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Guardian.user_id).where(Guardian.family_id == visit.student.family_id).order_by(Guardian.id)
        )
    )


def _other_side(visit, side):
    return _guardian_user_ids(visit) if side == Side.STAFF else visit.staff_ids


def _page(visit):
    return f"pages/visit/detail?id={visit.id}"


def _title(visit):
    return f"{MODE_LABELS[visit.mode]}家访：{visit.student.name}"


def _schedule_reminders(visit):
    schedule_reminders.send(
        visit,
        kind=REMINDER_KIND,
        subject_type=SUBJECT_TYPE,
        subject_id=visit.id,
        user_ids=_guardian_user_ids(visit) + visit.staff_ids,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        title=_title(visit),
        place=MODE_LABELS[visit.mode],
        page=_page(visit),
        school_id=visit.school_id,
    )


def _notify(visit, user_ids, title, body):
    if user_ids:
        send_notice.send(
            visit,
            kind=NOTICE_KIND,
            subject_type=SUBJECT_TYPE,
            subject_id=visit.id,
            user_ids=list(user_ids),
            title=title,
            body=body,
            page=_page(visit),
            school_id=visit.school_id,
        )


def _span(starts_at, ends_at):
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def _spans_detail(spans):
    return [_span(s, e) for s, e in spans]


def _span_text(starts_at, ends_at):
    start, end = starts_at.astimezone(SHANGHAI), ends_at.astimezone(SHANGHAI)
    return f"{start:%m月%d日 %H:%M}–{end:%H:%M}"


def _when(visit):
    return _span_text(visit.starts_at, visit.ends_at)
