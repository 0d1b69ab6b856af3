"""Helpers of the reminders tests: reminders due at a frozen instant, consent credits, reloads."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.reminders.models import Reminder, SubscribeConsent

# 2026-11-20 10:00 in Shanghai (a Friday morning, outside the quiet hours).
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)

TEMPLATES = {
    "course_session": {
        "template_id": "TPL-COURSE",
        "page": "pages/course/index",
        "fields": {"thing1": "title", "time2": "starts_at", "thing3": "place"},
    },
    "broadcast": {"template_id": "TPL-NOTICE", "fields": {"thing1": "title", "thing2": "body"}},
}


def add_reminder(db, user, *, kind="course_session", due_at=NOW, title="亲子阅读课", **kw):
    row = Reminder(
        user_id=user.id,
        kind=kind,
        subject_type=kw.pop("subject_type", "course_session"),
        subject_id=kw.pop("subject_id", 1),
        title=title,
        page=kw.pop("page", "pages/course/session?id=1"),
        starts_at=kw.pop("starts_at", due_at + dt.timedelta(hours=2)),
        inbox_at=due_at,
        due_at=due_at,
        next_attempt_at=due_at,
        **kw,
    )
    db.session.add(row)
    db.session.flush()
    return row


def give_credits(db, user, template_id="TPL-COURSE", count=1):
    db.session.add(SubscribeConsent(user_id=user.id, template_id=template_id, credits=count))
    db.session.flush()


def credits_of(db, user, template_id="TPL-COURSE"):
    return db.session.scalar(
        sa.select(SubscribeConsent.credits).where(
            SubscribeConsent.user_id == user.id, SubscribeConsent.template_id == template_id
        )
    )


def reload(db, reminder):
    db.session.expire_all()
    return db.session.get(Reminder, reminder.id)


def statuses(db):
    db.session.expire_all()
    return dict(db.session.execute(sa.select(Reminder.status, sa.func.count()).group_by(Reminder.status)).all())
