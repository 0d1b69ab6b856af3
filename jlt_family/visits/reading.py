"""Reading visits (查看家访): the visits a caller may see, one visit as their side sees it, their follow-ups.

The family sees the shared summary, never the notes; notes, follow-ups and the home address appear only for
those the permissions allow. Every staff read is one audit entry (``audit_read``) saying what it showed. What
differs per caller is carried by ``SeenVisit``, the object the output schemas dump.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit_read
from jlt_family.core.pagination import paginate
from jlt_family.organizations.students import Student
from jlt_family.visits import permissions
from jlt_family.visits.models import (
    FollowUpAction,
    FollowUpStatus,
    HomeVisit,
    Side,
    VisitMode,
    VisitParticipant,
    VisitRecord,
    VisitState,
)


@dataclass(frozen=True)
class RecordExtract:
    """家访记录摘要: a record without what the caller may not see (the notes and follow-ups; for the family, the
    attendees and topics too)."""

    visited_at: dt.datetime
    mode: VisitMode
    family_summary: str
    attendees: str = ""
    topics: list[str] = field(default_factory=list)
    notes: None = None
    follow_ups: list[FollowUpAction] = field(default_factory=list)


@dataclass(frozen=True)
class SeenVisit:
    """A visit as one caller sees it: their side, and whether the notes and the home address are shown to them.

    Every other attribute is the visit's own (``seen.state`` is ``seen.visit.state``).
    """

    visit: HomeVisit
    my_side: Side | None
    with_notes: bool = False
    with_address: bool = False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "visit":
            raise AttributeError(name)
        return getattr(self.visit, name)

    @property
    def record(self) -> VisitRecord | RecordExtract | None:
        record = self.visit.record
        if record is None or (self.my_side == Side.STAFF and self.with_notes):
            return record
        if self.my_side == Side.STAFF:
            return RecordExtract(
                record.visited_at, record.mode, record.family_summary, record.attendees, list(record.topics)
            )
        return RecordExtract(record.visited_at, record.mode, record.family_summary)

    @property
    def home_address(self) -> str | None:
        family = self.visit.student.family
        shown = self.with_address or self.my_side == Side.FAMILY
        return family.home_address if shown and family is not None else None


def visible_visits(actor: Actor) -> sa.ColumnElement[bool]:
    """A WHERE clause narrowing visits to those the caller takes part in, as staff or as family."""
    mine = sa.select(VisitParticipant.visit_id).where(VisitParticipant.user_id == actor.user_id)
    family_students = sa.select(Student.id).where(Student.family_id == actor.family_id)
    return sa.or_(
        sa.and_(HomeVisit.class_id.in_(actor.taught_class_ids), HomeVisit.school_id.in_(actor.staff_school_ids)),
        HomeVisit.school_id.in_(actor.admin_school_ids),
        sa.and_(HomeVisit.id.in_(mine), HomeVisit.school_id.in_(actor.staff_school_ids)),
        sa.and_(sa.literal(actor.family_id is not None), HomeVisit.student_id.in_(family_students)),
    )


_LIST_LOADS = (
    selectinload(HomeVisit.student),
    selectinload(HomeVisit.school_class),
    selectinload(HomeVisit.windows),
    selectinload(HomeVisit.participants).selectinload(VisitParticipant.user),
)


def list_visits(
    actor: Actor,
    *,
    state: VisitState | None = None,
    awaiting: Side | None = None,
    student_id: int | None = None,
    class_id: int | None = None,
    page: int,
    page_size: int,
    query: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """我的家访: a page of the visits the caller sees (newest first), each as their side sees it; a staff read
    is audit-logged in the trail of each school whose visits it shows (``query``: the filters as given)."""
    stmt = sa.select(HomeVisit).where(visible_visits(actor)).options(*_LIST_LOADS).order_by(HomeVisit.id.desc())
    filters = {"state": state, "awaiting": awaiting, "student_id": student_id, "class_id": class_id}
    for name, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(HomeVisit, name) == value)
    result = paginate(stmt, page, page_size)
    sides = {visit.id: permissions.side_of(actor, visit) for visit in result["items"]}
    if actor.staff_school_ids:
        audit_read(
            actor,
            "read_visits",
            "home_visit",
            None,
            result,
            query=query,
            per_school=lambda visit: visit.school_id if sides[visit.id] == Side.STAFF else None,
        )
    return {**result, "items": [SeenVisit(visit, sides[visit.id]) for visit in result["items"]]}


def read_visit(actor: Actor, visit_id: int) -> SeenVisit:
    """家访详情 as the caller's side sees it; a staff read is one audit entry saying whether it showed the notes
    and the home address. 404 for unknown and out-of-scope ids alike."""
    visit, side = permissions.visit_or_404(actor, visit_id)
    staff = side == Side.STAFF
    with_notes = staff and permissions.sees_notes(actor, visit) and visit.record is not None
    with_address = staff and permissions.sees_address(actor, visit)
    if staff:
        audit_read(
            actor,
            "read_visit",
            "home_visit",
            visit.id,
            1,
            school_id=visit.school_id,
            student_id=visit.student_id,
            notes=with_notes,
            home_address=with_address,
        )
    return SeenVisit(visit, side, with_notes=with_notes, with_address=with_address)


def my_follow_ups(actor: Actor, *, status: FollowUpStatus, page: int, page_size: int) -> dict[str, Any]:
    """我的后续跟进: a page of the follow-ups the caller owns at schools where they are staff, soonest due first."""
    stmt = (
        sa.select(FollowUpAction)
        .join(VisitRecord, VisitRecord.id == FollowUpAction.record_id)
        .join(HomeVisit, HomeVisit.id == VisitRecord.visit_id)
        .where(FollowUpAction.owner_id == actor.user_id, HomeVisit.school_id.in_(actor.staff_school_ids))
        .options(
            joinedload(FollowUpAction.owner),
            joinedload(FollowUpAction.record)
            .joinedload(VisitRecord.visit)
            .options(selectinload(HomeVisit.student), selectinload(HomeVisit.school_class)),
        )
        .order_by(FollowUpAction.due_on, FollowUpAction.id)
    )
    if status == FollowUpStatus.OPEN:
        stmt = stmt.where(FollowUpAction.done_at.is_(None))
    elif status == FollowUpStatus.DONE:
        stmt = stmt.where(FollowUpAction.done_at.is_not(None))
    return paginate(stmt, page, page_size)
