"""Rules of the catalogue and of resource-unit management. Services raise domain errors and never commit.

Units: the bureau (教育局) of the unit's region or above creates them, edits every field, deactivates and
reactivates them; the unit's venue staff edit its public profile only. A name is unique within its region: a
clash answers 409 ``resource_unit_name_taken``, also when two requests race (the unique key decides). Every change
is written to the audit log with the fields before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jlt_family.catalogue.queries import CatalogueQuery, approved_alliances
from jlt_family.catalogue.views import CatalogueEntry, CataloguePage
from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict, PermissionDenied, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.models import AuditLog
from jlt_family.core.pagination import paginate
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import Region, RegionLevel, ResourceUnit, ResourceUnitKind

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor
    from jlt_family.catalogue.permissions import CatalogueAudience
    from jlt_family.venues.models import Offering

PROFILE_FIELDS = frozenset({"address", "opening_info", "description", "contact_person", "contact_phone"})
EXPORT_MAX_UNITS = 5000
EXPORT_MAX_ROWS = 20000
SUBJECT = "resource_unit"


# Resource units ----------------------------------------------------------------------------------------------


def _name_taken() -> Conflict:
    return Conflict(
        "本地区已有同名的资源单位",
        code="resource_unit_name_taken",
        errors={"json": {"name": ["本地区已有同名的资源单位"]}},
    )


def _check_name_free(region_id: int, name: str, exclude_id: int | None = None) -> None:
    stmt = sa.select(ResourceUnit.id).where(ResourceUnit.region_id == region_id, ResourceUnit.name == name)
    if exclude_id is not None:
        stmt = stmt.where(ResourceUnit.id != exclude_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise _name_taken()


def _flush_unique_name() -> None:
    """Flush in a savepoint: a concurrent unit of the same name (the unique key) is the same 409."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise _name_taken() from None


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


@dataclass(frozen=True)
class NewUnit:
    """添加资源单位 as asked: its name and kind, and the profile fields given (``None``: not given, the default)."""

    name: str
    kind: ResourceUnitKind
    address: str | None = None
    opening_info: str | None = None
    description: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None

    def given(self) -> dict[str, Any]:
        """The fields the request gave, by name."""
        fields = {name: getattr(self, name) for name in ("name", "kind", *sorted(PROFILE_FIELDS))}
        return {name: value for name, value in fields.items() if value is not None}


def create_unit(region: Region, new: NewUnit, *, actor: Actor) -> ResourceUnit:
    """添加资源单位 in ``region``, a county (区/县/旗县): the catalogue is kept per county (一旗县一清单)."""
    if region.level != RegionLevel.COUNTY:
        raise RuleViolation("资源单位应归属到区、县或旗县", code="region_not_a_county")
    given = new.given()
    _check_name_free(region.id, new.name)
    unit = ResourceUnit(region_id=region.id)
    for field, value in given.items():
        setattr(unit, field, value)
    db.session.add(unit)
    _flush_unique_name()
    audit(
        actor,
        "create_resource_unit",
        SUBJECT,
        unit.id,
        changes={field: [None, _plain(value)] for field, value in sorted(given.items())},
    )
    return unit


def update_unit(unit: ResourceUnit, changes: Mapping[str, Any], *, actor: Actor, as_admin: bool) -> ResourceUnit:
    """修改资源单位: every field for the bureau; the public profile only for the unit's venue staff.

    ``changes`` holds the fields the request gave (a partial update: a field left out stays as it is).
    """
    refused = set(changes) - PROFILE_FIELDS
    if not as_admin and refused:
        raise PermissionDenied(
            "场馆工作人员只能修改地址、开放信息、简介和联系方式",
            code="profile_fields_only",
            errors={"json": {name: ["无权修改此项"] for name in sorted(refused)}},
        )
    diff = {
        name: [_plain(getattr(unit, name)), _plain(value)]
        for name, value in changes.items()
        if getattr(unit, name) != value
    }
    if not diff:
        return unit
    if "name" in diff:
        _check_name_free(unit.region_id, changes["name"], exclude_id=unit.id)
    for name in diff:
        setattr(unit, name, changes[name])
    unit.updated_at = utcnow()
    _flush_unique_name()
    audit(actor, "update_resource_unit", SUBJECT, unit.id, changes=dict(sorted(diff.items())))
    return unit


def _switch(unit: ResourceUnit, active: bool) -> bool:
    """Flip ``is_active`` with one conditional UPDATE: of racing clicks exactly one switches (and is audited)."""
    switched = update_rows(
        sa.update(ResourceUnit)
        .where(ResourceUnit.id == unit.id, ResourceUnit.is_active.is_(not active))
        .values(is_active=active, updated_at=utcnow())
    )
    db.session.expire(unit)
    return switched == 1


def deactivate_unit(unit: ResourceUnit, *, actor: Actor, reason: str) -> ResourceUnit:
    """停用: the unit leaves the catalogue of parents and staff (administrators still see it); nothing is deleted."""
    if not _switch(unit, False):
        raise Conflict("该资源单位已停用", code="resource_unit_already_inactive")
    audit(actor, "deactivate_resource_unit", SUBJECT, unit.id, changes={"is_active": [True, False]}, reason=reason)
    return unit


def reactivate_unit(unit: ResourceUnit, *, actor: Actor) -> ResourceUnit:
    """恢复启用."""
    if not _switch(unit, True):
        raise Conflict("该资源单位已在启用中", code="resource_unit_already_active")
    audit(actor, "reactivate_resource_unit", SUBJECT, unit.id, changes={"is_active": [False, True]})
    return unit


def unit_changes(unit: ResourceUnit) -> sa.Select:
    """The statement of a unit's change history, newest first."""
    return (
        sa.select(AuditLog)
        .where(AuditLog.subject_type == SUBJECT, AuditLog.subject_id == unit.id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    )


# The catalogue ----------------------------------------------------------------------------------------------------


def _entries(
    query: CatalogueQuery, rows: Sequence[Any], offerings: Sequence[Offering], *, shows_contact: bool
) -> list[CatalogueEntry]:
    unit_ids = [unit.id for unit, _changed in rows]
    alliances = approved_alliances(unit_ids)
    next_slots = query.next_slots([o.id for o in offerings])
    by_unit: dict[int, list[Offering]] = {}
    for offering in offerings:
        by_unit.setdefault(offering.resource_unit_id, []).append(offering)
    return [
        CatalogueEntry(
            unit=unit,
            offerings_changed=changed,
            offerings=by_unit.get(unit.id, []),
            alliances=alliances.get(unit.id, []),
            next_slots=next_slots,
            shows_contact=shows_contact,
        )
        for unit, changed in rows
    ]


def catalogue_page(
    audience: CatalogueAudience, args: Mapping[str, Any], now: dt.datetime | None = None
) -> CataloguePage:
    """One page of the county's catalogue (empty past the last page, as every list of the API); ``args``: the
    filters and the page of ``CatalogueArgsSchema``."""
    query = CatalogueQuery(audience, args, now=now or utcnow())
    result = paginate(query.units(), args["page"], args["page_size"], scalars=False)
    rows = result["items"]
    offerings = query.offerings([unit.id for unit, _changed in rows])
    return CataloguePage(
        region=audience.region,
        items=_entries(query, rows, offerings, shows_contact=audience.sees_contacts),
        page=result["page"],
        page_size=result["page_size"],
        total=result["total"],
    )


def catalogue_export(
    audience: CatalogueAudience, args: Mapping[str, Any], now: dt.datetime | None = None
) -> list[CatalogueEntry]:
    """Every listed unit and offering for an export, bounded (``export_too_large`` beyond the bounds).

    The bureau exports every unit of the county; an alliance admin the units of their alliances.
    """
    query = CatalogueQuery(audience, args, only_alliance_ids=audience.export_alliance_ids, now=now or utcnow())
    rows = db.session.execute(query.units().limit(EXPORT_MAX_UNITS + 1)).all()
    offerings = query.offerings([unit.id for unit, _changed in rows], limit=EXPORT_MAX_ROWS + 1)
    if len(rows) > EXPORT_MAX_UNITS or len(offerings) > EXPORT_MAX_ROWS:
        message = f"导出内容过多（最多 {EXPORT_MAX_UNITS} 个单位、{EXPORT_MAX_ROWS} 个开放项目），请筛选后分批导出"
        raise RuleViolation(message, code="export_too_large")
    return _entries(query, rows, offerings, shows_contact=audience.sees_contacts)
