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

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from jlt_family.alliances.models import (
    Alliance,
    AllianceAction,
    AllianceEvent,
    AllianceMember,
    AllianceSchool,
    AllianceStatus,
    MemberKind,
)
from jlt_family.alliances.permissions import centre_school_ids, require_drafter
from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import Region, ResourceUnit, School, StaffMembership, StaffRole
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


def lock(alliance):
    """The alliance row locked for the rest of the transaction, re-read with its application (member schools
    and member units) as last committed: locking reads, so a concurrent edit or decision is seen, not a snapshot.
    """
    alliance = db.session.scalar(
        sa.select(Alliance)
        .where(Alliance.id == alliance.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
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


def create_alliance(actor, *, name, description="", centre_school_ids, member_school_ids=(), members=(), now=None):
    """起草教联体: 1–2 centre schools of one county (the caller administers one of them), member schools of that
    county, member units with their duties. The alliance belongs to the centre schools' region."""
    now = now or utcnow()
    centre_ids, member_ids = list(dict.fromkeys(centre_school_ids)), list(dict.fromkeys(member_school_ids))
    if not centre_ids:
        raise RuleViolation("请至少选择一所中心校", code="centre_school_required")
    if len(centre_ids) > MAX_CENTRE_SCHOOLS:
        raise RuleViolation("教联体最多有两所中心校", code="too_many_centre_schools")
    if set(centre_ids) & set(member_ids):
        raise RuleViolation("同一所学校不能既是中心校又是成员学校", code="school_listed_twice")
    centres = [_school_or_422(school_id) for school_id in centre_ids]
    if not {school.id for school in centres} & actor.admin_school_ids:
        raise PermissionDenied("只有中心校的学校管理员可以起草教联体", code="not_centre_school_admin")
    region_id = centres[0].region_id
    alliance = Alliance(
        name=name,
        description=description,
        region_id=region_id,
        status=AllianceStatus.DRAFT,
        drafted_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(alliance)
    db.session.flush()
    for school, is_centre in [(s, True) for s in centres] + [(_school_or_422(i), False) for i in member_ids]:
        _check_school_fits(alliance, school)
        alliance.proposed_schools.append(AllianceSchool(school_id=school.id, is_centre=is_centre, added_at=now))
    for fields in members:
        _append_member(alliance, fields)
    _record(
        alliance,
        actor,
        AllianceAction.CREATED,
        to_status=AllianceStatus.DRAFT.value,
        now=now,
        name=name,
        schools=[s.id for s in centres] + member_ids,
        members=len(members),
    )
    db.session.flush()
    return alliance


def update_alliance(alliance, actor, now=None, **fields):
    """修改名称、简介 (draft or returned)."""
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    changes = {
        name: [getattr(alliance, name), value] for name, value in fields.items() if getattr(alliance, name) != value
    }
    for name, (_old, value) in changes.items():
        setattr(alliance, name, value)
    if changes:
        _record(alliance, actor, AllianceAction.UPDATED, now=now, changes=changes)
        _touched(alliance, now)
    return alliance


def add_school(alliance, actor, *, school_id, is_centre=False, now=None):
    """添加成员学校 (or a second centre school)."""
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    school = _school_or_422(school_id)
    if school.id in {row.school_id for row in alliance.proposed_schools}:
        raise Conflict(f"{school.name}已在该教联体中", code="school_already_added")
    _check_school_fits(alliance, school)
    if is_centre:
        _check_centre_room(alliance)
    alliance.proposed_schools.append(AllianceSchool(school_id=school.id, is_centre=is_centre, added_at=now))
    _record(
        alliance,
        actor,
        AllianceAction.SCHOOL_ADDED,
        now=now,
        school_id=school.id,
        school=school.name,
        is_centre=is_centre,
    )
    db.session.flush()
    return _touched(alliance, now)


def change_school(alliance, actor, school_id, *, is_centre, now=None):
    """设为或取消中心校 (at most two, at least one)."""
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    row = _proposed_or_404(alliance, school_id)
    if row.is_centre == is_centre:
        return alliance
    if is_centre:
        _check_centre_room(alliance)
    else:
        _check_not_last_centre(alliance, row)
    row.is_centre = is_centre
    _record(
        alliance,
        actor,
        AllianceAction.SCHOOL_CHANGED,
        now=now,
        school_id=row.school_id,
        school=row.school.name,
        is_centre=is_centre,
    )
    return _touched(alliance, now)


def remove_school(alliance, actor, school_id, now=None):
    """移除成员学校 (not the last centre school: somebody must be left to edit the application)."""
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    row = _proposed_or_404(alliance, school_id)
    if row.is_centre:
        _check_not_last_centre(alliance, row)
    alliance.proposed_schools.remove(row)
    _record(
        alliance,
        actor,
        AllianceAction.SCHOOL_REMOVED,
        now=now,
        school_id=row.school_id,
        school=row.school.name,
        was_centre=row.is_centre,
    )
    db.session.flush()
    return _touched(alliance, now)


def add_member(alliance, actor, now=None, **fields):
    """添加成员单位: a resource unit, a community or a government department with duties, way of cooperating,
    responsible person and contact phone (000 §三.3)."""
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    member = _append_member(alliance, fields)
    db.session.flush()
    _record(
        alliance,
        actor,
        AllianceAction.MEMBER_ADDED,
        now=now,
        member_id=member.id,
        member=member.name,
        kind=member.kind.value,
    )
    return _touched(alliance, now)


def change_member(alliance, actor, member_id, now=None, **fields):
    """修改成员单位 (its kind and unit stay; name, duties, cooperation, responsible person, phone change)."""
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    member = _member_or_404(alliance, member_id)
    if "name" in fields:
        _check_member_unique(alliance, member.kind, member.resource_unit_id, fields["name"], exclude=member)
    changes = {name: [getattr(member, name), value] for name, value in fields.items() if getattr(member, name) != value}
    for name, (_old, value) in changes.items():
        setattr(member, name, value)
    if changes:
        _record(
            alliance,
            actor,
            AllianceAction.MEMBER_CHANGED,
            now=now,
            member_id=member.id,
            member=member.name,
            changes=changes,
        )
        _touched(alliance, now)
    return alliance


def remove_member(alliance, actor, member_id, now=None):
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    member = _member_or_404(alliance, member_id)
    alliance.members.remove(member)
    _record(
        alliance,
        actor,
        AllianceAction.MEMBER_REMOVED,
        now=now,
        member_id=member.id,
        member=member.name,
        kind=member.kind.value,
    )
    db.session.flush()
    return _touched(alliance, now)


# Submission and review ---------------------------------------------------------------------------------------


def submit(alliance, actor, now=None):
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
    alliance.status, alliance.submitted_at, alliance.submitted_by_id = AllianceStatus.SUBMITTED, now, actor.user_id
    _record(
        alliance, actor, AllianceAction.SUBMITTED, from_status=before.value, to_status=alliance.status.value, now=now
    )
    return _touched(alliance, now)


def approve(alliance, actor, comment="", now=None):
    """批准: the schools join the alliance (only those still free: else 409 and nothing changes), the drafter
    becomes its 教联体管理员 if it has none, and the alliance is published."""
    now = now or utcnow()
    alliance = _lock_submitted(alliance)
    _take_schools(alliance)
    alliance.status, alliance.approved_at = AllianceStatus.APPROVED, now
    _reviewed(alliance, actor, comment, now)
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


def return_for_changes(alliance, actor, comment, now=None):
    """退回修改 with the reviewer's comments (required); the centre schools edit and submit again."""
    now = now or utcnow()
    if not comment.strip():
        raise RuleViolation(
            "退回时请填写修改意见", code="comment_required", errors={"json": {"comment": ["退回时请填写修改意见"]}}
        )
    alliance = _lock_submitted(alliance)
    alliance.status = AllianceStatus.RETURNED
    _reviewed(alliance, actor, comment, now)
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


def suspend(alliance, actor, reason, now=None):
    """暂停 an approved alliance with a reason: its rows stay, its green channel and publication stop."""
    now = now or utcnow()
    if not reason.strip():
        raise RuleViolation(
            "暂停时请填写原因", code="suspension_reason_required", errors={"json": {"reason": ["暂停时请填写原因"]}}
        )
    alliance = lock(alliance)
    if alliance.status != AllianceStatus.APPROVED:
        _wrong_status(alliance, AllianceStatus.APPROVED, "alliance_not_approved")
    alliance.status, alliance.suspended_at, alliance.suspension_reason = AllianceStatus.SUSPENDED, now, reason
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


def reinstate(alliance, actor, comment="", now=None):
    """恢复 a suspended alliance: approved again, with everything it had."""
    now = now or utcnow()
    alliance = lock(alliance)
    if alliance.status != AllianceStatus.SUSPENDED:
        _wrong_status(alliance, AllianceStatus.SUSPENDED, "alliance_not_suspended")
    alliance.status, alliance.suspended_at, alliance.suspension_reason = AllianceStatus.APPROVED, None, ""
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


def history(alliance):
    """The alliance's history, oldest first (a statement to paginate)."""
    return (
        sa.select(AllianceEvent)
        .where(AllianceEvent.alliance_id == alliance.id)
        .options(joinedload(AllianceEvent.actor))
        .order_by(AllianceEvent.id)
    )


# Helpers -----------------------------------------------------------------------------------------------------


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


def _school_or_422(school_id):
    school = db.session.get(School, school_id)
    if school is None:
        raise RuleViolation(
            f"学校编号 {school_id} 不存在",
            code="unknown_school",
            errors={"json": {"school_id": [f"学校编号 {school_id} 不存在"]}},
        )
    return school


def _check_school_fits(alliance, school):
    """A school of the alliance's county, not already in another alliance."""
    if school.region_id != alliance.region_id:
        raise RuleViolation(
            f"{school.name}不在本教联体所在的区县，教联体的学校应属于同一区县", code="school_other_county"
        )
    if school.alliance_id is not None and school.alliance_id != alliance.id:
        raise SchoolInOtherAlliance([school])


def _check_centre_room(alliance):
    if sum(row.is_centre for row in alliance.proposed_schools) >= MAX_CENTRE_SCHOOLS:
        raise RuleViolation("教联体最多有两所中心校", code="too_many_centre_schools")


def _check_not_last_centre(alliance, row):
    if not any(other.is_centre for other in alliance.proposed_schools if other is not row):
        raise Conflict("教联体至少要有一所中心校：请先设置另一所中心校", code="last_centre_school")


def _proposed_or_404(alliance, school_id):
    for row in alliance.proposed_schools:
        if row.school_id == school_id:
            return row
    raise NotFound("该学校不在此教联体的申报中", code="alliance_school_not_found")


def _member_or_404(alliance, member_id):
    for member in alliance.members:
        if member.id == member_id:
            return member
    raise NotFound("未找到该成员单位", code="alliance_member_not_found")


def _append_member(alliance, fields):
    fields = {name: value for name, value in fields.items() if name in _MEMBER_FIELDS}
    kind = fields["kind"] = MemberKind(fields["kind"])
    unit = None
    if fields.get("resource_unit_id") is not None:
        unit = _unit_or_422(fields["resource_unit_id"], alliance)
        fields["name"] = fields.get("name") or unit.name
    elif kind == MemberKind.RESOURCE_UNIT:
        raise RuleViolation("社会资源单位成员请选择资源目录中的单位（resource_unit_id）", code="resource_unit_required")
    if not fields.get("name"):
        raise RuleViolation(
            "请填写成员单位名称", code="member_name_required", errors={"json": {"name": ["请填写成员单位名称"]}}
        )
    _check_member_unique(alliance, kind, unit.id if unit else None, fields["name"])
    member = AllianceMember(**fields)
    alliance.members.append(member)
    return member


def _check_member_unique(alliance, kind, unit_id, name, exclude=None):
    for other in alliance.members:
        if other is exclude:
            continue
        if (unit_id is not None and other.resource_unit_id == unit_id) or (other.kind == kind and other.name == name):
            raise Conflict(f"{other.name}已是该教联体的成员单位", code="member_unit_duplicate")


def _unit_or_422(unit_id, alliance):
    unit = db.session.get(ResourceUnit, unit_id)
    if unit is None:
        raise RuleViolation(
            f"资源单位编号 {unit_id} 不存在",
            code="unknown_resource_unit",
            errors={"json": {"resource_unit_id": [f"资源单位编号 {unit_id} 不存在"]}},
        )
    if not unit.is_active:
        raise RuleViolation(f"{unit.name}已停用，不能加入教联体", code="resource_unit_inactive")
    if unit.region_id not in _regions_around(alliance.region_id):
        raise RuleViolation(
            f"{unit.name}不在本教联体所在地区（本区县、其上级或下级地区）", code="resource_unit_out_of_region"
        )
    return unit


def _regions_around(region_id):
    """The region, the regions above it (a city's science museum serves its counties) and those under it."""
    found, current = set(region_subtree_ids([region_id])), db.session.get(Region, region_id)
    while current is not None and current.parent_id is not None:
        found.add(current.parent_id)
        current = db.session.get(Region, current.parent_id)
    return found


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


# Reminder policy ---------------------------------------------------------------------------------------------


def update_reminder_policy(alliance, lead_minutes=None, quiet_hours_start=None, quiet_hours_end=None):
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
