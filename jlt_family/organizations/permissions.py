"""Who may see and do what in the organisation model: predicates over the caller (``Actor``), and list filters.

Deny by default. "Overseeing" a school means administering something above it (its alliance or a region over
it); "administering" a school adds its own school admins. A school's staff area (classes, rosters, staff) is
visible to its staff and to those overseeing it; everyone else gets 404 there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceSchool, AllianceStatus
from jlt_family.core.errors import NotFound, PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.organizations.models import ROLE_SCOPE, Region, ResourceUnit, School, SchoolClass, StaffRole
from jlt_family.organizations.students import Student

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor

T = TypeVar("T")
Scope = School | ResourceUnit | Alliance | Region  # what a staff role is held over

ADMIN_ROLES = frozenset({StaffRole.SCHOOL_ADMIN, StaffRole.ALLIANCE_ADMIN, StaffRole.REGION_ADMIN})


# Alliances ---------------------------------------------------------------------------------------------------


def administers_alliance(actor: Actor, alliance: Alliance) -> bool:
    """教联体管理员 of the alliance, or 教育局管理员 of its region (or a region above)."""
    return alliance.id in actor.alliance_ids or alliance.region_id in actor.region_ids


def applies_for_alliance(actor: Actor, alliance: Alliance) -> bool:
    """学校管理员 of a school named in the alliance's application (centre or member school)."""
    return any(row.school_id in actor.admin_school_ids for row in alliance.proposed_schools)


def can_view_alliance(actor: Actor, alliance: Alliance) -> bool:
    """Approved alliances are public to signed-in users; the others only to their administrators and to the
    admins of the schools in their application."""
    return (
        alliance.status == AllianceStatus.APPROVED
        or administers_alliance(actor, alliance)
        or applies_for_alliance(actor, alliance)
    )


def visible_alliances(actor: Actor) -> sa.ColumnElement[bool]:
    """A WHERE clause narrowing alliances to those ``can_view_alliance`` allows."""
    return sa.or_(
        Alliance.status == AllianceStatus.APPROVED,
        Alliance.id.in_(actor.alliance_ids),
        Alliance.region_id.in_(actor.region_ids),
        Alliance.id.in_(
            sa.select(AllianceSchool.alliance_id).where(AllianceSchool.school_id.in_(actor.admin_school_ids))
        ),
    )


def is_alliance_staff(actor: Actor, alliance: Alliance) -> bool:
    """Administrators of the alliance, staff of its schools and staff of its member units."""
    if administers_alliance(actor, alliance) or applies_for_alliance(actor, alliance):
        return True
    if any(school.id in actor.staff_school_ids for school in alliance.schools):
        return True
    return any(m.resource_unit_id in actor.unit_ids for m in alliance.members if m.resource_unit_id)


# Schools -----------------------------------------------------------------------------------------------------


def oversees_school(actor: Actor, school: School) -> bool:
    """Administers the school's alliance or a region over it."""
    return school.alliance_id in actor.alliance_ids or school.region_id in actor.region_ids


def administers_school(actor: Actor, school: School) -> bool:
    """学校管理员 of the school, or an administrator above it."""
    return school.id in actor.admin_school_ids or oversees_school(actor, school)


def sees_school_staff_area(actor: Actor, school: School) -> bool:
    """Staff of the school (teachers, school admins) and administrators above it."""
    return school.id in actor.staff_school_ids or oversees_school(actor, school)


def visible_classes_clause(actor: Actor, school: School) -> sa.ColumnElement[bool]:
    """Which of a school's classes the caller may list: all for administrators, the taught ones for teachers."""
    if administers_school(actor, school):
        return sa.true()
    return SchoolClass.id.in_(actor.taught_class_ids)


def guardian_school_ids(actor: Actor) -> frozenset[int]:
    """Schools the caller's children attend."""

    if actor.family_id is None:
        return frozenset()
    return frozenset(db.session.scalars(sa.select(Student.school_id).where(Student.family_id == actor.family_id)))


def can_view_school(actor: Actor, school: School) -> bool:
    if school.alliance is not None and can_view_alliance(actor, school.alliance):
        return True
    return sees_school_staff_area(actor, school) or school.id in guardian_school_ids(actor)


def visible_schools(actor: Actor) -> sa.ColumnElement[bool]:
    """A WHERE clause narrowing schools to those ``can_view_school`` allows."""
    visible_alliance_ids = sa.select(Alliance.id).where(visible_alliances(actor))
    return sa.or_(
        School.alliance_id.in_(visible_alliance_ids),
        School.id.in_(actor.staff_school_ids),
        School.region_id.in_(actor.region_ids),
        School.id.in_(guardian_school_ids(actor)),
    )


# Classes -----------------------------------------------------------------------------------------------------


def is_homeroom_teacher(actor: Actor, school_class: SchoolClass) -> bool:
    return actor.user_id is not None and school_class.homeroom_teacher_id == actor.user_id


def can_view_class(actor: Actor, school_class: SchoolClass) -> bool:
    """Teachers of the class (班主任, 科任教师), school admins and administrators above the school."""
    return school_class.id in actor.taught_class_ids or administers_school(actor, school_class.school)


def manages_class(actor: Actor, school_class: SchoolClass) -> bool:
    """学校管理员 of the class's school: assigns teachers."""
    return school_class.school_id in actor.admin_school_ids


def sees_invite_code(actor: Actor, school_class: SchoolClass) -> bool:
    """The class invite code: its 班主任 and the school's admins."""
    return is_homeroom_teacher(actor, school_class) or manages_class(actor, school_class)


def can_read_roster(actor: Actor, school_class: SchoolClass) -> bool:
    """The class list: teachers of the class and the school's admins."""
    return school_class.id in actor.taught_class_ids or manages_class(actor, school_class)


def sees_sensitive_flags(actor: Actor, school_class: SchoolClass) -> bool:
    """留守/流动/困境/残疾 flags: only the 班主任 and the school's leaders (school admins)."""
    return is_homeroom_teacher(actor, school_class) or manages_class(actor, school_class)


# Resource units ----------------------------------------------------------------------------------------------


def administers_unit(actor: Actor, unit: ResourceUnit) -> bool:
    """Administrator of an alliance the unit is a member of, or of a region over the unit."""
    if unit.region_id in actor.region_ids:
        return True
    return any(m.alliance_id in actor.alliance_ids for m in unit.memberships)


def sees_unit_contact(actor: Actor, unit: ResourceUnit) -> bool:
    return unit.id in actor.unit_ids or administers_unit(actor, unit)


def can_view_unit(actor: Actor, unit: ResourceUnit) -> bool:
    """Active units are public to signed-in users; inactive ones only to their staff and administrators."""
    return unit.is_active or sees_unit_contact(actor, unit)


def unit_ids_of_alliances(alliance_ids: Iterable[int]) -> frozenset[int]:
    if not alliance_ids:
        return frozenset()
    return frozenset(
        db.session.scalars(
            sa.select(AllianceMember.resource_unit_id).where(
                AllianceMember.alliance_id.in_(alliance_ids), AllianceMember.resource_unit_id.is_not(None)
            )
        )
    )


def visible_units(actor: Actor) -> sa.ColumnElement[bool]:
    return sa.or_(
        ResourceUnit.is_active.is_(True),
        ResourceUnit.id.in_(actor.unit_ids),
        ResourceUnit.region_id.in_(actor.region_ids),
        ResourceUnit.id.in_(unit_ids_of_alliances(actor.alliance_ids)),
    )


# Staff roles -------------------------------------------------------------------------------------------------


def can_grant(actor: Actor, role: StaffRole | str, scope: Scope) -> bool:
    """Whether the caller may grant (or revoke, or invite to) ``role`` over ``scope``.

    school_admin → teacher and school_admin of their school; alliance_admin → school_admin of the alliance's
    schools, venue_staff of its member units, alliance_admin of it; region_admin → any role within their
    region and the regions under it.
    """
    role = StaffRole(role)
    if role == StaffRole.TEACHER:
        return scope.id in actor.admin_school_ids or scope.region_id in actor.region_ids
    if role == StaffRole.SCHOOL_ADMIN:
        return administers_school(actor, scope)
    if role == StaffRole.VENUE_STAFF:
        return administers_unit(actor, scope)
    if role == StaffRole.ALLIANCE_ADMIN:
        return administers_alliance(actor, scope)
    return scope.id in actor.region_ids


def can_manage_staff_of(actor: Actor, column: str, scope: Scope) -> bool:
    """May see the staff and invites of a scope: may grant at least one role over it."""
    return any(can_grant(actor, role, scope) for role, col in ROLE_SCOPE.items() if col == column)


# Loading with authorisation: unknown and out-of-scope ids answer the same 404 -----------------------------------


_NOT_FOUND: dict[type, tuple[str, str]] = {
    Alliance: ("未找到该教联体", "alliance_not_found"),
    School: ("未找到该学校", "school_not_found"),
    SchoolClass: ("未找到该班级", "class_not_found"),
    ResourceUnit: ("未找到该资源单位", "resource_unit_not_found"),
}


def visible_or_404(actor: Actor, model: type[T], object_id: int, can_view: Callable[[Actor, T], bool]) -> T:
    """The record if it exists and ``can_view(actor, record)``; otherwise one and the same 404."""
    obj = db.session.get(model, object_id)
    if obj is None or not can_view(actor, obj):
        message, code = _NOT_FOUND[model]
        raise NotFound(message, code=code)
    return obj


def alliance_or_404(actor: Actor, alliance_id: int) -> Alliance:
    return visible_or_404(actor, Alliance, alliance_id, can_view_alliance)


def school_or_404(actor: Actor, school_id: int) -> School:
    return visible_or_404(actor, School, school_id, can_view_school)


def school_staff_area_or_404(actor: Actor, school_id: int) -> School:
    """A school whose staff area (classes, rosters) the caller may enter."""
    return visible_or_404(actor, School, school_id, sees_school_staff_area)


def class_or_404(actor: Actor, class_id: int) -> SchoolClass:
    return visible_or_404(actor, SchoolClass, class_id, can_view_class)


def unit_or_404(actor: Actor, unit_id: int) -> ResourceUnit:
    return visible_or_404(actor, ResourceUnit, unit_id, can_view_unit)


def require(allowed: bool, message: str = "没有权限执行此操作", code: str = "permission_denied") -> None:
    """403 for a caller who may see the record but not do this."""
    if not allowed:
        raise PermissionDenied(message, code=code)
