"""家访状态变更: the one way a visit changes state, by the table of its life cycle (``models.VISIT_TRANSITIONS``),
each change writing its history row (``VisitEvent``), on the visit row read again under its lock."""

from typing import Any

import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.core.errors import Conflict
from jlt_family.core.extensions import db
from jlt_family.visits import permissions
from jlt_family.visits.models import (
    VISIT_TRANSITIONS,
    HomeVisit,
    Side,
    VisitAction,
    VisitEvent,
    VisitState,
)


class WrongState(Conflict):
    code = "visit_state_conflict"
    message = "家访当前状态不允许此操作"


def wrong_state(visit: HomeVisit) -> WrongState:
    """409 ``visit_state_conflict`` in the words of the visit's state."""
    labels = {
        VisitState.PROPOSED: "待确认",
        VisitState.SCHEDULED: "已确认",
        VisitState.COMPLETED: "已完成",
        VisitState.CANCELLED: "已取消",
        VisitState.DECLINED: "已婉拒",
    }
    return WrongState(f"该家访{labels[visit.state]}，不能执行此操作")


def lock_visit(visit: HomeVisit) -> HomeVisit:
    """The visit row again, locked and fresh (the latest committed state, whatever the snapshot)."""
    return db.session.scalars(
        sa.select(HomeVisit).where(HomeVisit.id == visit.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def require_state(visit: HomeVisit, action: VisitAction) -> None:
    """409 ``visit_state_conflict`` unless the state table allows ``action`` from the visit's state."""
    sources, _target = VISIT_TRANSITIONS[action]
    if visit.state not in sources:
        raise wrong_state(visit)


def transition(
    visit: HomeVisit,
    action: VisitAction,
    actor: Actor,
    side: Side,
    *,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> VisitEvent:
    """The one way a visit changes (家访状态变更): ``action`` must be allowed from the visit's state by the state
    table (409 otherwise); the visit takes the action's target state and one history row records who acted, for
    whom, from which state to which, why and the details. A 班主任 acting on a visit that does not name them is
    written as acting for its proposer. The caller holds the visit's row lock (``lock_visit``) or creates it."""
    require_state(visit, action)
    from_state, visit.state = visit.state, VISIT_TRANSITIONS[action][1]
    on_behalf_of = permissions.acting_for(actor, visit) if side == Side.STAFF else None
    event = VisitEvent(
        actor_user_id=actor.user_id,
        on_behalf_of_id=on_behalf_of,
        side=side,
        action=action,
        from_state=from_state,
        to_state=visit.state,
        reason=reason,
        detail=detail or {},
    )
    visit.history.append(event)
    return event
