"""A notice survives the rescheduling that comes with it; no push inside quiet hours on any path; a row being
sent when its event is cancelled is not retried."""

import datetime as dt

from jlt_family.reminders import dispatcher, service
from jlt_family.reminders.models import InboxOutcome, Reminder, ReminderStatus
from tests.reminders.support import NOW, add_reminder, give_credits, reload

START = NOW + dt.timedelta(days=2)


def _rows(db, user):
    db.session.expire_all()
    return sorted((r.kind, r.status) for r in db.session.query(Reminder).filter_by(user_id=user.id))


def test_a_waitlist_promotion_notice_survives_its_rescheduling(make, db):
    user = make.user()
    common = {"subject_type": "course_session", "subject_id": 7, "user_ids": [user.id], "school_id": None}
    service.notice(
        kind="course_waitlist_promoted", title="候补成功", body="您已从候补转为报名", page="p", now=NOW, **common
    )
    service.schedule(
        kind="course_session",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=1),
        title="课",
        page="p",
        now=NOW,
        **common,
    )
    assert ("course_waitlist_promoted", ReminderStatus.PENDING) in _rows(db, user)
    service.cancel("course_session", 7, [user.id])
    rows = _rows(db, user)
    assert ("course_waitlist_promoted", ReminderStatus.PENDING) in rows
    assert {status for kind, status in rows if kind == "course_session"} == {ReminderStatus.CANCELLED}


def test_a_row_being_sent_when_its_event_is_cancelled_is_not_retried(make, db):
    reminder = add_reminder(db, make.user(), status=ReminderStatus.SENDING, claim_token="t" * 32)
    db.session.commit()
    service.cancel("course_session", 1)
    db.session.commit()
    assert dispatcher._mark(reminder.id, "t" * 32, status=ReminderStatus.PENDING) is False
    assert reload(db, reminder).status == ReminderStatus.CANCELLED


def test_no_push_inside_quiet_hours_whatever_brought_the_row_there(push, make, db):
    """A retry due at 23:00 Shanghai waits for 07:00 instead of going out at night."""
    user = make.user(openid="o-night")
    give_credits(db, user)
    night = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # 23:00 Shanghai
    reminder = add_reminder(db, user, due_at=night, starts_at=night + dt.timedelta(days=1))
    db.session.commit()
    dispatcher.drain(lambda: night)
    row = reload(db, reminder)
    assert push.sent_messages == []
    assert row.status == ReminderStatus.PENDING
    assert row.next_attempt_at == dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.UTC)  # 07:00 Shanghai


def test_inside_quiet_hours_a_reminder_whose_event_ends_first_stays_in_the_inbox(push, make, db):
    user = make.user(openid="o-late")
    give_credits(db, user)
    night = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
    reminder = add_reminder(
        db, user, due_at=night, starts_at=night + dt.timedelta(hours=1), ends_at=night + dt.timedelta(hours=2)
    )
    db.session.commit()
    dispatcher.drain(lambda: night)
    row = reload(db, reminder)
    assert (row.status, row.outcome) == (ReminderStatus.INBOX_ONLY, InboxOutcome.QUIET_HOURS)
    assert push.sent_messages == []
