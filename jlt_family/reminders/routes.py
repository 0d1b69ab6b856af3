"""Endpoints of reminders: the caller's inbox, subscribe-message consents and mutes; alliance broadcasts and the
delivery state for administrators."""

from jlt_family.auth.context import current_actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import page_of
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations import permissions as org_permissions
from jlt_family.organizations.models import Region
from jlt_family.reminders import consents, delivery, permissions, schemas, service

blp = Blueprint("reminders", __name__, url_prefix="/api/v1", description="提醒与消息 (reminders and inbox)")


# ---- inbox ----------------------------------------------------------------------------------------------------


@blp.route("/me/inbox", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.InboxArgsSchema, location="query")
@blp.response(200, page_of(schemas.InboxItemSchema))
@blp.errors(422)
def list_inbox(args):
    """站内消息: my reminders and notices, newest first (``unread=true``: unread only)."""
    stmt = service.inbox_query(current_actor().user_id, utcnow(), unread=args["unread"])
    return paginate(stmt, args["page"], args["page_size"])


@blp.route("/me/inbox/unread-count", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.UnreadCountSchema)
def unread_count():
    """未读消息数."""
    return {"unread": service.unread_count(current_actor().user_id, utcnow())}


@blp.route("/me/inbox/<id:reminder_id>/read", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.InboxItemSchema)
@blp.errors(404)
def mark_read(reminder_id):
    """标为已读 (my own messages only)."""
    now = utcnow()
    reminder = service.inbox_item(current_actor().user_id, reminder_id, now)
    if reminder is None:
        raise NotFound("未找到该消息", code="message_not_found")
    service.mark_read(reminder, now)
    db.session.commit()
    return reminder


@blp.route("/me/inbox/read-all", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.MarkedSchema)
def mark_all_read():
    """全部标为已读."""
    marked = service.mark_all_read(current_actor().user_id, utcnow())
    db.session.commit()
    return {"marked": marked}


# ---- consents and mutes ---------------------------------------------------------------------------------------


@blp.route("/me/subscribe-consents", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.ConsentsSchema)
def list_consents():
    """订阅消息额度: the template id of each reminder kind (to request) and my credits left."""
    return consents.credits_of(current_actor().user_id)


@blp.route("/me/subscribe-consents", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.ConsentReportSchema)
@blp.response(200, schemas.ConsentsSchema)
@blp.errors(409, 422)
def report_consents(data):
    """上报订阅授权: the templates I accepted in wx.requestSubscribeMessage; each acceptance is one push."""
    user_id = current_actor().user_id
    ignored = consents.record_consents(user_id, data["accepted"])
    db.session.commit()
    return consents.credits_of(user_id, ignored=ignored)


@blp.route("/me/reminder-mutes", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.MutesSchema)
def list_mutes():
    """免打扰: the kinds of reminders I do not want pushed."""
    return {"kinds": consents.muted_kinds(current_actor().user_id)}


@blp.route("/me/reminder-mutes", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.MutesSchema)
@blp.response(200, schemas.MutesSchema)
@blp.errors(422)
def set_mutes(data):
    """设置免打扰: replaces my muted kinds (they still land in the inbox)."""
    kinds = consents.set_mutes(current_actor().user_id, data["kinds"])
    db.session.commit()
    return {"kinds": kinds}


# ---- alliance administration -----------------------------------------------------------------------------------


@blp.route("/alliances/<id:alliance_id>/broadcasts", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.BroadcastCreateSchema)
@blp.response(201, schemas.BroadcastSchema)
@blp.errors(403, 404, 409, 422)
def create_broadcast(data, alliance_id):
    """教联体通知 (alliance admin): to every family of the alliance's schools, or of chosen schools or grades."""
    actor = current_actor()
    alliance = permissions.alliance_to_broadcast(actor, alliance_id)
    record = service.broadcast(
        alliance,
        actor.user_id,
        title=data["title"],
        body=data["body"],
        page=data["page"],
        school_ids=data["school_ids"],
        grades=data["grades"],
    )
    db.session.commit()
    return record


@blp.route("/alliances/<id:alliance_id>/reminder-delivery", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.DeliveryStateSchema)
@blp.errors(403, 404)
def delivery_state(alliance_id):
    """提醒投递状态 (alliance admin, region admin): counts, the oldest due pending reminder, failures."""
    actor = current_actor()
    alliance = org_permissions.alliance_or_404(actor, alliance_id)
    permissions.require_delivery_viewer(actor, alliance)
    return delivery.delivery_state([alliance.id], utcnow())


@blp.route("/regions/<id:region_id>/reminder-delivery", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.RegionDeliveryStateSchema)
@blp.errors(403, 404)
def region_delivery_state(region_id):
    """本地区提醒投递状态 (region admin): the same counts over the alliances of the region and the regions under it."""
    actor = current_actor()
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound("未找到该行政区划", code="region_not_found")
    permissions.require_region_delivery_viewer(actor, region)
    return delivery.region_delivery_state(region, utcnow())
