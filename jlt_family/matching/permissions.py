"""Who may see and do what with needs (deny by default; out of scope answers 404).

A need is seen by its school's admins, the teacher who posted it and the teachers of its class, the
administrators above the school (its alliance's, and the region's), and the staff of the unit its standing match
booked (they see the need with their bookings, not the proposals). Posting is for the school's staff (a teacher
for a class they teach); accepting a match for the school's admins and its alliance's administrators; withdrawing
and rating for the school's admins and the teacher who posted it.
"""

from __future__ import annotations

import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.matching.models import Need, NeedMatch
from jlt_family.organizations import permissions as org
from jlt_family.organizations.models import School


def _school_side(actor: Actor, need: Need) -> bool:
    return (
        need.school_id in actor.admin_school_ids
        or need.posted_by_id == actor.user_id
        or (need.class_id is not None and need.class_id in actor.taught_class_ids)
    )


def serves_as_unit_staff(actor: Actor, need: Need) -> bool:
    """Staff of the resource unit of the need's standing (or last) match."""
    return any(m.resource_unit_id in actor.unit_ids for m in need.matches if m.resource_unit_id is not None)


def sees_need(actor: Actor, need: Need) -> bool:
    return _school_side(actor, need) or org.oversees_school(actor, need.school) or serves_as_unit_staff(actor, need)


def sees_proposals(actor: Actor, need: Need) -> bool:
    """The school side and the administrators above it (not the units' staff)."""
    return _school_side(actor, need) or org.oversees_school(actor, need.school)


def accepts_match(actor: Actor, need: Need) -> bool:
    """学校管理员 of the posting school, or 教联体管理员 of its alliance."""
    return need.school_id in actor.admin_school_ids or (
        need.school.alliance_id is not None and need.school.alliance_id in actor.alliance_ids
    )


def manages_need(actor: Actor, need: Need) -> bool:
    """Withdraws and rates: the school's admins and the teacher who posted it."""
    return need.school_id in actor.admin_school_ids or need.posted_by_id == actor.user_id


def posts_for_school(actor: Actor, school: School) -> bool:
    return school.id in actor.staff_school_ids


def visible_needs(actor: Actor) -> sa.ColumnElement[bool]:
    """A WHERE clause (over Need joined to School) narrowing needs to those ``sees_need`` allows."""
    clauses: list[sa.ColumnElement[bool]] = [
        Need.school_id.in_(actor.admin_school_ids),
        Need.class_id.in_(actor.taught_class_ids),
        School.alliance_id.in_(actor.alliance_ids),
        School.region_id.in_(actor.region_ids),
    ]
    if actor.user_id is not None:
        clauses.append(Need.posted_by_id == actor.user_id)
    if actor.unit_ids:
        clauses.append(Need.id.in_(sa.select(NeedMatch.need_id).where(NeedMatch.resource_unit_id.in_(actor.unit_ids))))
    return sa.or_(*clauses)


def need_or_404(actor: Actor, need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not sees_need(actor, need):
        raise NotFound("未找到该需求", code="need_not_found")
    return need
