"""Who may see and do what with courses: predicates over the caller (``Actor``), the parent audience, loaders.

Managing a course belongs to its provider's staff: teachers and school admins of the school, administrators of
the alliance, venue staff of the community parent school (and the administrators of the alliances it serves,
or of its region), administrators of the region. Those above a school or alliance (its alliance's and
region's administrators) oversee its courses: they see them, unpublished ones included, but do not edit them.
A parent sees the published courses of their audience (``audience_of``). Everyone else: 404.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus
from jlt_family.auth.context import Actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.courses.models import Course, CourseSession, Enrolment, ProviderKind
from jlt_family.organizations import permissions as org
from jlt_family.organizations.models import Region, ResourceUnit, ResourceUnitKind, School


@dataclass(frozen=True)
class Audience:
    """The providers whose published courses a parent may see: their children's schools, those schools'
    alliances, the community parent schools serving those alliances, and the regions of those schools (with
    the regions above them)."""

    school_ids: frozenset = frozenset()
    alliance_ids: frozenset = frozenset()
    unit_ids: frozenset = frozenset()
    region_ids: frozenset = frozenset()

    def includes(self, course: Course) -> bool:
        return {
            ProviderKind.SCHOOL: self.school_ids,
            ProviderKind.ALLIANCE: self.alliance_ids,
            ProviderKind.COMMUNITY: self.unit_ids,
            ProviderKind.REGION: self.region_ids,
        }[course.provider_kind].__contains__(course.provider_id)

    def clause(self) -> sa.ColumnElement[bool]:
        """A WHERE clause: courses of these providers."""
        return sa.or_(
            Course.school_id.in_(self.school_ids),
            Course.alliance_id.in_(self.alliance_ids),
            Course.resource_unit_id.in_(self.unit_ids),
            Course.region_id.in_(self.region_ids),
        )


def audience_for_schools(school_ids: Collection[int]) -> Audience:
    """The audience of parents whose children attend ``school_ids`` (a fixed number of queries)."""
    if not school_ids:
        return Audience()
    rows = db.session.execute(
        sa.select(School.alliance_id, School.region_id, Alliance.status)
        .outerjoin(Alliance, Alliance.id == School.alliance_id)
        .where(School.id.in_(school_ids))
    ).all()
    # Only an approved alliance offers its courses (and its community parent schools') to parents: a suspended
    # one keeps its courses and enrolments, but they leave the parents' catalogue until it is reinstated.
    alliance_ids = frozenset(a for a, _, status in rows if a is not None and status == AllianceStatus.APPROVED)
    return Audience(
        school_ids=frozenset(school_ids),
        alliance_ids=alliance_ids,
        unit_ids=_community_units(alliance_ids),
        region_ids=_with_ancestors({r for _, r, _ in rows}),
    )


def audience_of(actor: Actor) -> Audience:
    """The audience of the caller as a parent (empty for a user who is not a guardian)."""
    return audience_for_schools(org.guardian_school_ids(actor))


def _community_units(alliance_ids: Collection[int]) -> frozenset[int]:
    if not alliance_ids:
        return frozenset()
    return frozenset(
        db.session.scalars(
            sa.select(ResourceUnit.id)
            .join(AllianceMember, AllianceMember.resource_unit_id == ResourceUnit.id)
            .where(
                AllianceMember.alliance_id.in_(alliance_ids),
                ResourceUnit.kind == ResourceUnitKind.COMMUNITY,
                ResourceUnit.is_active.is_(True),
            )
        )
    )


def _with_ancestors(region_ids: Collection[int]) -> frozenset[int]:
    """The regions and every region above them (a county-wide course is also a city-wide parent's), in one
    recursive query (MySQL 8, MariaDB 10.2 and SQLite have WITH RECURSIVE; UNION stops at a cycle)."""
    if not region_ids:
        return frozenset()
    up = sa.select(Region.id, Region.parent_id).where(Region.id.in_(region_ids)).cte("up", recursive=True)
    up = up.union(sa.select(Region.id, Region.parent_id).join(up, Region.id == up.c.parent_id))
    return frozenset(db.session.scalars(sa.select(up.c.id)))


# Predicates ----------------------------------------------------------------------------------------------------


def manages_course(actor: Actor, course: Course) -> bool:
    """May edit, publish and run the course and its sessions (see the module docstring)."""
    if course.provider_kind == ProviderKind.COMMUNITY:
        return can_manage_provider(actor, course.provider_kind, course.resource_unit)
    return _manages_provider_id(actor, course.provider_kind, course.provider_id)


def may_backfill(actor: Actor, course: Course) -> bool:
    """May add a session after its end (补录) and record its attendance: a school admin of the school for a
    school's course (not its teachers); for an alliance's or a region's course its admins (who run it); for a
    community parent school, an administrator over the unit (not its own staff)."""
    if course.provider_kind == ProviderKind.SCHOOL:
        return course.provider_id in actor.admin_school_ids
    if course.provider_kind == ProviderKind.COMMUNITY:
        return course.resource_unit is not None and org.administers_unit(actor, course.resource_unit)
    return manages_course(actor, course)


def can_manage_provider(actor: Actor, kind: ProviderKind, provider: Any) -> bool:
    """May offer courses as ``provider`` (a school, an alliance, a community parent school or a region)."""
    kind = ProviderKind(kind)
    if kind == ProviderKind.COMMUNITY:
        return provider.id in actor.unit_ids or org.administers_unit(actor, provider)
    return _manages_provider_id(actor, kind, provider.id)


def _manages_provider_id(actor: Actor, kind: ProviderKind, provider_id: int) -> bool:
    scope = {
        ProviderKind.SCHOOL: actor.staff_school_ids,
        ProviderKind.ALLIANCE: actor.alliance_ids,
        ProviderKind.REGION: actor.region_ids,
    }[kind]
    return provider_id in scope


def oversees_course(actor: Actor, course: Course) -> bool:
    """Administers something above the provider: sees its courses (compliance, feedback) without editing."""
    kind = course.provider_kind
    if kind == ProviderKind.SCHOOL:
        return course.school is not None and org.oversees_school(actor, course.school)
    if kind == ProviderKind.ALLIANCE:
        return course.alliance is not None and course.alliance.region_id in actor.region_ids
    return False


def sees_as_staff(actor: Actor, course: Course) -> bool:
    return manages_course(actor, course) or oversees_course(actor, course)


def can_view_course(actor: Actor, course: Course, audience: Audience | None = None) -> bool:
    """Staff of the provider and those above it; parents of the audience once the course is published."""
    if sees_as_staff(actor, course):
        return True
    if not course.is_published:
        return False
    return (audience if audience is not None else audience_of(actor)).includes(course)


def sees_enrolment(actor: Actor, enrolment: Enrolment) -> bool:
    """The enrolled guardian themselves and the course's managers."""
    return enrolment.user_id == actor.user_id or manages_course(actor, enrolment.session.course)


# Loading with authorisation: unknown and out-of-scope ids answer the same 404 -------------------------------------


def course_or_404(actor: Actor, course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not can_view_course(actor, course):
        raise NotFound("未找到该课程", code="course_not_found")
    return course


def session_or_404(actor: Actor, session_id: int) -> CourseSession:
    session = db.session.get(CourseSession, session_id)
    if session is None or not can_view_course(actor, session.course):
        raise NotFound("未找到该课程场次", code="course_session_not_found")
    return session


def enrolment_or_404(actor: Actor, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not sees_enrolment(actor, enrolment):
        raise NotFound("未找到该报名记录", code="enrolment_not_found")
    return enrolment


def provider_or_404(
    actor: Actor, kind: ProviderKind | str, provider_id: int
) -> School | Alliance | ResourceUnit | Region:
    """The provider a new course is for, if the caller may see it (creating still needs managing it)."""
    kind = ProviderKind(kind)
    if kind == ProviderKind.SCHOOL:
        return org.school_or_404(actor, provider_id)
    if kind == ProviderKind.ALLIANCE:
        return org.alliance_or_404(actor, provider_id)
    if kind == ProviderKind.COMMUNITY:
        unit = org.unit_or_404(actor, provider_id)
        if unit.kind != ResourceUnitKind.COMMUNITY:
            raise NotFound("未找到该社区家长学校", code="community_school_not_found")
        return unit
    region = db.session.get(Region, provider_id)
    if region is None:
        raise NotFound("未找到该行政区划", code="region_not_found")
    return region
