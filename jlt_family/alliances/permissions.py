"""Who may draft, edit, submit, review, suspend an alliance and read its history (predicates over ``Actor``).

- The **drafters** of an alliance are the 学校管理员 of its centre school(s) (中心校), proposed or approved.
  They edit a draft or returned alliance (name, description, member schools, member units) and submit it.
- The **reviewers** are the 教育局管理员 of the alliance's region or a region above it. They approve or return
  a submitted alliance, and suspend or reinstate an approved one.
- The **history** is read by the alliance's 教联体管理员, its drafters and its reviewers.

Loading follows ``organizations.permissions``: an alliance the caller may not see answers 404; one they may see
but not act on answers 403 with the codes below.
"""

from jlt_family.alliances.models import Alliance, AllianceStatus
from jlt_family.auth.context import Actor
from jlt_family.organizations.permissions import require


def centre_school_ids(alliance: Alliance) -> set[int]:
    """The alliance's centre schools: those of its application and, once approved, those marked on the school."""
    proposed = {row.school_id for row in alliance.proposed_schools if row.is_centre}
    return proposed | {school.id for school in alliance.schools if school.is_alliance_centre}


def proposed_school_ids(alliance: Alliance) -> set[int]:
    return {row.school_id for row in alliance.proposed_schools}


def drafts_alliance(actor: Actor, alliance: Alliance) -> bool:
    """学校管理员 of one of the alliance's centre schools."""
    return bool(centre_school_ids(alliance) & actor.admin_school_ids)


def sees_application(actor: Actor, alliance: Alliance) -> bool:
    """学校管理员 of any school of the application (a member school's admin reads what their school joins)."""
    return bool(proposed_school_ids(alliance) & actor.admin_school_ids)


def reviews_alliance(actor: Actor, alliance: Alliance) -> bool:
    """教育局管理员 of the alliance's region (or a region above it)."""
    return alliance.region_id in actor.region_ids


def reads_history(actor: Actor, alliance: Alliance) -> bool:
    """教联体管理员, the centre schools' admins and the education bureau."""
    return alliance.id in actor.alliance_ids or drafts_alliance(actor, alliance) or reviews_alliance(actor, alliance)


def allowed_actions(actor: Actor, alliance: Alliance) -> list[str]:
    """What the caller may do with the alliance in its current status (for the client to show its buttons)."""
    # deferred: alliances.service imports these permissions
    from jlt_family.alliances.service import EDITABLE

    actions = []
    if drafts_alliance(actor, alliance) and alliance.status in EDITABLE:
        actions += ["edit", "submit"]
    if reviews_alliance(actor, alliance):
        actions += {
            AllianceStatus.SUBMITTED: ["approve", "return"],
            AllianceStatus.APPROVED: ["suspend"],
            AllianceStatus.SUSPENDED: ["reinstate"],
        }.get(alliance.status, [])
    return actions


def require_drafter(actor: Actor, alliance: Alliance) -> None:
    require(
        drafts_alliance(actor, alliance), "只有中心校的学校管理员可以编辑和提交教联体申报", code="not_alliance_drafter"
    )


def require_reviewer(actor: Actor, alliance: Alliance) -> None:
    require(reviews_alliance(actor, alliance), "只有教联体所在地区的教育局管理员可以审批", code="not_alliance_reviewer")


def require_history_reader(actor: Actor, alliance: Alliance) -> None:
    require(
        reads_history(actor, alliance), "只有教联体管理员、中心校管理员和教育局可以查看记录", code="not_alliance_admin"
    )
