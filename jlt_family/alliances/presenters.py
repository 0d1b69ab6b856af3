"""What a caller sees of an alliance: its schools, members and reminder policy, its application, review and
history."""

from jlt_family.alliances.models import AllianceAction
from jlt_family.alliances.permissions import allowed_actions, reads_history, sees_application
from jlt_family.organizations.schemas import SCHOOL_KIND_LABELS

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
