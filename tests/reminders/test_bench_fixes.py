"""What the benchmarks (bench/) changed in reminders: planning a brand-new thing skips the replacing UPDATE, and
the dispatcher reads each alliance's policy once per batch; behaviour stays the same."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.reminders import dispatcher, service
from jlt_family.reminders.models import Reminder, ReminderStatus
from tests.reminders.support import NOW, add_reminder, give_credits, reload


def _plan(world, *, replace, subject_id=7):
    return service.schedule(
        kind="course_session",
        subject_type="course_session",
        subject_id=subject_id,
        user_ids=[world.guardian_a.id],
        starts_at=NOW + dt.timedelta(days=2),
        ends_at=NOW + dt.timedelta(days=2, hours=1),
        title="亲子阅读课",
        page="pages/course/session?id=7",
        school_id=world.school.id,
        now=NOW,
        replace=replace,
    )


def _pending(db):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Reminder).where(Reminder.status == ReminderStatus.PENDING)
    )


def _statements(db, run):
    seen = []

    def on_execute(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)
    return seen


def test_planning_a_new_thing_writes_its_reminders_without_the_replacing_update(world, db):
    replacing = _statements(db, lambda: _plan(world, replace=True, subject_id=8))
    fresh = _statements(db, lambda: _plan(world, replace=False, subject_id=9))
    assert sum(s.startswith("UPDATE reminder") for s in replacing) == 1
    assert not any(s.startswith("UPDATE reminder") for s in fresh)
    assert _pending(db) == 4


def test_replace_true_is_still_the_default_and_replaces(world, db):
    _plan(world, replace=True)
    _plan(world, replace=True)
    assert _pending(db) == 2


def test_the_dispatcher_reads_each_alliance_policy_once_per_batch(push, make, world, db):
    reminders = []
    for n in range(4):
        user = make.user(openid=f"o-batch-{n}")
        give_credits(db, user)
        reminders.append(add_reminder(db, user, alliance_id=world.alliance.id))
    db.session.commit()
    statements = _statements(db, lambda: dispatcher.drain(lambda: NOW))
    assert sum("FROM alliance" in s for s in statements) == 1
    assert len(push.sent_messages) == 4
    assert {reload(db, r).status for r in reminders} == {ReminderStatus.SENT}


def test_a_batch_in_the_alliance_quiet_hours_is_still_deferred(push, make, world, db):
    world.alliance.quiet_hours_start, world.alliance.quiet_hours_end = dt.time(9, 0), dt.time(11, 0)  # 10:00 now
    user = make.user(openid="o-quiet")
    give_credits(db, user)
    reminder = add_reminder(db, user, alliance_id=world.alliance.id)
    db.session.commit()
    dispatcher.drain(lambda: NOW)
    row = reload(db, reminder)
    assert row.status == ReminderStatus.PENDING and row.next_attempt_at == NOW + dt.timedelta(hours=1)
    assert push.sent_messages == []
