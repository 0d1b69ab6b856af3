"""家访周报: each homeroom teacher's weekly digest of the students of their classes not yet visited this school year
(children with a sensitive flag counted first), one reminder per teacher and ISO week.

The counts come from the visits package (``coverage.not_visited``), in one grouped query for every class. Only
the classes of the current school year (by each region's calendar) count, and only while the teacher is still
staff of the class's school. A teacher with nobody left to visit gets no digest.

Once per teacher and week, even when several scheduler processes run the job at the same time: each teacher's
digest is written in a transaction of its own whose first statement locks the teacher's user row (``SELECT ...
FOR UPDATE``); only then does it look for this week's digest (a read that, under MariaDB's REPEATABLE READ,
starts after the lock was granted and so sees the other process's commit), and commits. Like the venue jobs, a
failure for one teacher is rolled back and logged and the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.organizations.calendar import school_year_for
from jlt_family.organizations.models import School, SchoolClass, StaffMembership, StaffRole
from jlt_family.reminders import service
from jlt_family.reminders.models import Reminder
from jlt_family.visits import coverage

log = logging.getLogger(__name__)

KIND = "visit_digest"
PAGE = "pages/visit/todo"


def week_of(now: dt.datetime) -> int:
    """The ISO week of ``now`` in Shanghai as one number: 2026-W48 → 202648 (the digest's subject id)."""
    year, week, _ = now.astimezone(SHANGHAI).date().isocalendar()
    return year * 100 + week


# What to say ---------------------------------------------------------------------------------------------------


def current_homeroom_classes(today: dt.date) -> dict[int, list[SchoolClass]]:
    """``{teacher_id: [class, ...]}``: classes of the current school year with a homeroom teacher who is still
    staff of the school (teacher or school leader)."""
    still_staff = (
        sa.select(StaffMembership.id)
        .where(
            StaffMembership.user_id == SchoolClass.homeroom_teacher_id,
            StaffMembership.school_id == SchoolClass.school_id,
            StaffMembership.revoked_at.is_(None),
            StaffMembership.role.in_((StaffRole.TEACHER, StaffRole.SCHOOL_ADMIN)),
        )
        .exists()
    )
    classes = db.session.scalars(
        sa.select(SchoolClass)
        .where(
            SchoolClass.homeroom_teacher_id.is_not(None),
            SchoolClass.school_year.in_((today.year - 1, today.year)),
            still_staff,
        )
        .options(selectinload(SchoolClass.school).selectinload(School.region))
        .order_by(SchoolClass.homeroom_teacher_id, SchoolClass.grade, SchoolClass.name, SchoolClass.id)
    )
    years: dict[int, int] = {}
    found: dict[int, list[SchoolClass]] = {}
    for school_class in classes:
        region = school_class.school.region
        if region.id not in years:
            years[region.id] = school_year_for(today, region).start_year
        if school_class.school_year == years[region.id]:
            teacher_id = cast(int, school_class.homeroom_teacher_id)  # the query keeps classes with one
            found.setdefault(teacher_id, []).append(school_class)
    return found


def unvisited_counts(class_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """``{class_id: (not yet visited, of whom flagged)}`` in one query over the visits package's list."""
    if not class_ids:
        return {}
    students = coverage.not_visited(class_ids, flagged_first=False).order_by(None).subquery()
    flagged = sa.or_(*(students.c[column.key].is_(True) for column in coverage.FLAG_COLUMNS))
    rows = db.session.execute(
        sa.select(students.c.class_id, sa.func.count(), sa.func.sum(sa.case((flagged, 1), else_=0))).group_by(
            students.c.class_id
        )
    )
    return {class_id: (count, int(flagged_count or 0)) for class_id, count, flagged_count in rows}


def digest_text(classes: Sequence[SchoolClass], counts: dict[int, tuple[int, int]]) -> tuple[str, str] | None:
    """``(title, body)`` of a teacher's digest, or None when every student has been visited."""
    lines: list[str] = []
    total = total_flagged = 0
    for school_class in classes:
        count, flagged = counts.get(school_class.id, (0, 0))
        if count:
            lines.append(f"{school_class.name}：重点关注儿童 {flagged} 名、其他学生 {count - flagged} 名")
            total, total_flagged = total + count, total_flagged + flagged
    if not total:
        return None
    advice = "请优先安排重点关注儿童的家访。" if total_flagged else "请及时安排家访。"
    return f"家访周报：{total} 名学生待家访", f"本学年尚未家访——{'；'.join(lines)}。{advice}"


# Sending -------------------------------------------------------------------------------------------------------


def send_digest(teacher_id: int, school_id: int, title: str, body: str, week: int, now: dt.datetime) -> bool:
    """Write the teacher's digest of ``week`` unless one exists (the user row locked first); True when written."""
    db.session.scalar(sa.select(User.id).where(User.id == teacher_id).with_for_update())
    sent = db.session.scalar(
        sa.select(Reminder.id)
        .where(
            Reminder.user_id == teacher_id,
            Reminder.kind == KIND,
            Reminder.subject_type == KIND,
            Reminder.subject_id == week,
        )
        .limit(1)
    )
    if sent is not None:
        return False
    service.notice(
        kind=KIND,
        subject_type=KIND,
        subject_id=week,
        user_ids=[teacher_id],
        title=title,
        body=body,
        page=PAGE,
        school_id=school_id,
        now=now,
    )
    return True


def send_weekly_digests(now: dt.datetime) -> int:
    """The job's work: every homeroom teacher's digest of this week, each committed on its own; returns how
    many were written (0 when the week's digests were already sent)."""
    classes = current_homeroom_classes(now.astimezone(SHANGHAI).date())
    counts = unvisited_counts([c.id for teacher_classes in classes.values() for c in teacher_classes])
    messages = {
        teacher_id: (teacher_classes[0].school_id, digest_text(teacher_classes, counts))
        for teacher_id, teacher_classes in classes.items()
    }
    db.session.commit()  # each teacher's transaction starts with its lock
    week, written = week_of(now), 0
    for teacher_id, (school_id, text) in sorted(messages.items()):
        if text is None:
            continue
        try:
            written += send_digest(teacher_id, school_id, *text, week, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("visit digest of teacher %s (week %s) failed", teacher_id, week)
    return written
