"""What a caller sees of an alliance: its schools, members and reminder policy, its application, review and
history."""

from jlt_family.alliances.models import AllianceAction, AllianceStatus, MemberKind
from jlt_family.alliances.permissions import allowed_actions, reads_history, sees_application
from jlt_family.core.masking import mask_phone
from jlt_family.organizations.permissions import is_alliance_staff
from jlt_family.organizations.presenters import _brief, region_brief

ACTION_LABELS = {
    AllianceAction.CREATED: "起草",
    AllianceAction.UPDATED: "修改名称或简介",
    AllianceAction.SCHOOL_ADDED: "添加学校",
    AllianceAction.SCHOOL_CHANGED: "调整中心校",
    AllianceAction.SCHOOL_REMOVED: "移除学校",
    AllianceAction.MEMBER_ADDED: "添加成员单位",
    AllianceAction.MEMBER_CHANGED: "修改成员单位",
    AllianceAction.MEMBER_REMOVED: "移除成员单位",
    AllianceAction.SUBMITTED: "提交审批",
    AllianceAction.APPROVED: "批准",
    AllianceAction.RETURNED: "退回修改",
    AllianceAction.SUSPENDED: "暂停",
    AllianceAction.REINSTATED: "恢复",
}


def user_brief(user):
    return {"id": user.id, "nickname": user.nickname} if user is not None else None


def proposed_school_out(row, alliance):
    from jlt_family.organizations.presenters import SCHOOL_KIND_LABELS

    school = row.school
    return {
        "id": school.id,
        "name": school.name,
        "kind": school.kind.value,
        "kind_label": SCHOOL_KIND_LABELS[school.kind],
        "is_centre": row.is_centre,
        "in_other_alliance": school.alliance_id is not None and school.alliance_id != alliance.id,
    }


def application_out(alliance, actor):
    """The application and its review, for those who take part in it (``None`` for everybody else)."""
    if not (reads_history(actor, alliance) or sees_application(actor, alliance)):
        return None
    return {
        "drafted_by": user_brief(alliance.drafted_by),
        "created_at": alliance.created_at,
        "updated_at": alliance.updated_at,
        "submitted_at": alliance.submitted_at,
        "submitted_by": user_brief(alliance.submitted_by),
        "reviewed_at": alliance.reviewed_at,
        "reviewed_by": user_brief(alliance.reviewed_by),
        "review_comment": alliance.review_comment or "",
        "suspended_at": alliance.suspended_at,
        "suspension_reason": alliance.suspension_reason or "",
        "proposed_schools": [proposed_school_out(row, alliance) for row in alliance.proposed_schools],
        "allowed_actions": allowed_actions(actor, alliance),
    }


def event_out(event):
    return {
        "id": event.id,
        "action": event.action.value,
        "action_label": ACTION_LABELS[event.action],
        "actor": user_brief(event.actor),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "comment": event.comment,
        "detail": event.detail or {},
        "created_at": event.created_at,
    }


ALLIANCE_STATUS_LABELS = {
    AllianceStatus.DRAFT: "草稿",
    AllianceStatus.SUBMITTED: "待审批",
    AllianceStatus.APPROVED: "已批准",
    AllianceStatus.SUSPENDED: "已暂停",
    AllianceStatus.RETURNED: "已退回",
}


MEMBER_KIND_LABELS = {
    MemberKind.RESOURCE_UNIT: "社会资源单位",
    MemberKind.COMMUNITY: "街道社区",
    MemberKind.DEPARTMENT: "政府部门",
}


def reminder_policy_out(alliance):
    return {
        "lead_minutes": list(alliance.reminder_lead_minutes or []),
        "quiet_hours_start": alliance.quiet_hours_start,
        "quiet_hours_end": alliance.quiet_hours_end,
    }


def _schools_of(alliance):
    """(centre schools, schools): those that joined once approved; before that, those of the application."""
    if alliance.status in (AllianceStatus.APPROVED, AllianceStatus.SUSPENDED):
        return alliance.centre_schools, alliance.schools
    rows = alliance.proposed_schools
    return [row.school for row in rows if row.is_centre], [row.school for row in rows]


def alliance_out(alliance, actor):
    show_phones = is_alliance_staff(actor, alliance)
    centre_schools, schools = _schools_of(alliance)
    return {
        "id": alliance.id,
        "name": alliance.name,
        "region": region_brief(alliance.region),
        "status": alliance.status.value,
        "status_label": ALLIANCE_STATUS_LABELS[alliance.status],
        "description": alliance.description,
        "centre_schools": [_brief(s) for s in centre_schools],
        "schools": [_brief(s) for s in schools],
        "members": [_member_out(m, show_phones) for m in alliance.members],
        "reminder_policy": reminder_policy_out(alliance),
        "approved_at": alliance.approved_at,
        "application": application_out(alliance, actor),
    }


def _member_out(member, show_phone):
    return {
        "id": member.id,
        "kind": member.kind.value,
        "kind_label": MEMBER_KIND_LABELS[member.kind],
        "name": member.name,
        "resource_unit_id": member.resource_unit_id,
        "duties": member.duties,
        "cooperation": member.cooperation,
        "responsible_person": member.responsible_person,
        "contact_phone": member.contact_phone if show_phone else mask_phone(member.contact_phone),
    }
