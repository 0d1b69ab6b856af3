"""Receivers of the reminder contract (core/events.py): courses, visits and venues announce, reminders are written.

They run inside the sender's transaction and only add or update rows through ``db.session``; the sender's commit
(or rollback) decides. The keywords are the contract's, all required but ``place`` (schedule) and ``user_ids``
(cancel): a sender that breaks the contract gets a TypeError at once, not a silently missing reminder.
"""

from jlt_family.core.events import cancel_reminders, schedule_reminders, send_notice
from jlt_family.core.timeutil import utcnow
from jlt_family.families.events import guardian_leaving
from jlt_family.reminders import service


def on_schedule(
    sender,
    *,
    kind,
    subject_type,
    subject_id,
    user_ids,
    starts_at,
    ends_at,
    title,
    page,
    school_id,
    place="",
    replace=True,
):
    service.schedule(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        user_ids=user_ids,
        starts_at=starts_at,
        ends_at=ends_at,
        title=title,
        page=page,
        school_id=school_id,
        place=place,
        now=utcnow(),
        replace=replace,
    )


def on_cancel(sender, *, subject_type, subject_id, user_ids=None):
    service.cancel(subject_type, subject_id, user_ids)


def on_notice(sender, *, kind, subject_type, subject_id, user_ids, title, body, page, school_id):
    service.notice(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        user_ids=user_ids,
        title=title,
        body=body,
        page=page,
        school_id=school_id,
        now=utcnow(),
    )


def on_guardian_leaving(sender, *, guardian_id, user_id, family_id, now):
    service.cancel_family_reminders(user_id, family_id)


def connect():
    """Connect the receivers (idempotent: blinker keeps one connection per receiver)."""
    schedule_reminders.connect(on_schedule, weak=False)
    cancel_reminders.connect(on_cancel, weak=False)
    send_notice.connect(on_notice, weak=False)
    guardian_leaving.connect(on_guardian_leaving, weak=False)
