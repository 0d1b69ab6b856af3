"""教联体工作协调会的参会情况: who attended a coordination meeting, by kind of representative.

兴安盟 001 §二(二)1: "各学校每学年至少召开1次“教联体”工作协调会，邀请家庭、社区及社会资源单位代表参加，共商协同育人
事宜。" A coordination meeting is a session of a course of kind ``alliance_meeting`` (run by a school or by the
alliance); once it has begun, its organisers record how many representatives of families (家庭), communities
(社区) and social resource units (社会资源单位) took part, and which units (``note``). The evaluation reports
count them per school and per alliance (reports/queries.py ``meeting_attendees``).
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jlt_family.core.db_types import UTCDateTime
from jlt_family.core.errors import Conflict
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.courses.models import ActivityKind, CourseSession, SessionStatus

ATTENDEE_KINDS = ("families", "community", "resource_units")  # 家庭、社区、社会资源单位代表
ATTENDEE_LABELS = {"families": "家庭代表", "community": "社区代表", "resource_units": "社会资源单位代表"}


class AttendeeCounts(TypedDict):
    """参会代表人数 by kind, and which units took part."""

    families: int
    community: int
    resource_units: int
    note: str


class MeetingAttendance(db.Model):
    """协调会参会情况: one row per coordination-meeting session, the representatives who attended by kind."""

    __tablename__ = "meeting_attendance"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("course_session.id"), primary_key=True)
    families: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    community: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    resource_units: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @classmethod
    def nothing_yet(cls, session_id: int) -> MeetingAttendance:
        """What a meeting shows before its attendance is recorded (zeros; never saved)."""
        return cls(session_id=session_id, families=0, community=0, resource_units=0, note="", recorded_at=None)

    @property
    def all_kinds_attended(self) -> bool:
        """家庭、社区、社会资源单位代表均有参加."""
        return all(getattr(self, kind) for kind in ATTENDEE_KINDS)


def _check_meeting(session: CourseSession) -> None:
    if session.course.activity_kind != ActivityKind.ALLIANCE_MEETING:
        raise Conflict("只有教联体协调会的场次可以登记参会代表", code="not_a_coordination_meeting")
    if session.status == SessionStatus.CANCELLED:
        raise Conflict("该场次已取消", code="session_cancelled")


def attendance_of(session: CourseSession) -> MeetingAttendance:
    """The recorded attendance of a coordination meeting (zeros when nothing is recorded yet)."""
    _check_meeting(session)
    return db.session.get(MeetingAttendance, session.id) or MeetingAttendance.nothing_yet(session.id)


def record_attendance(session: CourseSession, user_id: int, *, counts: AttendeeCounts) -> MeetingAttendance:
    """登记参会代表: once the meeting has begun; a later record replaces the earlier one."""
    _check_meeting(session)
    if session.starts_at > utcnow():
        raise Conflict("协调会开始后才能登记参会代表", code="meeting_not_held_yet")
    # the session row's lock serialises two records of one meeting (the first one inserts, the next replaces it)
    db.session.execute(sa.select(CourseSession.id).where(CourseSession.id == session.id).with_for_update())
    # a locking read too: under REPEATABLE READ a plain one would see the transaction's older snapshot, miss the
    # row the lock's previous holder inserted, and insert a duplicate
    row = db.session.scalar(
        sa.select(MeetingAttendance)
        .where(MeetingAttendance.session_id == session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        row = MeetingAttendance(session_id=session.id)
        db.session.add(row)
    row.families, row.community, row.resource_units = counts["families"], counts["community"], counts["resource_units"]
    row.note = counts["note"]
    row.recorded_by_id, row.recorded_at = user_id, utcnow()
    db.session.flush()
    return row
