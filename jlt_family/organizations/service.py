"""Rules of the organisation model: region trees, staff roles."""

import sqlalchemy as sa

from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.organizations.models import (
    ROLE_SCOPE,
    Alliance,
    Region,
    ResourceUnit,
    School,
    StaffMembership,
    StaffRole,
)

SCOPE_MODELS = {"school_id": School, "resource_unit_id": ResourceUnit, "alliance_id": Alliance, "region_id": Region}


def region_subtree_ids(root_ids):
    """The given regions and every region under them (breadth-first over the parent links)."""
    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        children = set(db.session.scalars(sa.select(Region.id).where(Region.parent_id.in_(frontier))))
        frontier = children - found
        found |= frontier
    return frozenset(found)


def grant_role_bootstrap(openid, role, scope_id):
    """Grant ``role`` over ``scope_id`` to the user of ``openid`` (created if unknown); for the CLI."""
    from jlt_family.auth.service import _user_for_openid

    role = StaffRole(role)
    column = ROLE_SCOPE[role]
    scope = db.session.get(SCOPE_MODELS[column], scope_id)
    if scope is None:
        raise NotFound(f"未找到编号为 {scope_id} 的{column}")
    user = _user_for_openid(openid)
    existing = db.session.scalar(
        sa.select(StaffMembership).where(
            StaffMembership.user_id == user.id,
            StaffMembership.role == role,
            StaffMembership.scope_key == scope_id,
            StaffMembership.active_key == 1,
        )
    )
    if existing is not None:
        return existing
    membership = StaffMembership(user=user, role=role, scope_key=scope_id, **{column: scope_id})
    db.session.add(membership)
    db.session.flush()
    return membership
