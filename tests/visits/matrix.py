"""Permission-matrix rows of visits: (name, method, path(world), body(world) or None, statuses per role).

Collected by tests/test_permission_matrix.py; see its helpers (``expect``) and the ``world`` cast. The visits are
of child_a (class_a: homeroom teacher_a, subject teacher_b; family_a: guardian_a), proposed by teacher_a. Staff
who see a visit without being on it (teacher_b, school_admin) get 403 for what only its teachers (or the class's
班主任) do: answer, propose new windows, move, cancel, answer a counter-proposal, record.
"""

import datetime as dt

from jlt_family.core.extensions import db
from jlt_family.visits import ical
from jlt_family.visits.models import (
    FollowUpAction,
    HomeVisit,
    Side,
    VisitCalendarFeed,
    VisitMode,
    VisitParticipant,
    VisitPurpose,
    VisitRecord,
    VisitState,
    VisitWindow,
)
from tests.matrix_support import ROLES, expect
from tests.visits.conftest import at, window

_STAFF_A = {"teacher_a": 200, "teacher_b": 200, "school_admin": 200}
_SIDES = {"guardian_a": 200, **_STAFF_A}
_NOT_ON_IT = {"teacher_b": 403, "school_admin": 403}  # see the visit, are not its teachers


def _visit(w, state=VisitState.PROPOSED):
    start = at(3, 10)
    visit = HomeVisit(
        student=w.child_a,
        school_id=w.school.id,
        class_id=w.class_a.id,
        school_year=w.class_a.school_year,
        mode=VisitMode.HOME,
        purpose=VisitPurpose.ACADEMIC,
        state=state,
        proposed_by_id=w.teacher_a.id,
        awaiting=Side.FAMILY if state == VisitState.PROPOSED else None,
        windows=[VisitWindow(starts_at=start, ends_at=start + dt.timedelta(hours=1))],
        participants=[VisitParticipant(user_id=w.teacher_a.id)],
    )
    if state != VisitState.PROPOSED:
        visit.starts_at, visit.ends_at = start, start + dt.timedelta(hours=1)
    if state == VisitState.COMPLETED:
        visit.record = VisitRecord(
            visited_at=start - dt.timedelta(days=5),
            mode=VisitMode.HOME,
            recorded_by_id=w.teacher_a.id,
            notes="记录",
            family_summary="小结",
            follow_ups=[FollowUpAction(description="回访", due_on=start.date(), owner_id=w.teacher_a.id)],
        )
    db.session.add(visit)
    db.session.flush()
    return visit


def _proposed(w):
    return _visit(w).id


def _scheduled(w):
    return _visit(w, VisitState.SCHEDULED).id


def _completed(w):
    return _visit(w, VisitState.COMPLETED).id


def _move_requested(w):
    visit = _visit(w, VisitState.SCHEDULED)
    visit.move_starts_at, visit.move_ends_at, visit.move_reason = at(6, 14), at(6, 15), "出差"
    visit.awaiting = Side.STAFF
    db.session.flush()
    return visit.id


def _follow_up(w):
    return _visit(w, VisitState.COMPLETED).record.follow_ups[0].id


def _window_of_new_visit(w):
    visit = _visit(w)
    w.matrix_visit_id = visit.id
    return {"window_id": visit.windows[0].id}


def _feeds_for_everyone(w):
    for role in ROLES[1:]:
        db.session.add(VisitCalendarFeed(user_id=getattr(w, role).id, token_hash=f"{role:<64}"[:64]))
    db.session.flush()
    return "/api/v1/me/visit-calendar"


def _feed_url(w):
    return f"/api/v1/visit-calendar/{ical.regenerate(w.teacher_a.id)}.ics"


def _record(w):
    return {
        "visited_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        "mode": "home",
        "notes": "记录",
    }


ENDPOINTS = [
    (
        "propose_visit",
        "POST",
        lambda w: "/api/v1/visits",
        lambda w: {"student_id": w.child_a.id, "mode": "home", "purpose": "academic", "windows": [window()]},
        expect(404, guardian_a=403, teacher_a=201, teacher_b=201, school_admin=201),
    ),
    ("visits", "GET", lambda w: "/api/v1/visits", None, expect(200)),
    ("visit", "GET", lambda w: f"/api/v1/visits/{_proposed(w)}", None, expect(404, **_SIDES)),
    (
        "accept_visit",
        "POST",
        lambda w: f"/api/v1/visits/{getattr(w, 'matrix_visit_id', 1)}/accept",
        _window_of_new_visit,
        expect(404, guardian_a=200, teacher_a=409, **_NOT_ON_IT),
    ),
    (
        "suggest_time",
        "POST",
        lambda w: f"/api/v1/visits/{_proposed(w)}/suggest",
        lambda w: window(5, 15),
        expect(404, guardian_a=200, teacher_a=403, teacher_b=403, school_admin=403),
    ),
    (
        "repropose_visit",
        "POST",
        lambda w: f"/api/v1/visits/{_proposed(w)}/windows",
        lambda w: {"windows": [window(5, 15)]},
        expect(404, guardian_a=403, teacher_a=200, **_NOT_ON_IT),
    ),
    (
        "decline_visit",
        "POST",
        lambda w: f"/api/v1/visits/{_proposed(w)}/decline",
        lambda w: {"reason": "不方便"},
        expect(404, guardian_a=200, teacher_a=403, teacher_b=403, school_admin=403),
    ),
    (
        "cancel_visit",
        "POST",
        lambda w: f"/api/v1/visits/{_scheduled(w)}/cancel",
        lambda w: {"reason": "有事"},
        expect(404, guardian_a=200, teacher_a=200, **_NOT_ON_IT),
    ),
    (
        "move_visit",
        "POST",
        lambda w: f"/api/v1/visits/{_scheduled(w)}/move",  # the family's: a counter-proposal
        lambda w: {**window(6, 14), "reason": "有事"},
        expect(404, guardian_a=200, teacher_a=200, **_NOT_ON_IT),
    ),
    (
        "accept_move_request",
        "POST",
        lambda w: f"/api/v1/visits/{_move_requested(w)}/move-request/accept",
        None,
        expect(404, guardian_a=403, teacher_a=200, **_NOT_ON_IT),
    ),
    (
        "decline_move_request",
        "POST",
        lambda w: f"/api/v1/visits/{_move_requested(w)}/move-request/decline",
        lambda w: {"reason": "那天有课"},
        expect(404, guardian_a=403, teacher_a=200, **_NOT_ON_IT),
    ),
    (
        "record_visit",
        "POST",
        lambda w: f"/api/v1/visits/{_scheduled(w)}/record",
        _record,
        expect(404, guardian_a=403, teacher_a=201, **_NOT_ON_IT),
    ),
    (
        "visit_feedback",
        "POST",
        lambda w: f"/api/v1/visits/{_completed(w)}/feedback",
        lambda w: {"rating": 5},
        expect(404, guardian_a=201, teacher_a=403, teacher_b=403, school_admin=403),
    ),
    (
        "class_visit_coverage",
        "GET",
        lambda w: f"/api/v1/classes/{w.class_a.id}/visit-coverage",
        None,
        expect(404, **_STAFF_A),
    ),
    ("my_visits_to_do", "GET", lambda w: "/api/v1/me/visits-to-do", None, expect(200)),
    ("my_visit_follow_ups", "GET", lambda w: "/api/v1/me/visit-follow-ups", None, expect(200)),
    (
        "update_visit_follow_up",
        "PATCH",
        lambda w: f"/api/v1/visit-follow-ups/{_follow_up(w)}",
        lambda w: {"done": True},
        expect(404, teacher_a=200, school_admin=200),
    ),
    (
        "visit_coverage_aggregate",
        "GET",
        lambda w: f"/api/v1/visit-coverage?school_id={w.school.id}",
        None,
        expect(404, school_admin=200, alliance_admin=200, region_admin=200),
    ),
    (
        "regenerate_visit_calendar",
        "POST",
        lambda w: "/api/v1/me/visit-calendar",
        None,
        expect(403, teacher_a=201, teacher_b=201, teacher_c=201, school_admin=201, other_school_admin=201),
    ),
    ("revoke_visit_calendar", "DELETE", _feeds_for_everyone, None, expect(204)),
    ("visit_calendar_feed", "GET", _feed_url, None, dict.fromkeys(ROLES, 200)),
    (
        "visit_settings",
        "GET",
        lambda w: f"/api/v1/schools/{w.school.id}/visit-settings",
        None,
        expect(
            404, teacher_a=200, teacher_b=200, teacher_c=200, school_admin=200, alliance_admin=200, region_admin=200
        ),
    ),
    (
        "put_visit_settings",
        "PUT",
        lambda w: f"/api/v1/schools/{w.school.id}/visit-settings",
        lambda w: {"travel_buffer_minutes": 20, "allowed_start": "08:30", "allowed_end": "20:00"},
        expect(
            404, teacher_a=403, teacher_b=403, teacher_c=403, school_admin=200, alliance_admin=403, region_admin=403
        ),
    ),
]
