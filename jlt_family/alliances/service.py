"""教联体的组建与审批: the rules of drafting, submitting, reviewing and suspending an alliance.

The life of an alliance (004 §三(二): research → application and approval → evaluation)::

    draft ──submit──▶ submitted ──approve──▶ approved ◀──reinstate── suspended
      ▲                   │                      └──────suspend──────────▲
      └── (edit) returned ◀──return (comment required)

- A draft or returned alliance is edited by the school admins of its centre school(s); submitting checks that
  it is complete (1–2 centre schools, a description, at least one member unit, no school already in another
  alliance). Submitted, approved and suspended alliances cannot be edited.
- Approval makes the application real in the same transaction: each school of the application joins the
  alliance (``School.alliance_id``, ``is_alliance_centre`` for the centre schools) with a conditional UPDATE
  that only takes a school still free, so two alliances racing for one school cannot both get it. The drafter,
  while still an admin of a centre school, becomes the alliance's 教联体管理员 if it has none yet.
- Suspension keeps every row (schools stay linked, bookings and courses stay) but the alliance is no longer
  approved: it stops granting the green channel (``venues.eligibility`` counts approved alliances only), its
  alliance courses leave the parents' catalogue, and it is no longer published. Reinstating undoes that.

Every write locks the alliance row first (``SELECT ... FOR UPDATE``) and re-reads its application with locking
reads, so two reviewers deciding at once, or an edit racing a submission, end in one consistent state. Every
edit and transition is written to the alliance's history (``AllianceEvent``); review decisions also go to the
audit log. Services raise domain errors and never commit.
"""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from jlt_family.alliances.models import (
    Alliance,
    AllianceEvent,
    AllianceMember,
    AllianceSchool,
    AllianceStatus,
)
from jlt_family.alliances.permissions import require_drafter
from jlt_family.auth.context import Actor
from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations import permissions as org_permissions
from jlt_family.organizations.service import region_subtree_ids

EDITABLE = frozenset({AllianceStatus.DRAFT, AllianceStatus.RETURNED})
MAX_CENTRE_SCHOOLS = 2
STATUS_LABELS = {
    AllianceStatus.DRAFT: "草稿",
    AllianceStatus.SUBMITTED: "待审批",
    AllianceStatus.APPROVED: "已批准",
    AllianceStatus.SUSPENDED: "已暂停",
    AllianceStatus.RETURNED: "已退回",
}
_MEMBER_FIELDS = ("kind", "resource_unit_id", "name", "duties", "cooperation", "responsible_person", "contact_phone")


# Errors with their stable codes ------------------------------------------------------------------------------


class AllianceNotEditable(Conflict):
    code = "alliance_not_editable"

    def __init__(self, alliance):
        super().__init__(f"该教联体{STATUS_LABELS[alliance.status]}，只有草稿或已退回的申报可以修改和提交")


class SchoolInOtherAlliance(Conflict):
    code = "school_in_other_alliance"

    def __init__(self, schools):
        names = "、".join(school.name for school in schools)
        super().__init__(
            f"{names}已加入其他教联体，一所学校只能属于一个教联体",
            errors={"schools": [{"id": s.id, "name": s.name, "alliance_id": s.alliance_id} for s in schools]},
        )


def _wrong_status(alliance, expected, code):
    raise Conflict(f"该教联体{STATUS_LABELS[alliance.status]}，只能处理{STATUS_LABELS[expected]}的教联体", code=code)


# Locking -----------------------------------------------------------------------------------------------------


def lock(alliance: Alliance) -> Alliance:
    """The alliance row locked for the rest of the transaction, re-read with its application (member schools
    and member units) as last committed: locking reads, so a concurrent edit or decision is seen, not a snapshot.
    """
    alliance = db.session.scalars(
        sa.select(Alliance)
        .where(Alliance.id == alliance.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    for attribute, model in (("proposed_schools", AllianceSchool), ("members", AllianceMember)):
        rows = db.session.scalars(
            sa.select(model)
            .where(model.alliance_id == alliance.id)
            .order_by(model.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        set_committed_value(alliance, attribute, rows)
    return alliance


def _lock_editable(alliance, actor):
    alliance = lock(alliance)
    require_drafter(actor, alliance)
    if alliance.status not in EDITABLE:
        raise AllianceNotEditable(alliance)
    return alliance


def _record(alliance, actor, action, *, from_status=None, to_status=None, comment="", now=None, **detail):
    event = AllianceEvent(
        alliance_id=alliance.id,
        actor_user_id=actor.user_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        detail=detail,
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event


def _touched(alliance, now):
    alliance.updated_at = now
    return alliance


# Drafting ----------------------------------------------------------------------------------------------------


# Submission and review ---------------------------------------------------------------------------------------


def history(alliance: Alliance) -> sa.Select:
    """The alliance's history, oldest first (a statement to paginate)."""
    return (
        sa.select(AllianceEvent)
        .where(AllianceEvent.alliance_id == alliance.id)
        .options(joinedload(AllianceEvent.actor))
        .order_by(AllianceEvent.id)
    )


# Helpers -----------------------------------------------------------------------------------------------------


# Reminder policy ---------------------------------------------------------------------------------------------


def update_reminder_policy(
    alliance: Alliance,
    *,
    lead_minutes: list[int] | None = None,
    quiet_hours_start: dt.time | None = None,
    quiet_hours_end: dt.time | None = None,
) -> Alliance:
    """提醒策略: lead times (validated by the schema) are stored longest first; quiet hours as times."""
    if lead_minutes is not None:
        alliance.reminder_lead_minutes = sorted(lead_minutes, reverse=True)
    start = quiet_hours_start or alliance.quiet_hours_start
    end = quiet_hours_end or alliance.quiet_hours_end
    if start == end:
        raise RuleViolation(
            "静默时段的开始和结束时间不能相同",
            code="quiet_hours_empty",
            errors={"json": {"quiet_hours_end": ["静默时段的开始和结束时间不能相同"]}},
        )
    alliance.quiet_hours_start, alliance.quiet_hours_end = start, end
    return alliance


# Reading -----------------------------------------------------------------------------------------------------


def alliances_seen_by(
    actor: Actor, *, region_id: int | None = None, status: AllianceStatus | str | None = None
) -> sa.Select:
    """The alliances the caller may see (in a region and the regions under it, in a status), with what their
    answers show loaded alongside, in id order."""
    stmt = (
        sa.select(Alliance)
        .where(org_permissions.visible_alliances(actor))
        .options(
            selectinload(Alliance.schools),
            selectinload(Alliance.members),
            selectinload(Alliance.region),
            selectinload(Alliance.proposed_schools).joinedload(AllianceSchool.school),
            selectinload(Alliance.drafted_by),
            selectinload(Alliance.submitted_by),
            selectinload(Alliance.reviewed_by),
        )
        .order_by(Alliance.id)
    )
    if region_id is not None:
        stmt = stmt.where(Alliance.region_id.in_(region_subtree_ids([region_id])))
    if status is not None:
        stmt = stmt.where(Alliance.status == status)
    return stmt
