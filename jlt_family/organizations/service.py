"""Rules of the organisation model: region trees, staff roles and invites (classes: ``classes``).

Services raise domain errors and never commit; the route commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from jlt_family.alliances.models import Alliance
from jlt_family.auth.service import _user_for_openid
from jlt_family.core.codes import STAFF_CODE_LENGTH, new_code, normalise_code
from jlt_family.core.errors import Conflict, NotFound, PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import (
    ROLE_SCOPE,
    ClassTeacher,
    Region,
    ResourceUnit,
    School,
    SchoolClass,
    StaffInvite,
    StaffMembership,
    StaffRole,
)
from jlt_family.organizations.permissions import ADMIN_ROLES, Scope

if TYPE_CHECKING:
    from jlt_family.auth.models import User


SCOPE_MODELS: dict[str, type[Scope]] = {
    "school_id": School,
    "resource_unit_id": ResourceUnit,
    "alliance_id": Alliance,
    "region_id": Region,
}
CODE_ATTEMPTS = 8


def region_subtree_ids(root_ids: Iterable[int]) -> frozenset[int]:
    """The given regions and every region under them (breadth-first over the parent links)."""
    found = set(root_ids)
    frontier = set(found)
    while frontier:
        children = set(db.session.scalars(sa.select(Region.id).where(Region.parent_id.in_(frontier))))
        frontier = children - found
        found |= frontier
    return frozenset(found)


def scope_for(role: StaffRole | str, scope_id: int) -> Scope | None:
    """The school, unit, alliance or region a role of this kind is held over; ``None`` if unknown."""
    return cast("Scope | None", db.session.get(SCOPE_MODELS[ROLE_SCOPE[StaffRole(role)]], scope_id))


# Staff roles -------------------------------------------------------------------------------------------------


def active_membership(user_id: int, role: StaffRole | str, scope_id: int) -> StaffMembership | None:
    return db.session.scalar(
        sa.select(StaffMembership).where(
            StaffMembership.user_id == user_id,
            StaffMembership.role == StaffRole(role),
            StaffMembership.scope_key == scope_id,
            StaffMembership.active_key == 1,
        )
    )


def _add_membership(
    user: User, role: StaffRole | str, scope: Scope, *, granted_by_id: int | None = None, display_name: str = ""
) -> StaffMembership:
    """Insert an active membership; a concurrent duplicate (unique key) is ``already_member`` too."""
    role = StaffRole(role)
    membership = StaffMembership(
        user=user,
        role=role,
        scope_key=scope.id,
        display_name=display_name or user.nickname or "",
        granted_by_id=granted_by_id,
    )
    setattr(membership, ROLE_SCOPE[role], scope.id)  # the scope column of the role (school_id, region_id ...)
    db.session.add(membership)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("该用户已担任此岗位", code="already_member") from None
    return membership


def grant_role(
    user: User, role: StaffRole | str, scope: Scope, *, granted_by: User, display_name: str = ""
) -> StaffMembership:
    """授予岗位: one active grant per user, role and scope; nobody grants a role to themselves.

    (An admin above a school making themselves its school_admin would reach children's sensitive data, which
    is for the school's own leaders: another admin must grant it.)
    """
    if user.id == granted_by.id:
        raise PermissionDenied("不能给自己授予岗位，请由其他管理员授予", code="self_grant")
    if active_membership(user.id, role, scope.id) is not None:
        raise Conflict("该用户已担任此岗位", code="already_member")
    return _add_membership(user, role, scope, granted_by_id=granted_by.id, display_name=display_name)


def revoke_membership(membership: StaffMembership, *, revoked_by: User) -> StaffMembership:
    """撤销岗位: kept as history; a teacher who leaves a school also leaves its classes.

    Nobody revokes their own admin role when no other active admin of that role and scope would remain
    (``last_admin``): an administrator above them can still do it.
    """
    if not membership.is_active:
        raise Conflict("该岗位已撤销", code="already_revoked")
    if membership.user_id == revoked_by.id and membership.role in ADMIN_ROLES and _is_last_admin(membership):
        raise Conflict("您是该范围唯一的管理员，不能撤销自己的管理员岗位", code="last_admin")
    membership.revoked_at = utcnow()
    membership.revoked_by_id = revoked_by.id
    membership.active_key = None
    db.session.flush()
    if membership.school_id is not None:
        _leave_classes_unless_staff(membership.user_id, membership.school_id)
    return membership


def _is_last_admin(membership: StaffMembership) -> bool:
    """Whether no other active admin of this role and scope exists; the rows stay locked until commit, so two
    last admins revoking themselves at once cannot both succeed."""
    active = db.session.scalars(
        sa.select(StaffMembership.id)
        .where(
            StaffMembership.role == membership.role,
            StaffMembership.scope_key == membership.scope_key,
            StaffMembership.active_key == 1,
        )
        .with_for_update()
    ).all()
    return set(active) <= {membership.id}


def _leave_classes_unless_staff(user_id: int, school_id: int) -> None:
    still_staff = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(StaffMembership)
        .where(
            StaffMembership.user_id == user_id, StaffMembership.school_id == school_id, StaffMembership.active_key == 1
        )
    )
    if still_staff:
        return
    class_ids = sa.select(SchoolClass.id).where(SchoolClass.school_id == school_id)
    db.session.execute(
        sa.update(SchoolClass)
        .where(SchoolClass.school_id == school_id, SchoolClass.homeroom_teacher_id == user_id)
        .values(homeroom_teacher_id=None)
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        sa.delete(ClassTeacher)
        .where(ClassTeacher.user_id == user_id, ClassTeacher.class_id.in_(class_ids))
        .execution_options(synchronize_session="fetch")
    )


def grant_role_bootstrap(openid: str, role: StaffRole | str, scope_id: int) -> StaffMembership:
    """Grant ``role`` over ``scope_id`` to the user of ``openid`` (created if unknown); for the CLI."""

    role = StaffRole(role)
    scope = scope_for(role, scope_id)
    if scope is None:
        raise NotFound(f"未找到编号为 {scope_id} 的{ROLE_SCOPE[role]}")
    user = _user_for_openid(openid)
    existing = active_membership(user.id, role, scope_id)
    if existing is not None:
        return existing
    return _add_membership(user, role, scope)


# Staff invites -----------------------------------------------------------------------------------------------


def _unused_staff_code() -> str:
    for _ in range(CODE_ATTEMPTS):
        code = new_code(STAFF_CODE_LENGTH)
        if db.session.scalar(sa.select(StaffInvite.id).where(StaffInvite.code == code)) is None:
            return code
    raise Conflict("邀请码生成失败，请重试", code="code_generation_failed")


def create_staff_invite(
    role: StaffRole | str, scope: Scope, *, created_by: User, max_uses: int = 1, expires_in_days: int | None = None
) -> StaffInvite:
    """发放岗位邀请码: whoever redeems it gets ``role`` over ``scope`` (until used up, expired or revoked)."""
    role = StaffRole(role)
    days = expires_in_days or current_app.config["STAFF_INVITE_TTL_DAYS"]
    invite = StaffInvite(
        code=_unused_staff_code(),
        role=role,
        created_by_id=created_by.id,
        max_uses=max_uses,
        used_count=0,
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    setattr(invite, ROLE_SCOPE[role], scope.id)  # the scope column of the role (school_id, region_id ...)
    db.session.add(invite)
    db.session.flush()
    return invite


def revoke_staff_invite(invite: StaffInvite) -> StaffInvite:
    """作废邀请码: memberships already granted through it stay."""
    if invite.revoked_at is not None:
        raise Conflict("该邀请码已作废", code="invite_revoked")
    invite.revoked_at = utcnow()
    return invite


def invite_scope_id(invite: StaffInvite) -> int:
    return getattr(invite, ROLE_SCOPE[invite.role])


def redeem_staff_invite(user: User, code: str, *, display_name: str = "") -> StaffMembership:
    """使用岗位邀请码: the use is counted with one conditional UPDATE, so a code is never used beyond max_uses."""
    invite = db.session.scalar(sa.select(StaffInvite).where(StaffInvite.code == normalise_code(code)))
    if invite is None:
        raise NotFound("邀请码无效", code="invite_not_found")
    now = utcnow()
    _check_invite_usable(invite, now)
    if invite.created_by_id == user.id:
        raise PermissionDenied("不能使用自己发出的邀请码", code="own_invite")
    scope_id = invite_scope_id(invite)
    if active_membership(user.id, invite.role, scope_id) is not None:
        raise Conflict("您已担任此岗位", code="already_member")
    counted = update_rows(
        sa.update(StaffInvite)
        .where(
            StaffInvite.id == invite.id,
            StaffInvite.used_count < StaffInvite.max_uses,
            StaffInvite.revoked_at.is_(None),
            StaffInvite.expires_at > now,
        )
        .values(used_count=StaffInvite.used_count + 1)
    )
    if counted != 1:
        raise Conflict("邀请码已用完", code="invite_used_up")
    db.session.expire(invite, ["used_count"])
    scope = scope_for(invite.role, scope_id)
    assert scope is not None  # the invite's foreign key keeps its scope
    return _add_membership(user, invite.role, scope, granted_by_id=invite.created_by_id, display_name=display_name)


def _check_invite_usable(invite: StaffInvite, now: dt.datetime) -> None:
    if invite.revoked_at is not None:
        raise Conflict("邀请码已作废", code="invite_revoked")
    if invite.expires_at <= now:
        raise Conflict("邀请码已过期", code="invite_expired")
    if invite.used_count >= invite.max_uses:
        raise Conflict("邀请码已用完", code="invite_used_up")


def invite_status(invite: StaffInvite, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at <= now:
        return "expired"
    if invite.used_count >= invite.max_uses:
        return "used_up"
    return "active"
