"""The audit trail, readable by the school's leaders and the education bureau above it."""

import sqlalchemy as sa
from marshmallow import Schema, fields

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
    actor_name = fields.Function(lambda e: e.actor.nickname if e.actor else "")
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.Integer(allow_none=True)
    detail = fields.Dict()
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

    school = db.session.get(School, school_id)
    if school is None or not can_read_audit(current_actor(), school):
        raise NotFound()
    stmt = sa.select(AuditLog).where(AuditLog.school_id == school.id).order_by(AuditLog.id.desc())
    if args.get("action"):
        stmt = stmt.where(AuditLog.action == args["action"])
    if args.get("subject_type"):
        stmt = stmt.where(AuditLog.subject_type == args["subject_type"])
    return paginate(stmt, args["page"], args["page_size"])
