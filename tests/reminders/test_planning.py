"""Planning from the alliance policy with a frozen clock: lead times, quiet hours, rescheduling, notices; and the
receivers of the reminder contract, inside the sender's transaction."""

import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.core.events import CancelReminders, Notice, cancel_reminders, schedule_reminders, send_notice
from jlt_family.core.timeutil import SHANGHAI, shanghai_today, utcnow
from jlt_family.reminders import service
from jlt_family.reminders.models import InboxOutcome, Reminder, ReminderStatus
from jlt_family.reminders.policy import Policy
from tests.reminders.support import NOW


def sh(month, day, hour, minute=0):
    """An instant given in Shanghai time (2026)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(dt.UTC)


def plan(world, starts_at, ends_at=None, user_ids=None, now=NOW, subject_id=7):
    return service.schedule(
        kind="course_session",
        subject_type="course_session",
        subject_id=subject_id,
        user_ids=user_ids or [world.guardian_a.id],
        starts_at=starts_at,
        ends_at=ends_at or starts_at + dt.timedelta(hours=1),
        title="亲子阅读课",
        page="pages/course/session?id=7",
        school_id=world.school.id,
        now=now,
    )


def rows(db, **filters):
    db.session.expire_all()
    return db.session.scalars(sa.select(Reminder).filter_by(**filters).order_by(Reminder.due_at, Reminder.id)).all()


def test_quiet_hours_wrap_midnight():
    policy = Policy()
    assert policy.is_quiet(sh(11, 20, 22)) and policy.is_quiet(sh(11, 21, 6, 59))
    assert not policy.is_quiet(sh(11, 21, 7)) and not policy.is_quiet(sh(11, 20, 21, 59))
    assert policy.push_time(sh(11, 20, 23, 30)) == sh(11, 21, 7)
    assert policy.push_time(sh(11, 21, 1)) == sh(11, 21, 7)
    assert policy.push_time(sh(11, 21, 9)) == sh(11, 21, 9)


def test_both_lead_times_become_reminders(world, db):
    plan(world, sh(11, 22, 15))
    assert [(r.inbox_at, r.due_at, r.status) for r in rows(db)] == [
        (sh(11, 21, 15), sh(11, 21, 15), ReminderStatus.PENDING),
        (sh(11, 22, 13), sh(11, 22, 13), ReminderStatus.PENDING),
    ]
    assert {r.alliance_id for r in rows(db)} == {world.alliance.id}


def test_a_lead_time_already_past_is_skipped(world, db):
    plan(world, sh(11, 21, 9))  # 24 h before is 2026-11-20 09:00, an hour before NOW
    assert [r.due_at for r in rows(db)] == [sh(11, 21, 7)]


def test_a_push_inside_quiet_hours_is_deferred_to_their_end(world, db):
    plan(world, sh(11, 21, 8, 30))  # 2 h before is 06:30
    [reminder] = rows(db)
    assert (reminder.inbox_at, reminder.due_at, reminder.status) == (
        sh(11, 21, 6, 30),
        sh(11, 21, 7),
        ReminderStatus.PENDING,
    )


def test_a_push_deferred_past_the_event_is_dropped_to_the_inbox(world, db):
    plan(world, sh(11, 21, 6), ends_at=sh(11, 21, 6, 45))  # 2 h before is 04:00; 07:00 is after the end
    [reminder] = rows(db)
    assert (reminder.status, reminder.outcome) == (ReminderStatus.INBOX_ONLY, InboxOutcome.QUIET_HOURS)


def test_two_pushes_deferred_to_the_same_instant_are_one(world, db):
    world.alliance.reminder_lead_minutes = [120, 60]
    plan(world, sh(11, 21, 7, 30))  # 05:30 and 06:30 both wait for 07:00
    assert [r.due_at for r in rows(db)] == [sh(11, 21, 7)]


def test_the_alliance_policy_applies(world, db):
    world.alliance.reminder_lead_minutes = [30]
    world.alliance.quiet_hours_start, world.alliance.quiet_hours_end = dt.time(12, 0), dt.time(14, 0)
    plan(world, sh(11, 20, 12, 20))  # 30 min before is 11:50: outside 12:00–14:00
    plan(world, sh(11, 20, 13, 0), subject_id=8)  # 12:30 is quiet; 14:00 is after the start and the end
    assert [(r.due_at, r.status) for r in rows(db)] == [
        (sh(11, 20, 11, 50), ReminderStatus.PENDING),
        (sh(11, 20, 12, 30), ReminderStatus.INBOX_ONLY),
    ]


def test_a_school_outside_any_alliance_gets_the_default_policy(make, world, db):
    lone = make.school()
    service.schedule(
        kind="home_visit",
        subject_type="home_visit",
        subject_id=1,
        user_ids=[world.guardian_a.id],
        starts_at=sh(11, 22, 15),
        ends_at=None,
        title="家访",
        page="",
        school_id=lone.id,
        now=NOW,
    )
    assert [r.due_at for r in rows(db)] == [sh(11, 21, 15), sh(11, 22, 13)]
    assert {r.alliance_id for r in rows(db)} == {None}


def test_rescheduling_replaces_the_pending_reminders_of_those_users(world, db):
    both = [world.guardian_a.id, world.guardian_b.id]
    plan(world, sh(11, 22, 15), user_ids=both)
    plan(world, sh(11, 23, 15), user_ids=[world.guardian_a.id])
    pending_a = rows(db, user_id=world.guardian_a.id, status=ReminderStatus.PENDING)
    assert [r.due_at for r in pending_a] == [sh(11, 22, 15), sh(11, 23, 13)]
    assert len(rows(db, user_id=world.guardian_a.id, status=ReminderStatus.CANCELLED)) == 2
    assert len(rows(db, user_id=world.guardian_b.id, status=ReminderStatus.PENDING)) == 2


def test_a_sent_reminder_is_not_cancelled(world, db):
    plan(world, sh(11, 22, 15))
    first = rows(db)[0]
    first.status = ReminderStatus.SENT
    assert service.cancel("course_session", 7) == 1
    assert [r.status for r in rows(db)] == [ReminderStatus.SENT, ReminderStatus.CANCELLED]


def test_a_notice_in_quiet_hours_is_in_the_inbox_at_once_and_pushed_at_seven(world, db):
    service.notice(
        kind="venue_booking",
        subject_type="venue_booking",
        subject_id=3,
        user_ids=[world.guardian_a.id],
        title="预约已确认",
        body="周六上午科技馆。",
        page="pages/booking/index",
        school_id=world.school.id,
        now=sh(11, 20, 23),
    )
    [reminder] = rows(db)
    assert (reminder.inbox_at, reminder.due_at) == (sh(11, 20, 23), sh(11, 21, 7))


_NOTICE = {
    "kind": "home_visit",
    "subject_type": "home_visit",
    "subject_id": 9,
    "user_ids": [],
    "title": "家访已取消",
    "body": "老师临时有会。",
    "page": "",
    "school_id": None,
}


# ---- receivers ----------------------------------------------------------------------------------------------


def _announce(world, starts_at, **kw):
    schedule_reminders.send(
        object(),
        kind="course_session",
        subject_type="course_session",
        subject_id=5,
        user_ids=[world.guardian_a.id, world.guardian_a.id],
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        title="家长夜校",
        place="三楼",
        page="pages/course/session?id=5",
        school_id=world.school.id,
        **kw,
    )


def test_the_events_write_move_and_cancel_reminders(world, db):
    # 15:00 in three days: both lead times (24 h and 2 h before) fall outside the quiet hours at any hour of now
    soon = dt.datetime.combine(shanghai_today() + dt.timedelta(days=3), dt.time(15, 0), SHANGHAI)
    _announce(world, soon)
    assert len(rows(db, status=ReminderStatus.PENDING)) == 2
    _announce(world, soon + dt.timedelta(days=1))
    assert len(rows(db, status=ReminderStatus.PENDING)) == 2 and len(rows(db, status=ReminderStatus.CANCELLED)) == 2
    cancel_reminders.send(object(), CancelReminders(subject_type="course_session", subject_id=5))
    assert rows(db, status=ReminderStatus.PENDING) == []


def test_a_notice_event_writes_an_immediate_reminder(world, db):
    send_notice.send(
        object(),
        Notice(
            kind="home_visit",
            subject_type="home_visit",
            subject_id=9,
            user_ids=[world.guardian_a.id, world.guardian_b.id],
            title="家访时间已调整",
            body="家访改到周六上午。",
            page="pages/visit/index?id=9",
            school_id=None,
        ),
    )
    assert {r.user_id for r in rows(db)} == {world.guardian_a.id, world.guardian_b.id}


def test_receivers_write_in_the_senders_transaction(world, db):
    _announce(world, utcnow() + dt.timedelta(days=3))
    db.session.rollback()
    assert rows(db) == []


def test_a_sender_breaking_the_contract_fails_at_once(world):
    with pytest.raises(TypeError):
        schedule_reminders.send(
            object(),
            kind="course_session",
            subject_type="course_session",
            subject_id=5,
            user_ids=[world.guardian_a.id],
            starts_at=utcnow(),
        )


def test_an_event_carries_only_its_own_payload(world):
    with pytest.raises(TypeError, match="CancelReminders"):
        cancel_reminders.send(object(), Notice(**_NOTICE))
    with pytest.raises(TypeError):
        cancel_reminders.send(object(), CancelReminders(subject_type="home_visit", subject_id=1), user_ids=None)


def test_keyword_listeners_hear_the_fields_of_either_form(world):
    heard = []

    def listener(sender, **fields):
        heard.append(fields)

    send_notice.connect(listener)
    try:
        send_notice.send(object(), Notice(**_NOTICE))
        send_notice.send(object(), **_NOTICE)
    finally:
        send_notice.disconnect(listener)
    assert heard == [_NOTICE, _NOTICE]
