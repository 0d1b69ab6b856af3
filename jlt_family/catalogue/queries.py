"""The catalogue's queries: computed live from the units and their offerings, never from a copied snapshot.

A page (or an export) costs the same few statements whatever the number of units: the count, the units (with
their last change time), their listed offerings, those offerings' weekly rules, the approved alliances of the
units, and the next open slot of each offering.

Filters: unit kind and alliance narrow the units; grade, offering kind, free only and green channel only narrow
the offerings, and a unit then appears only with at least one offering that passes them. A keyword matches a
unit's name or description (then all its offerings are listed) or an offering's title (then that offering is).
Keywords are bound parameters with the LIKE wildcards escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations import permissions
from jlt_family.organizations.models import ResourceUnit, ResourceUnitKind
from jlt_family.organizations.service import region_subtree_ids
from jlt_family.venues.models import Offering, PriceKind, Slot, SlotStatus

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor

_OFFERING_FILTERS = ("grade", "offering_kind", "free_only", "green_only")


def visible_units(
    actor: Actor, *, region_id: int | None, kind: ResourceUnitKind | str | None, alliance_id: int | None
) -> sa.Select:
    """The statement of the resource units the caller may see (资源目录), by id: active ones for everybody, the
    others for their staff and administrators; narrowed to a region and those under it, a kind, an alliance."""
    stmt = (
        sa.select(ResourceUnit)
        .where(permissions.visible_units(actor))
        .options(
            selectinload(ResourceUnit.region),
            selectinload(ResourceUnit.memberships).selectinload(AllianceMember.alliance),
        )
        .order_by(ResourceUnit.id)
    )
    if region_id is not None:
        stmt = stmt.where(ResourceUnit.region_id.in_(region_subtree_ids([region_id])))
    if kind is not None:
        stmt = stmt.where(ResourceUnit.kind == kind)
    if alliance_id is not None:
        members = (
            sa.select(AllianceMember.resource_unit_id)
            .join(Alliance, Alliance.id == AllianceMember.alliance_id)
            .where(AllianceMember.alliance_id == alliance_id, permissions.visible_alliances(actor))
        )
        stmt = stmt.where(ResourceUnit.id.in_(members))
    return stmt


def like_pattern(keyword: str) -> str:
    """``%keyword%`` with ``\\``, ``%`` and ``_`` escaped (used with ``escape="\\\\"``)."""
    return "%" + keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _members_of(alliance_ids: Iterable[int]) -> sa.Select:
    return sa.select(AllianceMember.resource_unit_id).where(
        AllianceMember.alliance_id.in_(alliance_ids), AllianceMember.resource_unit_id.is_not(None)
    )


def _serves_approved_alliance(unit_id_column: Any) -> sa.Exists:
    return sa.exists().where(
        AllianceMember.resource_unit_id == unit_id_column,
        AllianceMember.alliance_id == Alliance.id,
        Alliance.status == AllianceStatus.APPROVED,
    )


@dataclass
class CatalogueQuery:
    """The statements of one county's catalogue for one caller (``audience``) and one set of filters."""

    audience: Any  # a CatalogueAudience
    args: Any  # the filters of CatalogueFilterSchema
    only_alliance_ids: frozenset[int] | None = None  # an export narrowed to these alliances' units
    now: dt.datetime = field(default_factory=utcnow)

    @property
    def keyword(self) -> str | None:
        return like_pattern(self.args["q"]) if self.args.get("q") else None

    @property
    def filters_offerings(self) -> bool:
        args = self.args
        return args.get("grade") is not None or any(args.get(name) for name in _OFFERING_FILTERS[1:])

    def _unit_text_match(self) -> Any:
        pattern = self.keyword
        return sa.or_(ResourceUnit.name.like(pattern, escape="\\"), ResourceUnit.description.like(pattern, escape="\\"))

    def _title_match(self) -> Any:
        return Offering.title.like(self.keyword, escape="\\")

    def offering_conditions(self) -> list[Any]:
        """What an offering must be to be listed (its unit joined, for the keyword)."""
        args = self.args
        conditions: list[Any] = [Offering.is_active.is_(True)]
        if args.get("grade") is not None:
            grade = args["grade"]
            conditions += [
                sa.or_(Offering.min_grade.is_(None), Offering.min_grade <= grade),
                sa.or_(Offering.max_grade.is_(None), Offering.max_grade >= grade),
            ]
        if args.get("offering_kind"):
            conditions.append(Offering.kind == args["offering_kind"])
        if args.get("free_only"):
            conditions.append(Offering.price_kind == PriceKind.FREE)
        if args.get("green_only"):
            conditions += [Offering.green_quota > 0, _serves_approved_alliance(Offering.resource_unit_id)]
        if self.keyword:
            conditions.append(sa.or_(self._unit_text_match(), self._title_match()))
        return conditions

    def unit_conditions(self) -> list[Any]:
        audience, args = self.audience, self.args
        conditions: list[Any] = [ResourceUnit.region_id.in_(audience.region_ids)]
        if not audience.is_region_admin:  # inactive units: the bureau, and alliance admins for their own units
            visible: Any = ResourceUnit.is_active.is_(True)
            if audience.alliance_ids:
                visible = sa.or_(visible, ResourceUnit.id.in_(_members_of(audience.alliance_ids)))
            conditions.append(visible)
        if self.only_alliance_ids is not None:
            conditions.append(ResourceUnit.id.in_(_members_of(self.only_alliance_ids)))
        if args.get("kind"):
            conditions.append(ResourceUnit.kind == args["kind"])
        if args.get("alliance_id"):
            listed = sa.or_(Alliance.status == AllianceStatus.APPROVED, Alliance.id.in_(audience.alliance_ids))
            conditions.append(
                ResourceUnit.id.in_(
                    _members_of([args["alliance_id"]])
                    .join(Alliance, Alliance.id == AllianceMember.alliance_id)
                    .where(listed)
                )
            )
        listed_offering = sa.exists().where(Offering.resource_unit_id == ResourceUnit.id, *self.offering_conditions())
        if self.filters_offerings:
            conditions.append(listed_offering)
        elif self.keyword:
            conditions.append(sa.or_(self._unit_text_match(), listed_offering))
        return conditions

    def units(self) -> sa.Select:
        """The units, each with the last change time of its offerings, in a stable order (name, then id)."""
        offerings_changed = (
            sa.select(sa.func.max(Offering.updated_at))
            .where(Offering.resource_unit_id == ResourceUnit.id)
            .scalar_subquery()
        )
        return (
            sa.select(ResourceUnit, offerings_changed.label("offerings_changed"))
            .where(*self.unit_conditions())
            .options(joinedload(ResourceUnit.region))
            .order_by(ResourceUnit.name, ResourceUnit.id)
        )

    def offerings(self, unit_ids: Sequence[int], limit: int | None = None) -> Sequence[Offering]:
        """The listed offerings of these units (with their weekly rules), by unit then id."""
        if not unit_ids:
            return []
        stmt = (
            sa.select(Offering)
            .join(ResourceUnit, ResourceUnit.id == Offering.resource_unit_id)
            .where(Offering.resource_unit_id.in_(unit_ids), *self.offering_conditions())
            .options(selectinload(Offering.rules))
            .order_by(Offering.resource_unit_id, Offering.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return db.session.scalars(stmt).all()

    def next_slots(self, offering_ids: Sequence[int]) -> dict[int, Slot]:
        return next_open_slots(offering_ids, self.now)


def approved_alliances(unit_ids: Sequence[int]) -> dict[int, list[Alliance]]:
    """{unit_id: [alliance, ...]}: the approved alliances each unit serves, in one query."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        sa.select(AllianceMember.resource_unit_id, Alliance)
        .join(Alliance, Alliance.id == AllianceMember.alliance_id)
        .where(AllianceMember.resource_unit_id.in_(unit_ids), Alliance.status == AllianceStatus.APPROVED)
        .order_by(Alliance.id)
    ).all()
    found: dict[Any, list[Alliance]] = {}
    for unit_id, alliance in rows:
        found.setdefault(unit_id, []).append(alliance)
    return found


def _has_places() -> Any:
    return sa.or_(Slot.green_taken < Slot.green_capacity, Slot.general_taken + Slot.green_capacity < Slot.capacity)


def next_open_slots(offering_ids: Sequence[int], now: dt.datetime) -> dict[int, Slot]:
    """{offering_id: its next open slot with places left}, in one query (the lowest id wins a tie)."""
    if not offering_ids:
        return {}
    upcoming = [Slot.offering_id.in_(offering_ids), Slot.status == SlotStatus.OPEN, Slot.starts_at > now, _has_places()]
    first = (
        sa.select(Slot.offering_id, sa.func.min(Slot.starts_at).label("starts_at"))
        .where(*upcoming)
        .group_by(Slot.offering_id)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(Slot)
        .join(first, sa.and_(first.c.offering_id == Slot.offering_id, first.c.starts_at == Slot.starts_at))
        .where(*upcoming)
        .order_by(Slot.id.desc())
    ).all()
    return {slot.offering_id: slot for slot in rows}
