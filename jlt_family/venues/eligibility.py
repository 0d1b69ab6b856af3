"""绿色通道资格 and the alliance venue policy: derived from the database, never from what the client says.

A child is green-eligible at a unit when the child's current class → school → (approved) alliance is one of the
alliances the unit is a member of (AllianceMember). A family's green channel is suspended while a
``GreenSuspension`` is in force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import School, SchoolClass
from jlt_family.organizations.students import Student
from jlt_family.venues.models import GreenSuspension, VenuePolicy


def unit_alliance_ids(unit_id: int) -> frozenset[int]:
    """The alliances a resource unit serves."""
    return frozenset(
        db.session.scalars(sa.select(AllianceMember.alliance_id).where(AllianceMember.resource_unit_id == unit_id))
    )


def child_alliances(student_ids: Iterable[int]) -> dict[int, int]:
    """``{student_id: alliance_id}`` through each child's current class and its school (approved alliances)."""
    student_ids = list(student_ids)
    if not student_ids:
        return {}
    rows = db.session.execute(
        sa.select(Student.id, School.alliance_id)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(School, School.id == SchoolClass.school_id)
        .join(Alliance, Alliance.id == School.alliance_id)
        .where(Student.id.in_(list(student_ids)), Alliance.status == AllianceStatus.APPROVED)
    )
    return {student_id: alliance_id for student_id, alliance_id in rows.all() if alliance_id is not None}


def family_alliance_ids(family_id: int | None) -> frozenset[int]:
    """The alliances of a family's children (through their current classes)."""
    if family_id is None:
        return frozenset()
    ids = db.session.scalars(sa.select(Student.id).where(Student.family_id == family_id)).all()
    return frozenset(child_alliances(ids).values())


def class_alliance_id(school_class: SchoolClass) -> int | None:
    """The approved alliance of a class's school, if any."""
    alliance = school_class.school.alliance
    return alliance.id if alliance is not None and alliance.status == AllianceStatus.APPROVED else None


def policy_of(alliance_id: int | None) -> VenuePolicy:
    """The venue policy of an alliance: its row, or an unsaved row with the defaults."""
    policy = db.session.get(VenuePolicy, alliance_id) if alliance_id is not None else None
    if policy is None:
        policy = VenuePolicy(alliance_id=alliance_id)
        for name, value in VenuePolicy.DEFAULTS.items():
            setattr(policy, name, value)
    return policy


def family_policy(family_id: int) -> VenuePolicy:
    """The policy that applies to a family: that of its children's first alliance (defaults without one)."""
    alliance_ids = family_alliance_ids(family_id)
    return policy_of(min(alliance_ids) if alliance_ids else None)


def suspension_in_force(family_id: int | None, now: dt.datetime | None = None) -> GreenSuspension | None:
    """The family's green-channel suspension in force now, if any."""
    if family_id is None:
        return None
    now = now or utcnow()
    return db.session.scalar(
        sa.select(GreenSuspension)
        .where(
            GreenSuspension.family_id == family_id,
            GreenSuspension.lifted_at.is_(None),
            GreenSuspension.starts_at <= now,
            GreenSuspension.ends_at > now,
        )
        .order_by(GreenSuspension.ends_at.desc())
        .limit(1)
    )


def green_at_unit(family_id: int | None, unit_id: int) -> bool:
    """Whether the family may use the green channel at the unit now: one of its children's alliances is one the
    unit serves, and no suspension is in force."""
    if not unit_alliance_ids(unit_id) & family_alliance_ids(family_id):
        return False
    return suspension_in_force(family_id) is None


@dataclasses.dataclass
class GreenChannel:
    """家长的绿色通道: the alliances that make the family eligible, and a suspension in force (why, until when)."""

    eligible_alliance_ids: list[int]
    suspended: bool
    suspended_until: dt.datetime | None
    reason: str | None


def green_channel(family_id: int) -> GreenChannel:
    """The family's green channel now."""
    suspension = suspension_in_force(family_id)
    return GreenChannel(
        eligible_alliance_ids=sorted(family_alliance_ids(family_id)),
        suspended=suspension is not None,
        suspended_until=suspension.ends_at if suspension else None,
        reason=suspension.reason if suspension else None,
    )


def set_policy(
    alliance_id: int,
    *,
    max_active_bookings: int,
    no_show_limit: int,
    no_show_window_days: int,
    suspension_days: int,
) -> VenuePolicy:
    """设置场馆预约规则 of an alliance (the row is created on the first change)."""
    policy = db.session.get(VenuePolicy, alliance_id) or VenuePolicy(alliance_id=alliance_id)
    policy.max_active_bookings = max_active_bookings
    policy.no_show_limit = no_show_limit
    policy.no_show_window_days = no_show_window_days
    policy.suspension_days = suspension_days
    db.session.add(policy)
    return policy
