"""The caller's scopes: which schools, classes, units, alliances, regions and family a user's roles reach.

Each scope is one query (or none) over the user's staff memberships, classes and guardian rows, computed from the
database, never from what the client says. ``jlt_family.auth.context.Actor`` calls these once per request and
keeps the answers; nothing else should compute a scope by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.families.models import Guardian
from jlt_family.organizations.models import ClassTeacher, SchoolClass, StaffMembership, StaffRole
from jlt_family.organizations.service import region_subtree_ids


def memberships(user_id: int) -> Sequence[StaffMembership]:
    """岗位授权: the user's active staff memberships (one query)."""
    return db.session.scalars(
        sa.select(StaffMembership).where(StaffMembership.user_id == user_id, StaffMembership.revoked_at.is_(None))
    ).all()


def _scope_ids(held: Iterable[StaffMembership], role: StaffRole, column: str) -> frozenset[int]:
    return frozenset(getattr(m, column) for m in held if m.role == role)


def admin_school_ids(held: Iterable[StaffMembership]) -> frozenset[int]:
    """Schools where the memberships make a school admin (学校领导)."""
    return _scope_ids(held, StaffRole.SCHOOL_ADMIN, "school_id")


def teacher_school_ids(held: Iterable[StaffMembership]) -> frozenset[int]:
    """Schools where the memberships make a teacher (教师)."""
    return _scope_ids(held, StaffRole.TEACHER, "school_id")


def unit_ids(held: Iterable[StaffMembership]) -> frozenset[int]:
    """Resource units where the memberships make venue staff (场馆工作人员)."""
    return _scope_ids(held, StaffRole.VENUE_STAFF, "resource_unit_id")


def alliance_ids(held: Iterable[StaffMembership]) -> frozenset[int]:
    """Alliances (教联体) the memberships administer."""
    return _scope_ids(held, StaffRole.ALLIANCE_ADMIN, "alliance_id")


def region_ids(held: Iterable[StaffMembership]) -> frozenset[int]:
    """Regions the memberships administer (教育局), with every region under them (no query without one)."""
    roots = _scope_ids(held, StaffRole.REGION_ADMIN, "region_id")
    return region_subtree_ids(roots) if roots else frozenset()


def homeroom_class_ids(user_id: int) -> frozenset[int]:
    """Classes whose 班主任 the user is (one query)."""
    return frozenset(db.session.scalars(sa.select(SchoolClass.id).where(SchoolClass.homeroom_teacher_id == user_id)))


def subject_class_ids(user_id: int, school_ids: Iterable[int]) -> frozenset[int]:
    """Classes of these schools the user teaches as 科任教师 (one query)."""
    return frozenset(
        db.session.scalars(
            sa.select(ClassTeacher.class_id)
            .join(SchoolClass, SchoolClass.id == ClassTeacher.class_id)
            .where(ClassTeacher.user_id == user_id, SchoolClass.school_id.in_(school_ids))
        )
    )


def guardian_of(user_id: int) -> Guardian | None:
    """家长: the user's guardian row (their place in a family), if any (one query)."""
    return db.session.scalar(sa.select(Guardian).where(Guardian.user_id == user_id))
