"""Who may read the evaluation reports. Deny by default; everyone else gets 404 (ids cannot be probed).

- a school's report: its school admins (学校领导), admins of its alliance, region admins of its region or above;
- an alliance's report: its alliance admins and region admins of its region or above;
- a region's report: region admins of that region or a region above it.
Teachers, venue staff and parents see none of them. Children's names and flags (the not-yet-visited list) only
the school's own leaders, in the school's report (``sees_children_of``); the others get counts.
"""

from jlt_family.alliances.models import ESTABLISHED_ALLIANCE_STATUSES, Alliance
from jlt_family.auth.context import Actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.organizations.models import Region, School
from jlt_family.organizations.permissions import administers_alliance, administers_school


def can_view_school_report(actor: Actor, school: School) -> bool:
    return administers_school(actor, school)


def sees_children_of(actor: Actor, school: School) -> bool:
    """The not-yet-visited list (children's names and flags) and the per-class flagged counts: only the school's
    own leaders (学校领导, its school admins), as DESIGN.md allows flags to the guardians, the 班主任 and school
    leaders. Administrators above the school (alliance, bureau) need no child's name for the evaluation: they
    get the counts (minimum to each role)."""
    return school.id in actor.admin_school_ids


def can_view_alliance_report(actor: Actor, alliance: Alliance) -> bool:
    """An application (draft, submitted, returned) has no evaluation yet: only an established alliance has one."""
    return alliance.status in ESTABLISHED_ALLIANCE_STATUSES and administers_alliance(actor, alliance)


def can_view_region_report(actor: Actor, region: Region) -> bool:
    return region.id in actor.region_ids


def school_or_404(actor: Actor, school_id: int) -> School:
    school = db.session.get(School, school_id)
    if school is None or not can_view_school_report(actor, school):
        raise NotFound("未找到该学校", code="school_not_found")
    return school


def alliance_or_404(actor: Actor, alliance_id: int) -> Alliance:
    alliance = db.session.get(Alliance, alliance_id)
    if alliance is None or not can_view_alliance_report(actor, alliance):
        raise NotFound("未找到该教联体", code="alliance_not_found")
    return alliance


def region_or_404(actor: Actor, region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None or not can_view_region_report(actor, region):
        raise NotFound("未找到该地区", code="region_not_found")
    return region
