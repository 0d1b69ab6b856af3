"""API endpoints of the dashboard: issuing the single-use invite with which staff set their web password."""

from flask import url_for

from jlt_family.auth.context import current_actor
from jlt_family.auth.models import User
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.routing import Blueprint
from jlt_family.dashboard import schemas, service
from jlt_family.organizations.permissions import require

blp = Blueprint(
    "dashboard_api", __name__, url_prefix="/api/v1", description="管理驾驶舱邀请 (invites to the web dashboard)"
)


def invite_out(invite, token):
    return {
        "id": invite.id,
        "user_id": invite.user_id,
        "expires_at": invite.expires_at,
        "url": url_for("dashboard.invite", token=token, _external=True),
        "has_account": service.account_of(invite.user_id) is not None,
    }


@blp.route("/dashboard-invites", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.DashboardInviteCreateSchema)
@blp.response(201, schemas.DashboardInviteSchema)
@blp.errors(404, 422)
def create_dashboard_invite(data):
    """发送驾驶舱邀请: an admin invites a staff user of their scope to set a dashboard password."""
    actor = current_actor()
    user = db.session.get(User, data["user_id"])
    if user is None or not user.is_active or not service.can_invite(actor, user):
        raise NotFound("未找到该工作人员", code="user_not_found")
    invite, token = service.issue_invite(user, actor.user)
    db.session.commit()
    return invite_out(invite, token)


@blp.route("/me/dashboard-invite", methods=["POST"])
@blp.login_required
@blp.response(201, schemas.DashboardInviteSchema)
@blp.errors(403)
def request_own_dashboard_invite():
    """申请驾驶舱邀请: an admin signed into the mini-program gets a link to set (or reset) their own password."""
    actor = current_actor()
    require(
        service.holds_dashboard_role(actor),
        "仅学校、教联体和教育局管理员可使用管理驾驶舱",
        code="dashboard_not_allowed",
    )
    invite, token = service.issue_invite(actor.user, actor.user)
    db.session.commit()
    return invite_out(invite, token)
