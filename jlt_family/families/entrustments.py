"""委托照护 (002 §7): a left-behind child's parents file who cares for the child; the school acknowledges it."""

import sqlalchemy as sa

from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.families.models import (
    CareEntrustment,
    EntrustmentStatus,
)


def file_care_entrustment(actor, student, data):
    """A guardian tells the school in writing who cares for the child, and for when."""
    entrustment = CareEntrustment(student_id=student.id, filed_by_id=actor.user_id, **data)
    db.session.add(entrustment)
    db.session.flush()
    return entrustment


def care_entrustments_of(student_id, status=None):
    stmt = sa.select(CareEntrustment).where(CareEntrustment.student_id == student_id)
    if status is not None:
        stmt = stmt.where(CareEntrustment.status == status)
    return stmt.order_by(CareEntrustment.created_at.desc(), CareEntrustment.id.desc())


def _entrustment_refusal(entrustment):
    entrustment = db.session.scalars(
        sa.select(CareEntrustment)
        .where(CareEntrustment.id == entrustment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if entrustment.status == EntrustmentStatus.WITHDRAWN:
        return Conflict("家长已撤回该委托照护信息", code="entrustment_withdrawn")
    return Conflict("该委托照护信息已确认", code="already_acknowledged")


def acknowledge_care_entrustment(actor, entrustment):
    """班主任 / 学校领导 confirm they have received the care arrangement."""
    now = utcnow()
    done = update_rows(
        sa.update(CareEntrustment)
        .where(CareEntrustment.id == entrustment.id, CareEntrustment.status == EntrustmentStatus.SUBMITTED)
        .values(status=EntrustmentStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by_id=actor.user_id)
    )
    if not done:
        raise _entrustment_refusal(entrustment)
    db.session.expire(entrustment)
    audit(
        actor,
        "acknowledge_care_entrustment",
        "care_entrustment",
        entrustment.id,
        school_id=entrustment.student.school_id,
        student_id=entrustment.student_id,
    )
    return entrustment


def withdraw_care_entrustment(entrustment):
    """A guardian withdraws the arrangement (ended or filed by mistake)."""
    done = update_rows(
        sa.update(CareEntrustment)
        .where(CareEntrustment.id == entrustment.id, CareEntrustment.status != EntrustmentStatus.WITHDRAWN)
        .values(status=EntrustmentStatus.WITHDRAWN)
    )
    if not done:
        raise Conflict("该委托照护信息已撤回", code="already_withdrawn")
    db.session.expire(entrustment)
    return entrustment
