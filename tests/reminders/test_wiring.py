"""End to end through the real API: courses, home visits and venue bookings announce, reminder rows are written
at the alliance's lead times, cancelled and moved with their subject; the dispatcher (development: inbox only)
puts them in the inbox."""

import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.core.timeutil import SHANGHAI, shanghai_today, utcnow
from jlt_family.reminders import dispatcher
from jlt_family.reminders import routes as reminder_routes
from jlt_family.reminders.models import InboxOutcome, Reminder, ReminderStatus
from tests.courses import helpers as courses
from tests.venues.conftest import make_offering, make_slot
from tests.visits.conftest import proposal, window

API = "/api/v1"
LEADS = [1440, 60]  # the alliance's policy in these tests (the default is 24 h and 2 h)


def sh_in(days, hour):
    """An aware instant ``days`` from today at ``hour`` o'clock in Shanghai (outside quiet hours when 8–20)."""
    day = shanghai_today() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(dt.UTC)


def reminders(db, **filters):
    db.session.expire_all()
    stmt = sa.select(Reminder).filter_by(**filters).order_by(Reminder.user_id, Reminder.due_at, Reminder.id)
    return db.session.scalars(stmt).all()


def pending_times(db, subject_type, subject_id, user_id):
    """Due times of the user's pending reminders of a thing (notices, which have no ``starts_at``, left out)."""
    rows = reminders(
        db, subject_type=subject_type, subject_id=subject_id, user_id=user_id, status=ReminderStatus.PENDING
    )
    return [r.due_at for r in rows if r.starts_at is not None]


def at_leads(starts_at):
    return [starts_at - dt.timedelta(minutes=minutes) for minutes in LEADS]


@pytest.fixture
def policy(world, db):
    world.alliance.reminder_lead_minutes = LEADS
    db.session.commit()


# ---- courses --------------------------------------------------------------------------------------------------


@pytest.fixture
def course_session(world, db, policy):
    course = courses.course(db, world.school, world.teacher_a, title="亲子沟通课")
    session = courses.session(db, course, starts_at=sh_in(3, 15), capacity=1)
    db.session.commit()
    return session


def _enrol(call, session, user):
    answer = call("POST", f"{API}/course-sessions/{session.id}/enrolments", user)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_enrolling_plans_reminders_at_the_alliance_lead_times(call, world, db, course_session):
    _enrol(call, course_session, world.guardian_a)
    [first, second] = reminders(db, subject_type="course_session", subject_id=course_session.id)
    assert [first.due_at, second.due_at] == at_leads(course_session.starts_at)
    assert {(r.user_id, r.kind, r.alliance_id, r.title, r.place) for r in (first, second)} == {
        (world.guardian_a.id, "course_session", world.alliance.id, "亲子沟通课", "学校报告厅")
    }
    assert first.page == f"pages/course/session?id={course_session.id}"


def test_cancelling_the_enrolment_cancels_its_reminders(call, world, db, course_session):
    enrolment = _enrol(call, course_session, world.guardian_a)
    answer = call("POST", f"{API}/course-enrolments/{enrolment['id']}/cancel", world.guardian_a)
    assert answer.status_code == 200, answer.json
    assert {r.status for r in reminders(db, subject_id=course_session.id)} == {ReminderStatus.CANCELLED}


def test_cancelling_a_session_tells_enrolled_and_waitlisted_parents(call, world, db, course_session):
    _enrol(call, course_session, world.guardian_a)
    assert _enrol(call, course_session, world.guardian_b)["status"] == "waitlisted"
    answer = call(
        "POST", f"{API}/course-sessions/{course_session.id}/cancel", world.teacher_a, json={"reason": "讲师临时生病"}
    )
    assert answer.status_code == 200, answer.json
    notices = reminders(db, kind="course_session_cancelled")
    assert [r.user_id for r in notices] == sorted([world.guardian_a.id, world.guardian_b.id])
    assert "讲师临时生病" in notices[0].body and notices[0].status == ReminderStatus.PENDING
    assert pending_times(db, "course_session", course_session.id, world.guardian_a.id) == []
    assert {r.status for r in reminders(db, kind="course_session")} == {ReminderStatus.CANCELLED}


# ---- home visits ----------------------------------------------------------------------------------------------


def _accepted_visit(call, world):
    visit = call(
        "POST",
        f"{API}/visits",
        world.teacher_a,
        json=proposal(world.child_a, windows=[window(3, 10)], staff_ids=[world.teacher_b.id]),
    ).json
    answer = call(
        "POST", f"{API}/visits/{visit['id']}/accept", world.guardian_a, json={"window_id": visit["windows"][0]["id"]}
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def test_an_accepted_visit_reminds_the_guardians_and_the_staff(call, world, db, policy):
    visit = _accepted_visit(call, world)
    starts_at = dt.datetime.fromisoformat(visit["starts_at"])
    for user in (world.guardian_a, world.teacher_a, world.teacher_b):
        assert pending_times(db, "home_visit", visit["id"], user.id) == at_leads(starts_at), user.nickname
    agreed = [r.user_id for r in reminders(db, title="家访已确认")]
    assert agreed == [world.teacher_a.id, world.teacher_b.id]  # the staff hear the family accepted


def test_moving_a_visit_moves_its_reminders(call, world, db, policy):
    visit = _accepted_visit(call, world)
    moved = call("POST", f"{API}/visits/{visit['id']}/move", world.teacher_a, json={**window(5, 16), "reason": "开会"})
    assert moved.status_code == 200, moved.json
    new_start = dt.datetime.fromisoformat(window(5, 16)["starts_at"])
    reminders_of_visit = [r for r in reminders(db, subject_id=visit["id"]) if r.starts_at is not None]
    pending = [r for r in reminders_of_visit if r.status == ReminderStatus.PENDING]
    assert {r.starts_at for r in pending} == {new_start} and len(pending) == 6
    assert sum(r.status == ReminderStatus.CANCELLED for r in reminders_of_visit) == 6
    assert [r.user_id for r in reminders(db, title="家访改期")] == [world.guardian_a.id]


def test_a_familys_move_moves_the_reminders_only_once_the_teacher_accepts(call, world, db, policy):
    visit = _accepted_visit(call, world)
    old_start, new_start = (
        dt.datetime.fromisoformat(visit["starts_at"]),
        dt.datetime.fromisoformat(window(5, 16)["starts_at"]),
    )
    asked = call("POST", f"{API}/visits/{visit['id']}/move", world.guardian_a, json={**window(5, 16), "reason": "出差"})
    assert (asked.status_code, asked.json["awaiting"]) == (200, "staff"), asked.json
    for user in (world.guardian_a, world.teacher_a, world.teacher_b):
        assert pending_times(db, "home_visit", visit["id"], user.id) == at_leads(old_start), user.nickname
    assert sorted(r.user_id for r in reminders(db, title="家长申请家访改期")) == [
        world.teacher_a.id,
        world.teacher_b.id,
    ]
    accepted = call("POST", f"{API}/visits/{visit['id']}/move-request/accept", world.teacher_b, json={})
    assert accepted.status_code == 200, accepted.json
    for user in (world.guardian_a, world.teacher_a, world.teacher_b):
        assert pending_times(db, "home_visit", visit["id"], user.id) == at_leads(new_start), user.nickname
    assert [r.user_id for r in reminders(db, title="家访改期")] == [world.guardian_a.id]


# ---- venue bookings -------------------------------------------------------------------------------------------


@pytest.fixture
def venue_slot(world, db, policy):
    offering = make_offering(db, world.venue, title="科普展厅")
    slot = make_slot(db, offering, starts_in=sh_in(3, 15) - utcnow())
    db.session.commit()
    return slot


def _pending_booking(call, world, slot):
    answer = call(
        "POST",
        f"{API}/venue-slots/{slot.id}/bookings",
        world.guardian_a,
        json={"channel": "general", "child_ids": [world.child_a.id], "adults": 1},
    )
    assert answer.status_code == 201 and answer.json["status"] == "pending", answer.json
    return answer.json["id"]


def test_a_confirmed_booking_gets_reminders_and_a_notice(call, world, db, venue_slot):
    booking_id = _pending_booking(call, world, venue_slot)
    assert reminders(db, subject_id=booking_id) == []
    assert call("POST", f"{API}/venue-bookings/{booking_id}/confirm", world.venue_staff).status_code == 200
    assert pending_times(db, "venue_booking", booking_id, world.guardian_a.id) == at_leads(venue_slot.starts_at)
    [notice] = reminders(db, kind="venue_booking_confirmed")
    assert (notice.user_id, notice.subject_id, notice.alliance_id) == (
        world.guardian_a.id,
        booking_id,
        world.alliance.id,
    )


def test_a_rejected_booking_gets_a_notice_only(call, world, db, venue_slot):
    booking_id = _pending_booking(call, world, venue_slot)
    answer = call("POST", f"{API}/venue-bookings/{booking_id}/reject", world.venue_staff, json={"reason": "当天闭馆"})
    assert answer.status_code == 200, answer.json
    [notice] = reminders(db, subject_id=booking_id)
    assert (notice.kind, notice.user_id) == ("venue_booking_rejected", world.guardian_a.id)
    assert "当天闭馆" in notice.body


# ---- the dispatcher and the inbox ----------------------------------------------------------------------------


def _inbox(call, user, monkeypatch, at):
    monkeypatch.setattr(reminder_routes, "utcnow", lambda: at)
    return call("GET", f"{API}/me/inbox?page_size=50", user).json


def test_the_dispatcher_puts_everything_in_the_inbox_in_development(
    call, world, db, course_session, venue_slot, monkeypatch
):
    _enrol(call, course_session, world.guardian_a)
    booking_id = _pending_booking(call, world, venue_slot)
    call("POST", f"{API}/venue-bookings/{booking_id}/confirm", world.venue_staff)
    [notice] = reminders(db, kind="venue_booking_confirmed")
    now = notice.due_at  # now, or 07:00 when the test runs inside the quiet hours
    assert dispatcher.drain(lambda: now) == 1  # the confirmation notice: the reminders are not due yet
    inbox = _inbox(call, world.guardian_a, monkeypatch, now)
    assert [item["kind"] for item in inbox["items"]] == ["venue_booking_confirmed"]

    later = course_session.starts_at - dt.timedelta(minutes=30)
    assert dispatcher.drain(lambda: later) == 4  # two of the course session, two of the booking
    delivered = reminders(db, user_id=world.guardian_a.id)
    assert {(r.status, r.outcome) for r in delivered} == {(ReminderStatus.INBOX_ONLY, InboxOutcome.DEVELOPMENT)}
    inbox = _inbox(call, world.guardian_a, monkeypatch, later)
    assert sorted(item["kind"] for item in inbox["items"]) == [
        "course_session",
        "course_session",
        "venue_booking",
        "venue_booking",
        "venue_booking_confirmed",
    ]
    assert inbox["items"][0]["starts_at"].endswith("+08:00")
    assert call("GET", f"{API}/me/inbox/unread-count", world.guardian_a).json == {"unread": 5}
    assert _inbox(call, world.guardian_b, monkeypatch, later)["total"] == 0
