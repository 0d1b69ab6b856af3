"""Who may broadcast and see the delivery state (deny by default); a user's inbox, consents and mutes are their
own and need no predicate (another user's message answers 404). Regions are public to signed-in users, so a
caller who may not see a region's delivery state gets 403, like for an (approved, public) alliance."""

from jlt_family.organizations.permissions import administers_alliance, require


def can_broadcast(actor, alliance):
    """教联体管理员 of the alliance only (a region admin oversees, it does not speak for the alliance)."""
    return alliance.id in actor.alliance_ids


def can_view_delivery(actor, alliance):
    """教联体管理员 of the alliance, or 教育局管理员 of its region (or a region above)."""
    return administers_alliance(actor, alliance)


def require_broadcaster(actor, alliance):
    require(can_broadcast(actor, alliance), "只有教联体管理员可以发送通知", code="not_alliance_admin")


def require_delivery_viewer(actor, alliance):
    require(can_view_delivery(actor, alliance), "只有教联体或教育局管理员可以查看投递状态", code="not_alliance_admin")


def can_view_region_delivery(actor, region):
    """教育局管理员 of the region or of a region above it."""
    return region.id in actor.region_ids


def require_region_delivery_viewer(actor, region):
    require(
        can_view_region_delivery(actor, region), "只有教育局管理员可以查看本地区的投递状态", code="not_region_admin"
    )
