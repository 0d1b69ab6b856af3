"""绿色通道资格 and the alliance venue policy: derived from the database, never from what the client says.

A child is green-eligible at a unit when the child's current class → school → (approved) alliance is one of the
alliances the unit is a member of (AllianceMember). A family's green channel is suspended while a
``GreenSuspension`` is in force.
"""

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import School, SchoolClass
from jlt_family.organizations.students import Student
from jlt_family.venues.models import GreenSuspension, VenuePolicy


def unit_alliance_ids(unit_id):
    """The alliances a resource unit serves."""
    return frozenset(
        db.session.scalars(sa.select(AllianceMember.alliance_id).where(AllianceMember.resource_unit_id == unit_id))
    )


def child_alliances(student_ids):
    """``{student_id: alliance_id}`` through each child's current class and its school (approved alliances)."""
    if not student_ids:
        return {}
    rows = db.session.execute(
        sa.select(Student.id, School.alliance_id)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(School, School.id == SchoolClass.school_id)
        .join(Alliance, Alliance.id == School.alliance_id)
        .where(Student.id.in_(list(student_ids)), Alliance.status == AllianceStatus.APPROVED)
    )
    return dict(rows.all())


def family_alliance_ids(family_id):
    """The alliances of a family's children (through their current classes)."""
    if family_id is None:
        return frozenset()
    ids = db.session.scalars(sa.select(Student.id).where(Student.family_id == family_id)).all()
    return frozenset(child_alliances(ids).values())


def class_alliance_id(school_class):
    alliance = school_class.school.alliance
    return alliance.id if alliance is not None and alliance.status == AllianceStatus.APPROVED else None


def policy_of(alliance_id):
    """The venue policy of an alliance: its row, or an unsaved row with the defaults."""
    policy = db.session.get(VenuePolicy, alliance_id) if alliance_id is not None else None
    return policy or VenuePolicy(alliance_id=alliance_id, **VenuePolicy.DEFAULTS)


def family_policy(family_id):
    """The policy that applies to a family: that of its children's first alliance (defaults without one)."""
    alliance_ids = family_alliance_ids(family_id)
    return policy_of(min(alliance_ids) if alliance_ids else None)


def suspension_in_force(family_id, now=None):
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
