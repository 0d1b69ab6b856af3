"""Endpoints of an alliance: reading it, its reminder policy, forming and approving it (教联体申报与审批).

Reading alliances (``GET /alliances``, ``GET /alliances/{id}``) answers with the application block the
drafting and review endpoints fill; every write answers with the alliance as its caller sees it.
"""

from jlt_family.alliances import drafting, permissions, presenters, review, schemas, service
from jlt_family.alliances.views import alliance_view
from jlt_family.auth.context import current_actor
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.organizations.permissions import alliance_or_404, require

blp = Blueprint(
    "alliances", __name__, url_prefix="/api/v1", description="教联体申报与审批 (forming and approving an alliance)"
)


def _out(alliance):
    """The alliance as the caller sees it (after the commit: the answer shows what was stored)."""
    return alliance_view(alliance, current_actor())


def _drafted(alliance_id):
    """The alliance, if the caller may see it (else 404) and is one of its drafters (else 403)."""
    actor = current_actor()
    alliance = alliance_or_404(actor, alliance_id)
    permissions.require_drafter(actor, alliance)
    return alliance


def _reviewed(alliance_id):
    """The alliance, if the caller may see it (else 404) and reviews it (else 403)."""
    actor = current_actor()
    alliance = alliance_or_404(actor, alliance_id)
    permissions.require_reviewer(actor, alliance)
    return alliance


# Reading -----------------------------------------------------------------------------------------------------


@blp.route("/alliances", methods=["GET"], tags=["organizations"])
@blp.login_required
@blp.arguments(schemas.AllianceArgsSchema, location="query")
@blp.response(200, page_of(schemas.AllianceSchema))
@blp.errors(422)
def list_alliances(args):
    """教联体列表: approved ones for everybody, drafts and others only for their administrators."""
    actor = current_actor()
    stmt = service.alliances_seen_by(actor, region_id=args.get("region_id"), status=args.get("status"))
    return present_page(paginate(stmt, args["page"], args["page_size"]), lambda a: alliance_view(a, actor))


@blp.route("/alliances/<id:alliance_id>", methods=["GET"], tags=["organizations"])
@blp.login_required
@blp.response(200, schemas.AllianceSchema)
@blp.errors(404)
def get_alliance(alliance_id):
    """教联体详情: centre schools, member units (contact phones masked outside the alliance), reminder policy."""
    actor = current_actor()
    return alliance_view(alliance_or_404(actor, alliance_id), actor)


@blp.route("/alliances/<id:alliance_id>/reminder-policy", methods=["PATCH"], tags=["organizations"])
@blp.login_required
@blp.arguments(schemas.ReminderPolicyUpdateSchema)
@blp.response(200, schemas.ReminderPolicySchema)
@blp.errors(403, 404, 422)
def update_reminder_policy(data, alliance_id):
    """修改提醒策略 (alliance admin): 1–5 distinct lead times of 5 min–7 days; quiet hours HH:MM."""
    actor = current_actor()
    alliance = alliance_or_404(actor, alliance_id)
    require(alliance.id in actor.alliance_ids, "只有教联体管理员可以修改提醒策略")
    service.update_reminder_policy(
        alliance,
        lead_minutes=data.get("lead_minutes"),
        quiet_hours_start=data.get("quiet_hours_start"),
        quiet_hours_end=data.get("quiet_hours_end"),
    )
    db.session.commit()
    return alliance


# Drafting ----------------------------------------------------------------------------------------------------


@blp.route("/alliances", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.AllianceCreateSchema)
@blp.response(201, schemas.AllianceSchema)
@blp.errors(403, 409, 422)
def create_alliance(data):
    """起草教联体 (school admin of a centre school): name, 1–2 centre schools, member schools and units."""
    alliance = drafting.create_alliance(
        current_actor(),
        name=data["name"],
        description=data["description"],
        centre_school_ids=data["centre_school_ids"],
        member_school_ids=data.get("member_school_ids", ()),
        members=data.get("members", ()),
    )
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.AllianceUpdateSchema)
@blp.response(200, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def update_alliance(data, alliance_id):
    """修改名称、简介 (centre school admins; draft or returned only, else 409 ``alliance_not_editable``)."""
    alliance = drafting.update_alliance(_drafted(alliance_id), current_actor(), changes=data)
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/member-schools", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.AllianceSchoolInputSchema)
@blp.response(201, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def add_school(data, alliance_id):
    """添加成员学校或第二所中心校 (same county, not in another alliance)."""
    alliance = drafting.add_school(
        _drafted(alliance_id), current_actor(), school_id=data["school_id"], is_centre=data["is_centre"]
    )
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/member-schools/<id:school_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.AllianceSchoolUpdateSchema)
@blp.response(200, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def change_school(data, alliance_id, school_id):
    """设为 / 取消中心校 (at most two, at least one)."""
    alliance = drafting.change_school(_drafted(alliance_id), current_actor(), school_id, is_centre=data["is_centre"])
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/member-schools/<id:school_id>", methods=["DELETE"])
@blp.login_required
@blp.response(204)
@blp.errors(403, 404, 409)
def remove_school(alliance_id, school_id):
    """移除成员学校 (not the last centre school)."""
    drafting.remove_school(_drafted(alliance_id), current_actor(), school_id)
    db.session.commit()


@blp.route("/alliances/<id:alliance_id>/members", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.MemberInputSchema)
@blp.response(201, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def add_member(data, alliance_id):
    """添加成员单位: duties, way of cooperating, responsible person and contact phone (000 §三.3)."""
    alliance = drafting.add_member(_drafted(alliance_id), current_actor(), member=data)
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/members/<id:member_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.MemberUpdateSchema)
@blp.response(200, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def change_member(data, alliance_id, member_id):
    """修改成员单位."""
    alliance = drafting.change_member(_drafted(alliance_id), current_actor(), member_id, changes=data)
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/members/<id:member_id>", methods=["DELETE"])
@blp.login_required
@blp.response(204)
@blp.errors(403, 404, 409)
def remove_member(alliance_id, member_id):
    """移除成员单位."""
    drafting.remove_member(_drafted(alliance_id), current_actor(), member_id)
    db.session.commit()


@blp.route("/alliances/<id:alliance_id>/submit", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def submit(alliance_id):
    """提交审批 (centre school admins): complete, and none of its schools in another alliance."""
    alliance = review.submit(_drafted(alliance_id), current_actor())
    db.session.commit()
    return _out(alliance)


# Review ------------------------------------------------------------------------------------------------------


@blp.route("/alliances/<id:alliance_id>/approve", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.CommentSchema)
@blp.response(200, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def approve(data, alliance_id):
    """批准 (education bureau): the schools join the alliance, which is published."""
    alliance = review.approve(_reviewed(alliance_id), current_actor(), comment=data["comment"])
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/return", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.CommentSchema)
@blp.response(200, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def return_for_changes(data, alliance_id):
    """退回修改 (education bureau) with comments (required: 422 ``comment_required``)."""
    alliance = review.return_for_changes(_reviewed(alliance_id), current_actor(), comment=data["comment"])
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/suspend", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.SuspendSchema)
@blp.response(200, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def suspend(data, alliance_id):
    """暂停 an approved alliance with a reason (education bureau): no green channel, no longer published."""
    alliance = review.suspend(_reviewed(alliance_id), current_actor(), reason=data["reason"])
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/reinstate", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.CommentSchema)
@blp.response(200, schemas.AllianceSchema)
@blp.errors(403, 404, 409, 422)
def reinstate(data, alliance_id):
    """恢复 a suspended alliance (education bureau)."""
    alliance = review.reinstate(_reviewed(alliance_id), current_actor(), comment=data["comment"])
    db.session.commit()
    return _out(alliance)


@blp.route("/alliances/<id:alliance_id>/history", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(schemas.AllianceEventSchema))
@blp.errors(403, 404, 422)
def history(args, alliance_id):
    """教联体记录, oldest first: every edit and decision (alliance admins, centre school admins, the bureau)."""
    actor = current_actor()
    alliance = alliance_or_404(actor, alliance_id)
    permissions.require_history_reader(actor, alliance)
    result = paginate(service.history(alliance), args["page"], args["page_size"])
    return present_page(result, presenters.event_out)
