"""Who may see the county resource catalogue (一旗县一清单), export it, and manage resource units (deny by default).

The catalogue of a county is for the people of that county: guardians whose child's school is in it, staff of its
schools and resource units, administrators of its alliances, and the education bureau of the county or above.
Anyone else gets 404 for that county, exactly as for an unknown one. Inactive units are shown to administrators
only (the bureau: every unit; an alliance admin: their alliance's units). Contact phones are shown in full to the
county's staff and administrators, masked for parents. Exports are for the bureau (every unit) and alliance
admins (their alliance's units); the other readers get 403.

Resource units are created, renamed, re-kinded, deactivated and reactivated by the bureau of the unit's region
or above; the unit's venue staff edit its public profile (address, opening information, description, contact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.organizations.models import Region, RegionLevel, ResourceUnit, School
from jlt_family.organizations.permissions import require, unit_or_404  # noqa: F401  (re-exported)
from jlt_family.organizations.service import region_subtree_ids
from jlt_family.organizations.students import Student

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor


def _catalogue_not_found() -> NotFound:
    return NotFound("未找到该旗县的资源清单", code="catalogue_not_found")


@dataclass(frozen=True)
class CatalogueAudience:
    """读者: what one caller may see of one county's catalogue."""

    region: Region
    region_ids: frozenset[int]  # the county and any region under it
    is_region_admin: bool  # 教育局 of the county or above
    alliance_ids: frozenset[int]  # alliances of the county the caller administers
    is_staff: bool  # staff of a school or unit of the county
    is_guardian: bool  # a child of the caller's family goes to a school of the county

    @property
    def may_view(self) -> bool:
        return self.is_region_admin or bool(self.alliance_ids) or self.is_staff or self.is_guardian

    @property
    def sees_contacts(self) -> bool:
        """Full contact phones: the county's staff and administrators (parents get them masked)."""
        return self.is_region_admin or bool(self.alliance_ids) or self.is_staff

    @property
    def may_export(self) -> bool:
        return self.is_region_admin or bool(self.alliance_ids)

    @property
    def export_alliance_ids(self) -> frozenset[int] | None:
        """The alliances an export is narrowed to: ``None`` for the bureau (every unit of the county)."""
        return None if self.is_region_admin else self.alliance_ids


def _any(stmt: sa.Select) -> bool:
    return db.session.scalar(stmt.limit(1)) is not None


def audience_of(actor: Actor, region: Region) -> CatalogueAudience:
    """The caller's standing in ``region``'s catalogue, from a handful of queries (never per unit)."""
    region_ids = region_subtree_ids([region.id])
    alliance_ids: frozenset[int] = frozenset()
    if actor.alliance_ids:
        alliance_ids = frozenset(
            db.session.scalars(
                sa.select(Alliance.id).where(Alliance.id.in_(actor.alliance_ids), Alliance.region_id.in_(region_ids))
            )
        )
    is_staff = (
        bool(actor.staff_school_ids)
        and _any(sa.select(School.id).where(School.id.in_(actor.staff_school_ids), School.region_id.in_(region_ids)))
    ) or (
        bool(actor.unit_ids)
        and _any(
            sa.select(ResourceUnit.id).where(
                ResourceUnit.id.in_(actor.unit_ids), ResourceUnit.region_id.in_(region_ids)
            )
        )
    )
    is_guardian = actor.family_id is not None and _any(
        sa.select(Student.id)
        .join(School, School.id == Student.school_id)
        .where(Student.family_id == actor.family_id, School.region_id.in_(region_ids))
    )
    return CatalogueAudience(
        region=region,
        region_ids=region_ids,
        is_region_admin=region.id in actor.region_ids,
        alliance_ids=alliance_ids,
        is_staff=bool(is_staff),
        is_guardian=bool(is_guardian),
    )


def catalogue_audience_or_404(actor: Actor, region_id: int) -> CatalogueAudience:
    """The county and the caller's standing in its catalogue; 404 for an unknown region, a region that is not a
    county, and a county whose catalogue the caller may not see (the same answer for all three)."""
    region = db.session.get(Region, region_id)
    if region is None or region.level != RegionLevel.COUNTY:
        raise _catalogue_not_found()
    audience = audience_of(actor, region)
    if not audience.may_view:
        raise _catalogue_not_found()
    return audience


# Resource units ------------------------------------------------------------------------------------------------


def administers_unit_region(actor: Actor, unit: ResourceUnit) -> bool:
    """教育局 of the unit's region or above: creates, edits and deactivates units."""
    return unit.region_id in actor.region_ids


def edits_unit_profile(actor: Actor, unit: ResourceUnit) -> bool:
    """The bureau above the unit, or the unit's own venue staff (public profile only)."""
    return administers_unit_region(actor, unit) or unit.id in actor.unit_ids


def sees_unit_changes(actor: Actor, unit: ResourceUnit) -> bool:
    return edits_unit_profile(actor, unit)


def region_or_404(region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound("未找到该行政区划", code="region_not_found")
    return region


def unit_changes_or_404(actor: Actor, unit_id: int) -> ResourceUnit:
    """A unit whose change history the caller may read (the bureau above it, its staff); 404 for everyone else."""
    unit = db.session.get(ResourceUnit, unit_id)
    if unit is None or not sees_unit_changes(actor, unit):
        raise NotFound("未找到该资源单位", code="resource_unit_not_found")
    return unit
