"""Rules of home visits: proposing, agreeing on a time, cancelling and moving (a family's move is a counter-proposal
the staff answer). Recording, follow-ups and feedback are ``records``; the state table's one transition is
``transitions``; what each side is told is ``notices``.

Services never commit and never read the request. Every change of a visit goes through ``transition``: the
action must be allowed from the visit's state by the one table of its life cycle (``models.VISIT_TRANSITIONS``),
and it writes the history row (``VisitEvent``: who, for whom, from, to, why). It is made on the visit row read
again with a locking read (so two answers to one proposal decide once), and announced through the reminder
contract of ``core.events`` after the flush.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from jlt_family.core.events import cancel_reminders
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.families.permissions import is_guardian_of
from jlt_family.organizations.calendar import school_year_for
from jlt_family.organizations.models import School, StaffMembership, StaffRole
from jlt_family.organizations.students import Student
from jlt_family.visits import permissions, scheduling
from jlt_family.visits.models import (
    MODE_LABELS,
    HomeVisit,
    MoveRequest,
    Side,
    VisitAction,
    VisitMode,
    VisitParticipant,
    VisitPurpose,
    VisitState,
    VisitWindow,
)
from jlt_family.visits.notices import (
    SUBJECT_TYPE,
    agreed_time,
    guardian_user_ids,
    move_reminders,
    notify,
    other_side,
    schedule_visit_reminders,
    span_detail,
    span_text,
    spans_detail,
)
from jlt_family.visits.transitions import lock_visit, require_state, transition

MAX_STAFF = 5


class StudentNotFound(NotFound):
    code = "student_not_found"
    message = "未找到该学生"


Window = Mapping[str, dt.datetime]  # {"starts_at", "ends_at"}, aware instants


# ---- proposing ------------------------------------------------------------------------------------------------


def student_for_proposal(actor: Actor, student_id: int) -> Student:
    """The student the caller may propose a visit for: 404 when out of scope, 403 for the child's guardians."""
    student = db.session.get(Student, student_id)
    if student is None:
        raise StudentNotFound()
    if permissions.may_propose_for(actor, student):
        return student
    if is_guardian_of(actor, student):
        raise PermissionDenied("家访由老师发起", code="staff_only")
    raise StudentNotFound()


def not_staff(school_id: int, user_ids: Iterable[int]) -> list[int]:
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


def _check_staff(school_id: int, staff_ids: Sequence[int]) -> None:
    """Every participant must be a teacher or a leader of the visit's school."""
    if len(staff_ids) > MAX_STAFF:
        raise RuleViolation(f"参与教师最多 {MAX_STAFF} 人", code="too_many_staff")
    missing = not_staff(school_id, staff_ids)
    if missing:
        raise RuleViolation("参与教师须为本校教职工", code="staff_not_in_school", errors={"staff_ids": missing})


def propose_visit(
    actor: Actor,
    student: Student,
    *,
    mode: VisitMode,
    purpose: VisitPurpose,
    note_to_family: str,
    windows: Sequence[Window],
    staff_ids: Sequence[int],
) -> HomeVisit:
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
        awaiting=Side.FAMILY,
        proposed_by_id=actor.user_id,
        windows=[VisitWindow(starts_at=s, ends_at=e, offered_by=Side.STAFF) for s, e in spans],
        participants=[VisitParticipant(user_id=user_id) for user_id in staff],
    )
    db.session.add(visit)
    transition(visit, VisitAction.PROPOSED, actor, Side.STAFF, detail={"windows": spans_detail(spans)})
    db.session.flush()
    notify(visit, guardian_user_ids(visit), "家访邀请", f"老师邀请您确认{MODE_LABELS[visit.mode]}家访的时间")
    return visit


# ---- answering a proposal -------------------------------------------------------------------------------------


def accept_window(actor: Actor, visit: HomeVisit, side: Side, *, window_id: int) -> HomeVisit:
    """接受时段: the family takes one of the staff's windows, or the staff take the family's suggestion."""
    _require_awaiting(visit, VisitAction.ACCEPTED, side)
    visit = _lock_for_scheduling(visit)
    db.session.expire(visit, ["windows"])
    _require_awaiting(visit, VisitAction.ACCEPTED, side)
    window = next((w for w in visit.windows if w.id == window_id), None)
    if window is None or window.offered_by == side:
        raise NotFound("未找到该可选时段", code="window_not_found")
    settings = scheduling.settings_for(visit.school_id)
    starts_at, ends_at = window.starts_at, window.ends_at
    scheduling.validate_window(starts_at, ends_at, settings)
    scheduling.ensure_staff_free(visit.staff_ids, starts_at, ends_at, visit.mode, settings, exclude_visit_id=visit.id)
    visit.awaiting = None
    _set_time(visit, starts_at, ends_at)
    transition(visit, VisitAction.ACCEPTED, actor, side, detail={"window": span_detail(starts_at, ends_at)})
    db.session.flush()
    schedule_visit_reminders(visit)
    notify(visit, other_side(visit, side), "家访已确认", f"家访时间已确认：{agreed_time(visit)}")
    return visit


def suggest_time(
    actor: Actor, visit: HomeVisit, *, starts_at: dt.datetime, ends_at: dt.datetime, note: str
) -> HomeVisit:
    """另提时间: the family suggests one window of their own; the staff answer next."""
    _require_awaiting(visit, VisitAction.SUGGESTED, Side.FAMILY)
    scheduling.validate_window(starts_at, ends_at, scheduling.settings_for(visit.school_id))
    visit = lock_visit(visit)
    _require_awaiting(visit, VisitAction.SUGGESTED, Side.FAMILY)
    _replace_windows(visit, [(starts_at, ends_at)], Side.FAMILY)
    visit.awaiting = Side.STAFF
    transition(
        visit,
        VisitAction.SUGGESTED,
        actor,
        Side.FAMILY,
        reason=note,
        detail={"windows": spans_detail([(starts_at, ends_at)])},
    )
    db.session.flush()
    notify(visit, visit.staff_ids, "家长另提家访时间", f"家长建议的时间：{span_text(starts_at, ends_at)}")
    return visit


def repropose(actor: Actor, visit: HomeVisit, *, windows: Sequence[Window], note: str) -> HomeVisit:
    """给出新时段: the staff answer (or revise their offer) with 1–3 new windows; the family answers next."""
    spans = [(w["starts_at"], w["ends_at"]) for w in windows]
    settings = scheduling.settings_for(visit.school_id)
    scheduling.validate_windows(spans, settings)
    visit = lock_visit(visit)
    require_state(visit, VisitAction.REPROPOSED)
    for starts_at, ends_at in spans:
        scheduling.ensure_staff_free(visit.staff_ids, starts_at, ends_at, visit.mode, settings)
    _replace_windows(visit, spans, Side.STAFF)
    visit.awaiting = Side.FAMILY
    visit.school_year = school_year_at(visit.school_id, min(s for s, _e in spans))
    transition(
        visit,
        VisitAction.REPROPOSED,
        actor,
        Side.STAFF,
        reason=note,
        detail={"windows": spans_detail(spans)},
    )
    db.session.flush()
    notify(visit, guardian_user_ids(visit), "家访新时段", "老师给出了新的家访时间，请选择")
    return visit


def decline(actor: Actor, visit: HomeVisit, *, reason: str) -> HomeVisit:
    """婉拒家访 (the family), with a reason the staff see."""
    visit = lock_visit(visit)
    require_state(visit, VisitAction.DECLINED)
    visit.awaiting = None
    transition(visit, VisitAction.DECLINED, actor, Side.FAMILY, reason=reason)
    db.session.flush()
    notify(visit, visit.staff_ids, "家长婉拒家访", f"原因：{reason}")
    return visit


# ---- cancelling and moving ------------------------------------------------------------------------------------


def cancel(actor: Actor, visit: HomeVisit, side: Side, *, reason: str) -> HomeVisit:
    """取消家访 (either side, while proposed or scheduled), with a reason."""
    visit = lock_visit(visit)
    require_state(visit, VisitAction.CANCELLED)
    was = visit.state
    clear_move_request(visit)
    visit.awaiting = None
    transition(visit, VisitAction.CANCELLED, actor, side, reason=reason)
    db.session.flush()
    if was == VisitState.SCHEDULED:
        cancel_reminders.send(visit, subject_type=SUBJECT_TYPE, subject_id=visit.id, user_ids=None)
    notify(visit, other_side(visit, side), "家访已取消", f"原因：{reason}")
    return visit


def move(actor: Actor, visit: HomeVisit, *, starts_at: dt.datetime, ends_at: dt.datetime, reason: str) -> HomeVisit:
    """改期 by the staff: a scheduled visit moves to a new time at once (checked like an acceptance), with a
    reason; a family's pending counter-proposal ends with it."""
    settings = scheduling.settings_for(visit.school_id)
    scheduling.validate_window(starts_at, ends_at, settings)
    visit = _lock_for_scheduling(visit)
    require_state(visit, VisitAction.MOVED)
    scheduling.ensure_staff_free(visit.staff_ids, starts_at, ends_at, visit.mode, settings, exclude_visit_id=visit.id)
    before = span_detail(*visit.agreed)
    _set_time(visit, starts_at, ends_at)
    clear_move_request(visit)
    transition(
        visit,
        VisitAction.MOVED,
        actor,
        Side.STAFF,
        reason=reason,
        detail={"from": before, "to": span_detail(starts_at, ends_at)},
    )
    db.session.flush()
    move_reminders(visit)
    notify(visit, guardian_user_ids(visit), "家访改期", f"新时间：{agreed_time(visit)}；原因：{reason}")
    return visit


def request_move(
    actor: Actor, visit: HomeVisit, *, starts_at: dt.datetime, ends_at: dt.datetime, reason: str
) -> HomeVisit:
    """申请改期: the family asks to move a scheduled visit (a counter-proposal, replacing an earlier one). The
    visit keeps its time and its reminders until the staff accept; the staff's calendar is checked then."""
    scheduling.validate_window(starts_at, ends_at, scheduling.settings_for(visit.school_id))
    visit = lock_visit(visit)
    require_state(visit, VisitAction.MOVE_REQUESTED)
    visit.move_starts_at, visit.move_ends_at, visit.move_reason = starts_at, ends_at, reason
    visit.awaiting = Side.STAFF
    transition(
        visit,
        VisitAction.MOVE_REQUESTED,
        actor,
        Side.FAMILY,
        reason=reason,
        detail={"from": span_detail(*visit.agreed), "to": span_detail(starts_at, ends_at)},
    )
    db.session.flush()
    notify(visit, visit.staff_ids, "家长申请家访改期", f"家长希望改到：{span_text(starts_at, ends_at)}；原因：{reason}")
    return visit


def accept_move(actor: Actor, visit: HomeVisit) -> HomeVisit:
    """同意改期: the staff take the family's counter-proposal; the visit moves under the same clash rule as an
    acceptance (staff rows locked first), its reminders with it. 409 ``staff_busy`` leaves the request open."""
    visit = _lock_for_scheduling(visit)
    starts_at, ends_at, _reason = _require_move_request(visit, VisitAction.MOVE_ACCEPTED)
    settings = scheduling.settings_for(visit.school_id)
    scheduling.validate_window(starts_at, ends_at, settings)
    scheduling.ensure_staff_free(visit.staff_ids, starts_at, ends_at, visit.mode, settings, exclude_visit_id=visit.id)
    before = span_detail(*visit.agreed)
    _set_time(visit, starts_at, ends_at)
    clear_move_request(visit)
    transition(
        visit,
        VisitAction.MOVE_ACCEPTED,
        actor,
        Side.STAFF,
        detail={"from": before, "to": span_detail(starts_at, ends_at)},
    )
    db.session.flush()
    move_reminders(visit)
    notify(visit, guardian_user_ids(visit), "家访改期", f"老师同意改期，新时间：{agreed_time(visit)}")
    return visit


def decline_move(actor: Actor, visit: HomeVisit, *, reason: str) -> HomeVisit:
    """不同意改期: the staff decline the family's counter-proposal, with a reason; the visit keeps its time."""
    visit = lock_visit(visit)
    requested = _require_move_request(visit, VisitAction.MOVE_DECLINED)
    asked = span_detail(requested.starts_at, requested.ends_at)
    clear_move_request(visit)
    transition(
        visit,
        VisitAction.MOVE_DECLINED,
        actor,
        Side.STAFF,
        reason=reason,
        detail={"requested": asked},
    )
    db.session.flush()
    notify(visit, guardian_user_ids(visit), "家访改期未获同意", f"原因：{reason}；家访时间不变：{agreed_time(visit)}")
    return visit


# ---- helpers --------------------------------------------------------------------------------------------------


def _lock_for_scheduling(visit: HomeVisit) -> HomeVisit:
    """Lock the staff first (fixed order: users by id), then the visit."""
    scheduling.lock_staff(visit.staff_ids)
    return lock_visit(visit)


def school_year_at(school_id: int, when: dt.datetime) -> int:
    """The school year (its start year) that instant ``when`` falls in, in the calendar of the school's region."""
    region = db.session.get_one(School, school_id).region
    return school_year_for(when.astimezone(SHANGHAI).date(), region).start_year


def _set_time(visit: HomeVisit, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """The agreed time, and the school year it falls in."""
    visit.starts_at, visit.ends_at = starts_at, ends_at
    visit.school_year = school_year_at(visit.school_id, starts_at)


def clear_move_request(visit: HomeVisit) -> None:
    """The family's pending counter-proposal ends (a scheduled visit then awaits nobody)."""
    if visit.has_move_request:
        visit.move_starts_at = visit.move_ends_at = visit.move_reason = None
        if visit.state == VisitState.SCHEDULED:
            visit.awaiting = None


def _require_move_request(visit: HomeVisit, action: VisitAction) -> MoveRequest:
    """The family's pending counter-proposal; 409 when the visit is not scheduled or has none."""
    require_state(visit, action)
    requested = visit.move_request
    if requested is None:
        raise Conflict("没有待答复的改期申请", code="no_move_request")
    return requested


def _require_awaiting(visit: HomeVisit, action: VisitAction, side: Side) -> None:
    require_state(visit, action)
    if visit.awaiting != side:
        raise Conflict("正在等待对方答复", code="awaiting_other_side")


def _replace_windows(visit: HomeVisit, spans: Sequence[tuple[dt.datetime, dt.datetime]], side: Side) -> None:
    visit.windows.clear()
    db.session.flush()
    visit.windows.extend(VisitWindow(starts_at=s, ends_at=e, offered_by=side) for s, e in spans)
