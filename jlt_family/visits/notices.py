"""What a visit's families and staff are told (家访通知): notices of each change and the reminders before a
scheduled visit, through the reminder contract of ``core.events``; the time texts they and the history show."""

import sqlalchemy as sa

from jlt_family.core.events import cancel_reminders, schedule_reminders, send_notice
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.families.models import Guardian
from jlt_family.visits.models import (
    MODE_LABELS,
    Side,
)

SUBJECT_TYPE = "home_visit"


REMINDER_KIND = "home_visit"  # reminders before a scheduled visit


NOTICE_KIND = "home_visit_update"  # notices of a change (proposed, accepted, moved, cancelled, summary shared)


def move_reminders(visit):
    cancel_reminders.send(visit, subject_type=SUBJECT_TYPE, subject_id=visit.id, user_ids=None)
    schedule_visit_reminders(visit)


def guardian_user_ids(visit):
    if visit.student.family_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Guardian.user_id).where(Guardian.family_id == visit.student.family_id).order_by(Guardian.id)
        )
    )


def other_side(visit, side):
    return guardian_user_ids(visit) if side == Side.STAFF else visit.staff_ids


def _page(visit):
    return f"pages/visit/detail?id={visit.id}"


def _title(visit):
    return f"{MODE_LABELS[visit.mode]}家访：{visit.student.name}"


def schedule_visit_reminders(visit):
    schedule_reminders.send(
        visit,
        kind=REMINDER_KIND,
        subject_type=SUBJECT_TYPE,
        subject_id=visit.id,
        user_ids=guardian_user_ids(visit) + visit.staff_ids,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        title=_title(visit),
        place=MODE_LABELS[visit.mode],
        page=_page(visit),
        school_id=visit.school_id,
    )


def notify(visit, user_ids, title, body):
    if user_ids:
        send_notice.send(
            visit,
            kind=NOTICE_KIND,
            subject_type=SUBJECT_TYPE,
            subject_id=visit.id,
            user_ids=list(user_ids),
            title=title,
            body=body,
            page=_page(visit),
            school_id=visit.school_id,
        )


def span_detail(starts_at, ends_at):
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def spans_detail(spans):
    return [span_detail(s, e) for s, e in spans]


def span_text(starts_at, ends_at):
    start, end = starts_at.astimezone(SHANGHAI), ends_at.astimezone(SHANGHAI)
    return f"{start:%m月%d日 %H:%M}–{end:%H:%M}"


def agreed_time(visit):
    return span_text(visit.starts_at, visit.ends_at)
