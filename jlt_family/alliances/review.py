"""提交与审批: submitting an alliance, and the education bureau's approval, return, suspension and reinstatement."""

import datetime as dt
from typing import Any

import sqlalchemy as sa

from jlt_family.alliances.models import (
    ALLIANCE_LIFECYCLE,
    Alliance,
    AllianceAction,
    AllianceStatus,
)
from jlt_family.alliances.permissions import centre_school_ids
from jlt_family.alliances.service import SchoolInOtherAlliance, _lock_editable, _record, _touched, _wrong_status, lock
from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit
from jlt_family.core.errors import RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import School, StaffMembership, StaffRole


def submit(alliance: Alliance, actor: Actor, now: dt.datetime | None = None) -> Alliance:
    """提交审批: the application must be complete and none of its schools in another alliance."""
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    if not any(row.is_centre for row in alliance.proposed_schools):
        raise RuleViolation("请至少设置一所中心校", code="centre_school_required")
    if not alliance.description.strip():
        raise RuleViolation("请填写教联体简介（工作目标、协同机制等）后再提交", code="description_required")
    if not alliance.members:
        raise RuleViolation(
            "请至少添加一个成员单位（社会资源单位、社区或政府部门）后再提交", code="member_units_required"
        )
    taken = _schools_taken_elsewhere(alliance)
    if taken:
        raise SchoolInOtherAlliance(taken)
    before = alliance.status
    _change_status(alliance, AllianceStatus.SUBMITTED, actor, submitted_at=now, submitted_by_id=actor.user_id)
    _record(
        alliance, actor, AllianceAction.SUBMITTED, from_status=before.value, to_status=alliance.status.value, now=now
    )
    return _touched(alliance, now)


def approve(alliance: Alliance, actor: Actor, *, comment: str = "", now: dt.datetime | None = None) -> Alliance:
    """批准: the schools join the alliance (only those still free: else 409 and nothing changes), the drafter
    becomes its 教联体管理员 if it has none, and the alliance is published."""
    now = now or utcnow()
    alliance = _lock_submitted(alliance)
    _take_schools(alliance)
    _reviewed(alliance, actor, comment, now)
    _change_status(alliance, AllianceStatus.APPROVED, actor, reason=comment, approved_at=now)
    granted = _grant_first_admin(alliance, actor, now)
    _record(
        alliance,
        actor,
        AllianceAction.APPROVED,
        from_status=AllianceStatus.SUBMITTED.value,
        to_status=alliance.status.value,
        comment=comment,
        now=now,
        alliance_admin_granted_to=granted.user_id if granted else None,
    )
    _audit_decision(actor, alliance, "alliance_approved", comment=comment)
    return alliance


def return_for_changes(alliance: Alliance, actor: Actor, *, comment: str, now: dt.datetime | None = None) -> Alliance:
    """退回修改 with the reviewer's comments (required); the centre schools edit and submit again."""
    now = now or utcnow()
    if not comment.strip():
        raise RuleViolation(
            "退回时请填写修改意见", code="comment_required", errors={"json": {"comment": ["退回时请填写修改意见"]}}
        )
    alliance = _lock_submitted(alliance)
    _reviewed(alliance, actor, comment, now)
    _change_status(alliance, AllianceStatus.RETURNED, actor, reason=comment)
    _record(
        alliance,
        actor,
        AllianceAction.RETURNED,
        from_status=AllianceStatus.SUBMITTED.value,
        to_status=alliance.status.value,
        comment=comment,
        now=now,
    )
    _audit_decision(actor, alliance, "alliance_returned", comment=comment)
    return alliance


def suspend(alliance: Alliance, actor: Actor, *, reason: str, now: dt.datetime | None = None) -> Alliance:
    """暂停 an approved alliance with a reason: its rows stay, its green channel and publication stop."""
    now = now or utcnow()
    if not reason.strip():
        raise RuleViolation(
            "暂停时请填写原因", code="suspension_reason_required", errors={"json": {"reason": ["暂停时请填写原因"]}}
        )
    alliance = lock(alliance)
    if alliance.status != AllianceStatus.APPROVED:
        _wrong_status(alliance, AllianceStatus.APPROVED, "alliance_not_approved")
    _change_status(alliance, AllianceStatus.SUSPENDED, actor, reason=reason, suspended_at=now, suspension_reason=reason)
    _record(
        alliance,
        actor,
        AllianceAction.SUSPENDED,
        from_status=AllianceStatus.APPROVED.value,
        to_status=alliance.status.value,
        comment=reason,
        now=now,
    )
    _audit_decision(actor, alliance, "alliance_suspended", reason=reason)
    return alliance


def reinstate(alliance: Alliance, actor: Actor, *, comment: str = "", now: dt.datetime | None = None) -> Alliance:
    """恢复 a suspended alliance: approved again, with everything it had."""
    now = now or utcnow()
    alliance = lock(alliance)
    if alliance.status != AllianceStatus.SUSPENDED:
        _wrong_status(alliance, AllianceStatus.SUSPENDED, "alliance_not_suspended")
    _change_status(
        alliance,
        AllianceStatus.APPROVED,
        actor,
        reason=comment,
        only_from=AllianceStatus.SUSPENDED,
        suspended_at=None,
        suspension_reason="",
    )
    _record(
        alliance,
        actor,
        AllianceAction.REINSTATED,
        from_status=AllianceStatus.SUSPENDED.value,
        to_status=alliance.status.value,
        comment=comment,
        now=now,
    )
    _audit_decision(actor, alliance, "alliance_reinstated", comment=comment)
    return alliance


def _change_status(
    alliance: Alliance,
    target: AllianceStatus,
    actor: Actor,
    *,
    reason: str = "",
    only_from: AllianceStatus | None = None,
    **values: Any,
) -> None:
    """One status change of the locked alliance, through ``ALLIANCE_LIFECYCLE`` (its table and history row)."""
    expected = only_from or alliance.status
    moved = ALLIANCE_LIFECYCLE.move(
        alliance, target, actor_id=actor.user_id, reason=reason or None, only_from=[expected], values=values
    )
    if not moved:  # the row is locked and its status checked: only a transition missing from the table lands here
        _wrong_status(alliance, expected, "alliance_status_conflict")


def _lock_submitted(alliance):
    alliance = lock(alliance)
    if alliance.status != AllianceStatus.SUBMITTED:
        _wrong_status(alliance, AllianceStatus.SUBMITTED, "alliance_not_submitted")
    return alliance


def _reviewed(alliance, actor, comment, now):
    alliance.reviewed_at, alliance.reviewed_by_id, alliance.review_comment = now, actor.user_id, comment


def _audit_decision(actor, alliance, action, **detail):
    centres = sorted(centre_school_ids(alliance))
    audit(
        actor, action, "alliance", alliance.id, school_id=centres[0] if centres else None, name=alliance.name, **detail
    )


def _schools_taken_elsewhere(alliance):
    """Schools of the application that another alliance already has (a locking read: the latest commit)."""
    ids = sorted(row.school_id for row in alliance.proposed_schools)
    if not ids:
        return []
    schools = db.session.scalars(
        sa.select(School)
        .where(School.id.in_(ids))
        .order_by(School.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).all()
    return [school for school in schools if school.alliance_id not in (None, alliance.id)]


def _take_schools(alliance):
    """Each school of the application joins the alliance, only if no other alliance has it: one conditional
    UPDATE per school, in school-id order (two approvals lock shared schools in the same order)."""
    lost = []
    for row in sorted(alliance.proposed_schools, key=lambda r: r.school_id):
        taken = update_rows(
            sa.update(School)
            .where(School.id == row.school_id, sa.or_(School.alliance_id.is_(None), School.alliance_id == alliance.id))
            .values(alliance_id=alliance.id, is_alliance_centre=row.is_centre)
        )
        if not taken:
            lost.append(row.school_id)
    if lost:
        schools = db.session.scalars(
            sa.select(School).where(School.id.in_(lost)).order_by(School.id).execution_options(populate_existing=True)
        ).all()
        raise SchoolInOtherAlliance(schools)
    for row in alliance.proposed_schools:  # the conditional UPDATEs bypassed the session: re-read on next use
        db.session.expire(row.school)


def _grant_first_admin(alliance, approver, now):
    """The drafter becomes 教联体管理员 when the alliance has none and they still administer a centre school."""
    has_admin = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(StaffMembership)
        .where(
            StaffMembership.alliance_id == alliance.id,
            StaffMembership.role == StaffRole.ALLIANCE_ADMIN,
            StaffMembership.active_key == 1,
        )
    )
    if has_admin or alliance.drafted_by_id is None:
        return None
    drafter_schools = set(
        db.session.scalars(
            sa.select(StaffMembership.school_id).where(
                StaffMembership.user_id == alliance.drafted_by_id,
                StaffMembership.role == StaffRole.SCHOOL_ADMIN,
                StaffMembership.active_key == 1,
            )
        )
    )
    if not drafter_schools & centre_school_ids(alliance):
        return None
    membership = StaffMembership(
        user_id=alliance.drafted_by_id,
        role=StaffRole.ALLIANCE_ADMIN,
        alliance_id=alliance.id,
        scope_key=alliance.id,
        granted_by_id=approver.user_id,
        granted_at=now,
    )
    db.session.add(membership)
    db.session.flush()
    return membership
