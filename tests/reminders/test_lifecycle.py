"""The states of a reminder in one table (reminders/models.py ``LIFECYCLE``): cancelling a thing reaches what is
still to be sent, every other state is final."""

import sqlalchemy as sa

from jlt_family.reminders import service
from jlt_family.reminders.models import LIFECYCLE, Reminder, ReminderStatus
from tests.reminders.support import add_reminder

FINAL = {ReminderStatus.SENT, ReminderStatus.INBOX_ONLY, ReminderStatus.FAILED, ReminderStatus.CANCELLED}


def test_the_table_lists_the_dispatchers_moves_and_final_states():
    assert LIFECYCLE.allows(ReminderStatus.PENDING, ReminderStatus.SENDING)  # claim
    assert LIFECYCLE.allows(ReminderStatus.SENDING, ReminderStatus.PENDING)  # release, retry, reaper
    assert LIFECYCLE.sources(ReminderStatus.SENT) == {ReminderStatus.SENDING}
    assert LIFECYCLE.sources(ReminderStatus.FAILED) == {ReminderStatus.SENDING}
    assert all(not LIFECYCLE.transitions.get(state) for state in FINAL)


def test_cancelling_a_thing_cancels_only_its_reminders_still_to_be_sent(world, db):
    for status in ReminderStatus:
        add_reminder(db, world.guardian_a, subject_id=3, status=status)
    assert service.cancel("course_session", 3) == 2
    rows = db.session.execute(sa.select(Reminder.status, sa.func.count()).group_by(Reminder.status)).all()
    assert dict(rows) == {ReminderStatus.CANCELLED: 3, **dict.fromkeys(FINAL - {ReminderStatus.CANCELLED}, 1)}
