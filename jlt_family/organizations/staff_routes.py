"""Staff roles (岗位授权) and staff invite codes (岗位邀请码). Views registered on ``blp``.

Who may grant what (and so revoke it, invite to it, and list a scope's staff): see ``permissions.can_grant``.
Targets outside the caller's reach answer 404, like unknown ones.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import current_actor
from jlt_family.auth.models import User
from jlt_family.core import ratelimit
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import page_of
from jlt_family.organizations import permissions, service, staff_schemas
from jlt_family.organizations.blueprint import blp
from jlt_family.organizations.models import ROLE_SCOPE, StaffInvite, StaffMembership


def _grantable_scope(actor, role, scope_id):
    """The scope of a role the caller may grant; 404 when unknown or out of reach."""
    scope = service.scope_for(role, scope_id)
    if scope is None or not permissions.can_grant(actor, role, scope):
        raise NotFound("未找到该范围，或您无权在此范围授权", code="scope_not_found")
    return scope


def _managed_scope(actor, args):
    column = next(c for c in service.SCOPE_MODELS if c in args)
    scope = db.session.get(service.SCOPE_MODELS[column], args[column])
    if scope is None or not permissions.can_manage_staff_of(actor, column, scope):
        raise NotFound("未找到该范围", code="scope_not_found")
    return column, scope


# Memberships -------------------------------------------------------------------------------------------------


@blp.route("/staff-memberships", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(staff_schemas.GrantSchema)
@blp.response(201, staff_schemas.MembershipSchema)
@blp.errors(403, 404, 409, 422)
def grant_membership(data):
    """授予岗位: school admins grant teacher/school_admin of their school; alliance and region admins more."""
    actor = current_actor()
    scope = _grantable_scope(actor, data["role"], data["scope_id"])
    user = db.session.get(User, data["user_id"])
    if user is None or not user.is_active:
        raise NotFound("未找到该用户", code="user_not_found")
    membership = service.grant_role(user, data["role"], scope, granted_by=actor.user, display_name=data["display_name"])
    db.session.commit()
    return membership


@blp.route("/staff-memberships", methods=["GET"])
@blp.login_required
@blp.arguments(staff_schemas.MembershipArgsSchema, location="query")
@blp.response(200, page_of(staff_schemas.MembershipSchema))
@blp.errors(404, 422)
def list_memberships(args):
    """岗位列表 of one scope (school_id, resource_unit_id, alliance_id or region_id) for its administrators."""
    column, scope = _managed_scope(current_actor(), args)
    stmt = (
        sa.select(StaffMembership)
        .where(getattr(StaffMembership, column) == scope.id)
        .options(selectinload(StaffMembership.user))
        .order_by(StaffMembership.id)
    )
    if not args["include_revoked"]:
        stmt = stmt.where(StaffMembership.active_key == 1)
    return paginate(stmt, args["page"], args["page_size"])


@blp.route("/staff-memberships/<id:membership_id>", methods=["DELETE"])
@blp.login_required
@blp.response(200, staff_schemas.MembershipSchema)
@blp.errors(404, 409)
def revoke_membership(membership_id):
    """撤销岗位 (by whoever may grant it). Nobody revokes their own admin role if they are its scope's last admin."""
    actor = current_actor()
    membership = db.session.get(StaffMembership, membership_id)
    scope = membership and service.scope_for(membership.role, getattr(membership, ROLE_SCOPE[membership.role]))
    if scope is None or not permissions.can_grant(actor, membership.role, scope):
        raise NotFound("未找到该岗位", code="membership_not_found")
    service.revoke_membership(membership, revoked_by=actor.user)
    db.session.commit()
    return membership


# Invites -----------------------------------------------------------------------------------------------------


@blp.route("/staff-invites", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(staff_schemas.StaffInviteCreateSchema)
@blp.response(201, staff_schemas.StaffInviteSchema)
@blp.errors(404, 409, 422)
def create_invite(data):
    """发放岗位邀请码 (whoever may grant the role): a short code for up to ``max_uses`` people."""
    actor = current_actor()
    scope = _grantable_scope(actor, data["role"], data["scope_id"])
    invite = service.create_staff_invite(
        data["role"], scope, created_by=actor.user, max_uses=data["max_uses"], expires_in_days=data["expires_in_days"]
    )
    db.session.commit()
    return invite


@blp.route("/staff-invites", methods=["GET"])
@blp.login_required
@blp.arguments(staff_schemas.ScopeArgsSchema, location="query")
@blp.response(200, page_of(staff_schemas.StaffInviteSchema))
@blp.errors(404, 422)
def list_invites(args):
    """岗位邀请码列表 of one scope, newest first, for its administrators."""
    column, scope = _managed_scope(current_actor(), args)
    stmt = sa.select(StaffInvite).where(getattr(StaffInvite, column) == scope.id).order_by(StaffInvite.id.desc())
    return paginate(stmt, args["page"], args["page_size"])


@blp.route("/staff-invites/<id:invite_id>", methods=["DELETE"])
@blp.login_required
@blp.response(200, staff_schemas.StaffInviteSchema)
@blp.errors(404, 409)
def revoke_invite(invite_id):
    """作废岗位邀请码 (whoever may grant its role); memberships already granted stay."""
    actor = current_actor()
    invite = db.session.get(StaffInvite, invite_id)
    scope = invite and service.scope_for(invite.role, service.invite_scope_id(invite))
    if scope is None or not permissions.can_grant(actor, invite.role, scope):
        raise NotFound("未找到该邀请码", code="invite_not_found")
    service.revoke_staff_invite(invite)
    db.session.commit()
    return invite


@blp.route("/staff-invites/redeem", methods=["POST"])
@blp.login_required
@ratelimit.per_user("staff_invite_redeem", "INVITE_GUESS_ATTEMPTS_PER_HOUR", 3600)
@idempotent
@blp.arguments(staff_schemas.RedeemSchema)
@blp.response(201, staff_schemas.MembershipSchema)
@blp.errors(404, 409, 422, 429)
def redeem_invite(data):
    """使用岗位邀请码 (any signed-in user).

    Refusals: 404 invite_not_found; 409 invite_expired, invite_revoked, invite_used_up, already_member.
    """
    actor = current_actor()
    membership = service.redeem_staff_invite(actor.user, data["code"], display_name=data["display_name"])
    db.session.commit()
    return membership
