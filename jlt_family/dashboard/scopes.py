"""What an admin sees on the dashboard: their counties, alliances and schools; anything else is not found.

A region admin sees the counties of their region (and below), their alliances and schools; an alliance admin
the alliance and its schools; a school admin their school. Another county's or school's pages answer 404.
"""

import sqlalchemy as sa

from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.organizations import permissions
from jlt_family.organizations.models import Alliance, Region, RegionLevel, School, SchoolClass


def visible_regions(actor):
    """Counties (区县旗) under the caller's regions."""
    if not actor.region_ids:
        return []
    return db.session.scalars(
        sa.select(Region).where(Region.id.in_(actor.region_ids), Region.level == RegionLevel.COUNTY)
        .order_by(Region.code, Region.id)
    ).all()


def alliances_clause(actor):
    return sa.or_(Alliance.id.in_(actor.alliance_ids), Alliance.region_id.in_(actor.region_ids))


def schools_clause(actor):
    return sa.or_(School.id.in_(actor.admin_school_ids), School.alliance_id.in_(actor.alliance_ids),
                  School.region_id.in_(actor.region_ids))


def visible_alliances(actor, region=None):
    stmt = sa.select(Alliance).where(alliances_clause(actor)).order_by(Alliance.region_id, Alliance.id)
    if region is not None:
        stmt = stmt.where(Alliance.region_id == region.id)
    return db.session.scalars(stmt).all()


def visible_schools(actor, *, region=None, alliance=None):
    stmt = sa.select(School).where(schools_clause(actor)).order_by(School.id)
    if region is not None:
        stmt = stmt.where(School.region_id == region.id)
    if alliance is not None:
        stmt = stmt.where(School.alliance_id == alliance.id)
    return db.session.scalars(stmt).all()


def region_or_404(actor, region_id):
    region = db.session.get(Region, region_id)
    if region is None or region.id not in actor.region_ids:
        raise NotFound("未找到该区县", code="region_not_found")
    return region


def alliance_or_404(actor, alliance_id):
    return permissions.visible_or_404(actor, Alliance, alliance_id, permissions.administers_alliance)


def school_or_404(actor, school_id):
    return permissions.visible_or_404(actor, School, school_id, permissions.administers_school)


def class_or_404(actor, class_id):
    return permissions.visible_or_404(
        actor, SchoolClass, class_id, lambda a, c: permissions.administers_school(a, c.school)
    )
