"""What a visit's families and staff are told (家访通知): notices of each change and the reminders before a
scheduled visit, through the reminder contract of ``core.events``; the time texts they and the history show."""

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from jlt_family.core.events import cancel_reminders, schedule_reminders, send_notice
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.families.models import Guardian
from jlt_family.visits.models import MODE_LABELS, HomeVisit, Side

SUBJECT_TYPE = "home_visit"
REMINDER_KIND = "home_visit"  # reminders before a scheduled visit
NOTICE_KIND = "home_visit_update"  # notices of a change (proposed, accepted, moved, cancelled, summary shared)


def move_reminders(visit: HomeVisit) -> None:
    """The reminders of a visit that moved: the old ones cancelled, new ones for its new time."""
    cancel_reminders.send(visit, subject_type=SUBJECT_TYPE, subject_id=visit.id, user_ids=None)
    schedule_visit_reminders(visit)


def guardian_user_ids(visit: HomeVisit) -> list[int]:
    """The user ids of the child's guardians (the family side), in the order they joined."""
    if visit.student.family_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Guardian.user_id).where(Guardian.family_id == visit.student.family_id).order_by(Guardian.id)
        )
    )


def other_side(visit: HomeVisit, side: Side) -> list[int]:
    """Who is told of what ``side`` did: the guardians, or the visit's staff."""
    return guardian_user_ids(visit) if side == Side.STAFF else visit.staff_ids


def _page(visit: HomeVisit) -> str:
    return f"pages/visit/detail?id={visit.id}"


def _title(visit: HomeVisit) -> str:
    return f"{MODE_LABELS[visit.mode]}家访：{visit.student.name}"


def schedule_visit_reminders(visit: HomeVisit) -> None:
    """Reminders before a scheduled visit, to its family and staff."""
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


def notify(visit: HomeVisit, user_ids: Iterable[int], title: str, body: str) -> None:
    """A notice of a change of the visit to ``user_ids`` (none sent when there is nobody to tell)."""
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


def span_detail(starts_at: dt.datetime, ends_at: dt.datetime) -> dict[str, str]:
    """A time span as the history detail stores it (ISO 8601)."""
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def spans_detail(spans: Iterable[tuple[dt.datetime, dt.datetime]]) -> list[dict[str, str]]:
    return [span_detail(s, e) for s, e in spans]


def span_text(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """A time span as people read it, in Asia/Shanghai (``12月05日 10:00–11:00``)."""
    start, end = starts_at.astimezone(SHANGHAI), ends_at.astimezone(SHANGHAI)
    return f"{start:%m月%d日 %H:%M}–{end:%H:%M}"


def agreed_time(visit: HomeVisit) -> str:
    """The visit's agreed time as people read it."""
    return span_text(*visit.agreed)
