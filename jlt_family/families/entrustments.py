"""委托照护 (002 §7): a left-behind child's parents file who cares for the child; the school acknowledges it."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.families.models import (
    ENTRUSTMENT_LIFECYCLE,
    CareEntrustment,
    EntrustmentStatus,
)
from jlt_family.organizations.students import Student


def file_care_entrustment(
    actor: Actor,
    student: Student,
    *,
    caretaker_name: str,
    caretaker_relation: str,
    caretaker_phone: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    note: str = "",
) -> CareEntrustment:
    """A guardian tells the school in writing who cares for the child, and for when."""
    entrustment = CareEntrustment(
        student_id=student.id,
        filed_by_id=actor.user_id,
        caretaker_name=caretaker_name,
        caretaker_relation=caretaker_relation,
        caretaker_phone=caretaker_phone,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )
    db.session.add(entrustment)
    db.session.flush()
    ENTRUSTMENT_LIFECYCLE.created(entrustment, actor_id=actor.user_id)
    return entrustment


def care_entrustments_of(student_id: int, status: EntrustmentStatus | None = None) -> sa.Select:
    stmt = sa.select(CareEntrustment).where(CareEntrustment.student_id == student_id)
    if status is not None:
        stmt = stmt.where(CareEntrustment.status == status)
    return stmt.order_by(CareEntrustment.created_at.desc(), CareEntrustment.id.desc())


def _entrustment_refusal(entrustment: CareEntrustment) -> Conflict:
    entrustment = db.session.scalars(
        sa.select(CareEntrustment)
        .where(CareEntrustment.id == entrustment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if entrustment.status == EntrustmentStatus.WITHDRAWN:
        return Conflict("家长已撤回该委托照护信息", code="entrustment_withdrawn")
    return Conflict("该委托照护信息已确认", code="already_acknowledged")


def acknowledge_care_entrustment(actor: Actor, entrustment: CareEntrustment) -> CareEntrustment:
    """班主任 / 学校领导 confirm they have received the care arrangement."""
    values = {"acknowledged_at": utcnow(), "acknowledged_by_id": actor.user_id}
    if not ENTRUSTMENT_LIFECYCLE.move(
        entrustment, EntrustmentStatus.ACKNOWLEDGED, actor_id=actor.user_id, values=values
    ):
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


def withdraw_care_entrustment(entrustment: CareEntrustment, actor_id: int) -> CareEntrustment:
    """A guardian withdraws the arrangement (ended or filed by mistake)."""
    if not ENTRUSTMENT_LIFECYCLE.move(entrustment, EntrustmentStatus.WITHDRAWN, actor_id=actor_id):
        raise Conflict("该委托照护信息已撤回", code="already_withdrawn")
    db.session.expire(entrustment)
    return entrustment
