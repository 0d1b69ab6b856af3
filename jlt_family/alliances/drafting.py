"""起草与修改: drafting an alliance and editing its application (name, description, member schools, member units)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from jlt_family.alliances.models import (
    ALLIANCE_LIFECYCLE,
    Alliance,
    AllianceAction,
    AllianceMember,
    AllianceSchool,
    AllianceStatus,
    MemberKind,
)
from jlt_family.alliances.service import (
    _MEMBER_FIELDS,
    MAX_CENTRE_SCHOOLS,
    SchoolInOtherAlliance,
    _lock_editable,
    _record,
    _touched,
)
from jlt_family.auth.context import Actor
from jlt_family.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import Region, ResourceUnit, School
from jlt_family.organizations.service import region_subtree_ids


def create_alliance(
    actor: Actor,
    *,
    name: str,
    description: str = "",
    centre_school_ids: Sequence[int],
    member_school_ids: Sequence[int] = (),
    members: Sequence[Mapping[str, Any]] = (),
    now: dt.datetime | None = None,
) -> Alliance:
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
    ALLIANCE_LIFECYCLE.created(alliance, actor_id=actor.user_id)
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


def update_alliance(
    alliance: Alliance, actor: Actor, *, changes: Mapping[str, Any], now: dt.datetime | None = None
) -> Alliance:
    """修改名称、简介 (draft or returned): ``changes`` holds the fields given (name, description)."""
    fields = changes
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


def add_school(
    alliance: Alliance, actor: Actor, *, school_id: int, is_centre: bool = False, now: dt.datetime | None = None
) -> Alliance:
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


def change_school(
    alliance: Alliance, actor: Actor, school_id: int, *, is_centre: bool, now: dt.datetime | None = None
) -> Alliance:
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


def remove_school(alliance: Alliance, actor: Actor, school_id: int, now: dt.datetime | None = None) -> Alliance:
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


def add_member(
    alliance: Alliance, actor: Actor, *, member: Mapping[str, Any], now: dt.datetime | None = None
) -> Alliance:
    """添加成员单位: a resource unit, a community or a government department with duties, way of cooperating,
    responsible person and contact phone (000 §三.3)."""
    now = now or utcnow()
    alliance = _lock_editable(alliance, actor)
    added = _append_member(alliance, dict(member))
    db.session.flush()
    _record(
        alliance,
        actor,
        AllianceAction.MEMBER_ADDED,
        now=now,
        member_id=added.id,
        member=added.name,
        kind=added.kind.value,
    )
    return _touched(alliance, now)


def change_member(
    alliance: Alliance, actor: Actor, member_id: int, *, changes: Mapping[str, Any], now: dt.datetime | None = None
) -> Alliance:
    """修改成员单位 (its kind and unit stay; name, duties, cooperation, responsible person, phone change)."""
    fields = changes
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


def remove_member(alliance: Alliance, actor: Actor, member_id: int, now: dt.datetime | None = None) -> Alliance:
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
