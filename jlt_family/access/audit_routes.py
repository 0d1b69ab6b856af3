"""The audit trail, readable by the school's leaders and the education bureau above it: a school's, and a
region's (its schools' entries and those of its resource units, alliances and its own reports), filterable by
person, date (Asia/Shanghai), action and subject type, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import Actor, current_actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.models import AuditLog
from jlt_family.core.pagination import paginate
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import DATE_RANGE, PageArgsSchema, QueryId, ShanghaiDateTime, page_of, text
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.organizations.models import Region, School
from jlt_family.organizations.service import region_subtree_ids

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="审计日志 (audit trail of staff access)")


class AuditEntrySchema(Schema):
    """审计记录."""

    id = fields.Integer()
    actor_user_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    action = fields.String()
    subject_type = fields.String(metadata={"description": "所查阅或修改的对象；列表为其范围（如花名册的班级）"})
    subject_id = fields.Integer(allow_none=True)
    school_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True, metadata={"description": "非学校范围（场馆、教联体、地区）所在地区"})
    row_count = fields.Integer(allow_none=True, metadata={"description": "查阅时看到的条数"})
    detail = fields.Dict(metadata={"description": "详情（如修改前后的敏感标记），仅学校领导可见"})
    created_at = ShanghaiDateTime()


class AuditQuerySchema(PageArgsSchema):
    action = text(64)
    subject_type = text(40)
    actor_user_id = QueryId(metadata={"description": "只看此人的操作"})
    date_from = fields.Date(validate=DATE_RANGE, metadata={"description": "自该日起（含，北京时间）"})
    date_to = fields.Date(validate=DATE_RANGE, metadata={"description": "至该日止（含，北京时间）"})

    @validates_schema
    def _dates_in_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError("结束日期不能早于开始日期", field_name="date_to")


@dataclass(frozen=True)
class AuditEntryView:
    """An audit entry as the caller sees it: the details (e.g. flag values) only where ``with_detail``."""

    entry: AuditLog
    with_detail: bool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.entry, name)

    @property
    def actor_name(self) -> str:
        return self.entry.actor.nickname if self.entry.actor else ""

    @property
    def detail(self) -> dict:
        return self.entry.detail if self.with_detail else {}


def can_read_audit(actor: Actor, school: School) -> bool:
    """School leaders of the school, and region admins of its region or above."""
    return school.id in actor.admin_school_ids or school.region_id in actor.region_ids


@blp.route("/schools/<id:school_id>/audit-log")
@blp.login_required
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_of(AuditEntrySchema))
@blp.errors(404, 422)
def school_audit_log(args: dict, school_id: int) -> dict:
    """学校审计日志: who read or changed children's sensitive data, newest first."""
    actor = current_actor()
    school = db.session.get(School, school_id)
    if school is None or not can_read_audit(actor, school):
        raise NotFound()
    page = _page(AuditLog.school_id == school.id, args)
    # The bureau oversees who accessed what; the details (e.g. flag values) stay with the school's leaders.
    with_detail = school.id in actor.admin_school_ids
    return {**page, "items": [AuditEntryView(entry, with_detail) for entry in page["items"]]}


@blp.route("/regions/<id:region_id>/audit-log")
@blp.login_required
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_of(AuditEntrySchema))
@blp.errors(404, 422)
def region_audit_log(args: dict, region_id: int) -> dict:
    """地区审计日志 (教育局): the trail of the region's schools, resource units, alliances and reports, newest
    first; region admins of the region or above. The details of a school's entries stay with its leaders."""
    actor = current_actor()
    region = db.session.get(Region, region_id)
    if region is None or region.id not in actor.region_ids:
        raise NotFound("未找到该地区", code="region_not_found")
    regions = region_subtree_ids({region.id})
    schools = sa.select(School.id).where(School.region_id.in_(regions))
    page = _page(sa.or_(AuditLog.school_id.in_(schools), AuditLog.region_id.in_(regions)), args)
    return {**page, "items": [AuditEntryView(entry, entry.school_id is None) for entry in page["items"]]}


def _page(scope: sa.ColumnElement[bool], args: dict) -> dict:
    stmt = sa.select(AuditLog).where(scope).order_by(AuditLog.id.desc())
    for name in ("action", "subject_type", "actor_user_id"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(AuditLog, name) == args[name])
    if args.get("date_from"):
        stmt = stmt.where(AuditLog.created_at >= _day_start(args["date_from"]))
    if args.get("date_to"):
        stmt = stmt.where(AuditLog.created_at < _day_start(args["date_to"] + dt.timedelta(days=1)))
    return paginate(stmt.options(selectinload(AuditLog.actor)), args["page"], args["page_size"])


def _day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in Shanghai, in UTC."""
    return dt.datetime.combine(day, dt.time(0, 0), SHANGHAI).astimezone(dt.UTC)
