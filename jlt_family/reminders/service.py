"""Rules of reminders: planning them from the alliance policy, cancelling, notices, the inbox and broadcasts
(consents and mutes: ``consents.py``; the delivery state: ``delivery.py``). Everything runs in the caller's
transaction; nothing here commits.

``now`` is a parameter of every time-dependent function (the receivers pass the current time), so tests run
on a frozen clock.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceStatus
from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.sql import rowcount
from jlt_family.core.timeutil import utcnow
from jlt_family.families.models import Guardian
from jlt_family.organizations.models import School, SchoolClass
from jlt_family.organizations.students import Student
from jlt_family.reminders.models import (
    LIFECYCLE,
    Broadcast,
    InboxOutcome,
    Reminder,
    ReminderStatus,
)
from jlt_family.reminders.policy import Policy, policies_for, policy_of_alliance
from jlt_family.venues.models import Booking, GreenSuspension
from jlt_family.visits.models import HomeVisit

BROADCAST_KIND = "broadcast"
DEFAULT_PAGE = "pages/inbox/index"
# What cancelling a thing reaches: its reminders still to be sent (pending, or being sent right now).
_CANCELLABLE = sorted(LIFECYCLE.sources(ReminderStatus.CANCELLED), key=str)


# Planning ------------------------------------------------------------------------------------------------------


def planned_pushes(
    policy: Policy, starts_at: dt.datetime, ends_at: dt.datetime | None, now: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime, InboxOutcome | None]]:
    """``(inbox_at, due_at, outcome)`` per lead time: lead times already past are skipped; a push inside the
    quiet hours is deferred to their end, or dropped (inbox only) when the event is over by then; two pushes
    deferred to the same instant become one."""
    over_at = ends_at or starts_at
    plans: list[tuple[dt.datetime, dt.datetime, InboxOutcome | None]] = []
    seen: set[dt.datetime] = set()
    for minutes in sorted(set(policy.lead_minutes), reverse=True):
        at = starts_at - dt.timedelta(minutes=minutes)
        if at < now:
            continue
        due = policy.push_time(at)
        if due in seen:
            continue
        seen.add(due)
        plans.append((at, at, InboxOutcome.QUIET_HOURS) if due >= over_at else (at, due, None))
    return plans


def _row(
    *,
    user_id: int | None,
    kind: str,
    subject_type: str,
    subject_id: int,
    alliance_id: int | None,
    title: str,
    body: str = "",
    place: str = "",
    page: str = "",
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    inbox_at: dt.datetime,
    due_at: dt.datetime,
    outcome: InboxOutcome | None = None,
    now: dt.datetime,
) -> dict[str, Any]:
    status = ReminderStatus.INBOX_ONLY if outcome else ReminderStatus.PENDING
    return {
        "user_id": user_id,
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "alliance_id": alliance_id,
        "title": title[:100],
        "body": body[:500],
        "place": place[:100],
        "page": page[:300],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "inbox_at": inbox_at,
        "due_at": due_at,
        "next_attempt_at": due_at,
        "status": status,
        "outcome": outcome,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
    }


def _insert(rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(sa.insert(Reminder), rows)


def schedule(
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    user_ids: Iterable[int],
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    title: str,
    page: str,
    school_id: int | None,
    place: str = "",
    now: dt.datetime | None = None,
    replace: bool = True,
) -> int:
    """Plan the reminders of a thing for ``user_ids``, replacing their pending reminders of it; the lead times
    and quiet hours are those of the school's alliance (with no school: each user's own, see ``policies_for``).

    ``replace=False`` for a thing created in the caller's transaction: it has nothing to replace, and the
    replacing UPDATE would take next-key locks at the end of ``ix_reminder_subject`` (InnoDB, REPEATABLE READ)
    that serialise, and deadlock, concurrent transactions inserting reminders of other new things.
    """
    now = now or utcnow()
    users = sorted(set(user_ids))
    if replace:
        cancel(subject_type, subject_id, users)
    rows = [
        _row(
            user_id=user_id,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            alliance_id=policy.alliance_id,
            title=title,
            place=place or "",
            page=page,
            starts_at=starts_at,
            ends_at=ends_at,
            inbox_at=at,
            due_at=due,
            outcome=outcome,
            now=now,
        )
        for policy, group in _by_policy(school_id, users).items()
        for at, due, outcome in planned_pushes(policy, starts_at, ends_at, now)
        for user_id in group
    ]
    _insert(rows)
    return len(rows)


def _by_policy(school_id: int | None, user_ids: list[int]) -> dict[Policy, list[int]]:
    """The users grouped by the policy that applies to them (see ``policy.policies_for``)."""
    groups: dict[Policy, list[int]] = {}
    for user_id, policy in policies_for(school_id, user_ids).items():
        groups.setdefault(policy, []).append(user_id)
    return groups


def cancel(subject_type: str, subject_id: int, user_ids: Iterable[int] | None = None) -> int:
    """Cancel the planned reminders of a thing (of ``user_ids``, or everyone's); returns how many.

    Only reminders before the thing (they carry its ``starts_at``), never notices about it: a "you were promoted
    from the waitlist" notice must survive the rescheduling that comes with it. Rows being sent right now are
    cancelled too: the dispatcher's token-guarded mark then finds nothing to finish, so no retry follows.
    """
    stmt = sa.update(Reminder).where(
        Reminder.subject_type == subject_type,
        Reminder.subject_id == subject_id,
        Reminder.starts_at.is_not(None),
        Reminder.status.in_(_CANCELLABLE),
    )
    if user_ids is not None:
        stmt = stmt.where(Reminder.user_id.in_(list(user_ids)))
    values = {"status": ReminderStatus.CANCELLED, "claim_token": None, "lease_until": None}
    return rowcount(db.session.execute(stmt.values(values)))


def cancel_family_reminders(user_id: int, family_id: int) -> int:
    """A guardian left the family (退出家庭): cancel what is still to be sent to them about the family's things.

    Their pending reminders and notices of the family's home visits (its children's), venue bookings and green
    channel suspensions; sent ones stay in their inbox (history). What the user receives in another role (a
    teacher's visit reminders, say) is not the family's and stays. Course places were given back by courses.
    """
    family_things = sa.or_(
        sa.and_(
            Reminder.subject_type == "home_visit",
            Reminder.subject_id.in_(
                sa.select(HomeVisit.id)
                .join(Student, Student.id == HomeVisit.student_id)
                .where(Student.family_id == family_id)
            ),
        ),
        sa.and_(
            Reminder.subject_type == "venue_booking",
            Reminder.subject_id.in_(sa.select(Booking.id).where(Booking.family_id == family_id)),
        ),
        sa.and_(
            Reminder.subject_type == "venue_green_suspension",
            Reminder.subject_id.in_(sa.select(GreenSuspension.id).where(GreenSuspension.family_id == family_id)),
        ),
    )
    stmt = (
        sa.update(Reminder)
        .where(
            Reminder.user_id == user_id,
            family_things,
            Reminder.status.in_(_CANCELLABLE),
        )
        .values(status=ReminderStatus.CANCELLED, claim_token=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(db.session.execute(stmt))


def notice(
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    user_ids: Iterable[int],
    title: str,
    body: str,
    page: str,
    school_id: int | None,
    now: dt.datetime | None = None,
) -> None:
    """An immediate reminder (pushed at once, or at the end of the user's quiet hours); in the inbox at once."""
    now = now or utcnow()
    _insert(
        [
            _row(
                user_id=user_id,
                kind=kind,
                subject_type=subject_type,
                subject_id=subject_id,
                alliance_id=policy.alliance_id,
                title=title,
                body=body,
                page=page,
                inbox_at=now,
                due_at=policy.push_time(now),
                now=now,
            )
            for user_id, policy in policies_for(school_id, user_ids).items()
        ]
    )


# Inbox ---------------------------------------------------------------------------------------------------------


def _in_inbox(user_id: int, now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.and_(Reminder.user_id == user_id, Reminder.inbox_at <= now, Reminder.status != ReminderStatus.CANCELLED)


def inbox_query(user_id: int, now: dt.datetime, *, unread: bool = False) -> sa.Select[tuple[Reminder]]:
    stmt = sa.select(Reminder).where(_in_inbox(user_id, now)).order_by(Reminder.inbox_at.desc(), Reminder.id.desc())
    if unread:
        stmt = stmt.where(Reminder.read_at.is_(None))
    return stmt


def unread_count(user_id: int, now: dt.datetime) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Reminder).where(_in_inbox(user_id, now), Reminder.read_at.is_(None))
    ).scalar_one()


def inbox_item(user_id: int, reminder_id: int, now: dt.datetime) -> Reminder | None:
    """The user's inbox item, or None (someone else's, cancelled or not yet due: the same)."""
    return db.session.scalar(sa.select(Reminder).where(Reminder.id == reminder_id, _in_inbox(user_id, now)))


def mark_read(reminder: Reminder, now: dt.datetime) -> Reminder:
    if reminder.read_at is None:
        reminder.read_at = now
    return reminder


def mark_all_read(user_id: int, now: dt.datetime) -> int:
    stmt = sa.update(Reminder).where(_in_inbox(user_id, now), Reminder.read_at.is_(None)).values(read_at=now)
    return rowcount(db.session.execute(stmt.execution_options(synchronize_session=False)))


# Broadcasts ----------------------------------------------------------------------------------------------------


def broadcast(
    alliance: Alliance,
    sender_id: int,
    *,
    title: str,
    body: str,
    page: str = "",
    school_ids: Iterable[int] = (),
    grades: Iterable[int] = (),
    now: dt.datetime | None = None,
) -> Broadcast:
    """Send a notice to every guardian of a child in the alliance's schools (or chosen schools, grades),
    with one INSERT ... SELECT (each guardian once, however many children)."""
    now = now or utcnow()
    if alliance.status != AllianceStatus.APPROVED:
        raise Conflict("该教联体未获批准或已暂停，暂不能发送通知", code="alliance_not_active")
    schools, chosen_grades = sorted(set(school_ids)), sorted(set(grades))
    outside = set(schools) - {school.id for school in alliance.schools}
    if outside:
        raise RuleViolation(
            "所选学校不属于该教联体",
            code="school_not_in_alliance",
            errors={"json": {"school_ids": [f"不属于该教联体: {sorted(outside)}"]}},
        )
    record = Broadcast(
        alliance_id=alliance.id,
        title=title,
        body=body,
        page=page or DEFAULT_PAGE,
        school_ids=schools,
        grades=chosen_grades,
        created_by_id=sender_id,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    record.recipients = _fan_out(record, alliance, now)
    return record


def _fan_out(record: Broadcast, alliance: Alliance, now: dt.datetime) -> int:
    due = policy_of_alliance(alliance).push_time(now)
    constants = _row(
        user_id=None,
        kind=BROADCAST_KIND,
        subject_type=BROADCAST_KIND,
        subject_id=record.id,
        alliance_id=alliance.id,
        title=record.title,
        body=record.body,
        page=record.page,
        inbox_at=now,
        due_at=due,
        now=now,
    )
    del constants["user_id"]
    table = Reminder.__table__
    columns = [table.c.user_id] + [table.c[name] for name in constants]
    values = [
        sa.literal(value, type_=table.c[name].type) if value is not None else sa.null()
        for name, value in constants.items()
    ]
    recipients = (
        sa.select(Guardian.user_id, *values)
        .join(Student, Student.family_id == Guardian.family_id)
        .join(School, School.id == Student.school_id)
        .where(School.alliance_id == alliance.id)
        .distinct()
    )
    if record.school_ids:
        recipients = recipients.where(School.id.in_(record.school_ids))
    if record.grades:
        recipients = recipients.join(SchoolClass, SchoolClass.id == Student.class_id).where(
            SchoolClass.grade.in_(record.grades)
        )
    stmt = sa.insert(table).from_select([c.name for c in columns], recipients, include_defaults=False)
    return rowcount(db.session.execute(stmt))
