"""The audit trail, readable by the school's leaders and the education bureau above it."""

import sqlalchemy as sa
from marshmallow import Schema, fields
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import current_actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.models import AuditLog
from jlt_family.core.pagination import paginate
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import PageArgsSchema, ShanghaiDateTime, page_of, text

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="审计日志 (audit trail of staff access)")


class AuditEntrySchema(Schema):
    """审计记录."""

    id = fields.Integer()
    actor_user_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.Integer(allow_none=True)
    detail = fields.Dict(metadata={"description": "详情（如修改前后的敏感标记），仅学校领导可见"})
    created_at = ShanghaiDateTime()


class AuditQuerySchema(PageArgsSchema):
    action = text(64)
    subject_type = text(40)


def can_read_audit(actor, school):
    """School leaders of the school, and region admins of its region or above."""
    return school.id in actor.admin_school_ids or school.region_id in actor.region_ids


@blp.route("/schools/<id:school_id>/audit-log")
@blp.login_required
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_of(AuditEntrySchema))
@blp.errors(404, 422)
def school_audit_log(args, school_id):
    """学校审计日志: who read or changed children's sensitive data, newest first."""
    from jlt_family.organizations.models import School

    actor = current_actor()
    school = db.session.get(School, school_id)
    if school is None or not can_read_audit(actor, school):
        raise NotFound()
    stmt = sa.select(AuditLog).where(AuditLog.school_id == school.id).order_by(AuditLog.id.desc())
    if args.get("action"):
        stmt = stmt.where(AuditLog.action == args["action"])
    if args.get("subject_type"):
        stmt = stmt.where(AuditLog.subject_type == args["subject_type"])
    page = paginate(stmt.options(selectinload(AuditLog.actor)), args["page"], args["page_size"])
    # The bureau oversees who accessed what; the details (e.g. flag values) stay with the school's leaders.
    with_detail = school.id in actor.admin_school_ids
    return {**page, "items": [_entry_out(entry, with_detail) for entry in page["items"]]}


def _entry_out(entry, with_detail):
    return {
        "id": entry.id,
        "actor_user_id": entry.actor_user_id,
        "actor_name": entry.actor.nickname if entry.actor else "",
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "detail": entry.detail if with_detail else {},
        "created_at": entry.created_at,
    }
