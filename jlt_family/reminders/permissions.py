"""Who may broadcast and see the delivery state (deny by default); a user's inbox, consents and mutes are their
own and need no predicate (another user's message answers 404). Regions are public to signed-in users, so a
caller who may not see a region's delivery state gets 403, like for an (approved, public) alliance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jlt_family.organizations.permissions import administers_alliance, alliance_or_404, require

if TYPE_CHECKING:
    from jlt_family.alliances.models import Alliance
    from jlt_family.auth.context import Actor
    from jlt_family.organizations.models import Region


def can_broadcast(actor: Actor, alliance: Alliance) -> bool:
    """教联体管理员 of the alliance only (a region admin oversees, it does not speak for the alliance)."""
    return alliance.id in actor.alliance_ids


def can_view_delivery(actor: Actor, alliance: Alliance) -> bool:
    """教联体管理员 of the alliance, or 教育局管理员 of its region (or a region above)."""
    return administers_alliance(actor, alliance)


def require_broadcaster(actor: Actor, alliance: Alliance) -> None:
    require(can_broadcast(actor, alliance), "只有教联体管理员可以发送通知", code="not_alliance_admin")


def alliance_to_broadcast(actor: Actor, alliance_id: int) -> Alliance:
    """The alliance ``actor`` sends a notice to: 404 when they cannot see it, 403 when they do not administer it."""
    alliance = alliance_or_404(actor, alliance_id)
    require_broadcaster(actor, alliance)
    return alliance


def require_delivery_viewer(actor: Actor, alliance: Alliance) -> None:
    require(can_view_delivery(actor, alliance), "只有教联体或教育局管理员可以查看投递状态", code="not_alliance_admin")


def can_view_region_delivery(actor: Actor, region: Region) -> bool:
    """教育局管理员 of the region or of a region above it."""
    return region.id in actor.region_ids


def require_region_delivery_viewer(actor: Actor, region: Region) -> None:
    require(
        can_view_region_delivery(actor, region), "只有教育局管理员可以查看本地区的投递状态", code="not_region_admin"
    )
