"""Receivers of the reminder contract (core/events.py): courses, visits and venues announce, reminders are written.

They run inside the sender's transaction and only add or update rows through ``db.session``; the sender's commit
(or rollback) decides. Each takes the event's payload; a sender that breaks the contract gets a TypeError when
it sends, not a silently missing reminder.
"""

from jlt_family.core.events import (
    CancelReminders,
    Notice,
    ScheduleReminders,
    cancel_reminders,
    schedule_reminders,
    send_notice,
)
from jlt_family.core.timeutil import utcnow
from jlt_family.families.events import GuardianLeaving, guardian_leaving
from jlt_family.reminders import service


def on_schedule(sender: object, event: ScheduleReminders) -> None:
    service.schedule(
        kind=event.kind,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        user_ids=event.user_ids,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        title=event.title,
        page=event.page,
        school_id=event.school_id,
        place=event.place,
        now=utcnow(),
        replace=event.replace,
    )


def on_cancel(sender: object, event: CancelReminders) -> None:
    service.cancel(event.subject_type, event.subject_id, event.user_ids)


def on_notice(sender: object, event: Notice) -> None:
    service.notice(
        kind=event.kind,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        user_ids=event.user_ids,
        title=event.title,
        body=event.body,
        page=event.page,
        school_id=event.school_id,
        now=utcnow(),
    )


def on_guardian_leaving(sender: object, event: GuardianLeaving) -> None:
    service.cancel_family_reminders(event.user_id, event.family_id)


def connect() -> None:
    """Connect the receivers (the app factory calls it; idempotent)."""
    schedule_reminders.receive(on_schedule)
    cancel_reminders.receive(on_cancel)
    send_notice.receive(on_notice)
    guardian_leaving.receive(on_guardian_leaving)
