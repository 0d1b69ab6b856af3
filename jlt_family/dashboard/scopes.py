"""What an admin sees on the dashboard: their counties, alliances and schools; anything else is not found.

A region admin sees the counties of their region (and below), their alliances and schools; an alliance admin
the alliance and its schools; a school admin their school. The region, alliance and school pages load their
object with the reports' own ``*_or_404`` (jlt_family/reports/permissions.py: one rule for who reads the
evaluation); a class is visible with its school. Another county's or school's pages answer 404.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from jlt_family.alliances.models import ESTABLISHED_ALLIANCE_STATUSES, Alliance
from jlt_family.auth.context import Actor
from jlt_family.core.extensions import db
from jlt_family.organizations import permissions
from jlt_family.organizations.models import Region, RegionLevel, School, SchoolClass


def visible_regions(actor: Actor) -> Sequence[Region]:
    """Counties (区县旗) under the caller's regions."""
    if not actor.region_ids:
        return []
    return db.session.scalars(
        sa.select(Region)
        .where(Region.id.in_(actor.region_ids), Region.level == RegionLevel.COUNTY)
        .order_by(Region.code, Region.id)
    ).all()


def alliances_clause(actor: Actor) -> sa.ColumnElement[bool]:
    """Established alliances the caller administers or oversees (an application has no evaluation yet)."""
    return sa.and_(
        Alliance.status.in_(ESTABLISHED_ALLIANCE_STATUSES),
        sa.or_(Alliance.id.in_(actor.alliance_ids), Alliance.region_id.in_(actor.region_ids)),
    )


def schools_clause(actor: Actor) -> sa.ColumnElement[bool]:
    return sa.or_(
        School.id.in_(actor.admin_school_ids),
        School.alliance_id.in_(actor.alliance_ids),
        School.region_id.in_(actor.region_ids),
    )


def visible_alliances(actor: Actor) -> Sequence[Alliance]:
    """Alliances the caller administers, or in their regions."""
    return db.session.scalars(
        sa.select(Alliance).where(alliances_clause(actor)).order_by(Alliance.region_id, Alliance.id)
    ).all()


def visible_schools(actor: Actor) -> Sequence[School]:
    """Schools the caller administers, or in their alliances or regions."""
    return db.session.scalars(sa.select(School).where(schools_clause(actor)).order_by(School.id)).all()


def class_or_404(actor: Actor, class_id: int) -> SchoolClass:
    return permissions.visible_or_404(
        actor, SchoolClass, class_id, lambda a, c: permissions.administers_school(a, c.school)
    )
