"""Offerings (开放项目) of a unit and their weekly opening rules, as the unit's staff set them.

A change of the offering or of its rules brings its future slots in line (``slots.generate_slots``): unbooked
slots follow, booked ones stay as they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import ResourceUnit
from jlt_family.venues import slots
from jlt_family.venues.models import Offering, OfferingKind, OpeningRule, PriceKind
from jlt_family.venues.service import _rule


class OfferingFields(TypedDict, total=False):
    """The fields of an offering the staff set (all on creation, some on a change): ``VenueOfferingInputSchema``."""

    title: str
    kind: OfferingKind
    description: str
    min_grade: int | None
    max_grade: int | None
    min_age: int | None
    max_age: int | None
    duration_minutes: int
    capacity: int
    green_quota: int
    price_kind: PriceKind
    price_cents: int
    student_price_cents: int
    booking_opens_days: int
    booking_closes_minutes: int
    cancel_closes_minutes: int
    needs_confirmation: bool
    green_auto_confirm: bool
    green_release_minutes: int | None
    max_party: int
    is_active: bool


class RuleFields(TypedDict):
    """One weekly opening rule: ``VenueRuleSchema``."""

    weekday: int
    start_time: dt.time
    valid_from: dt.date | None
    valid_until: dt.date | None


@dataclasses.dataclass
class RulesResult:
    """The offering's rules after a change, and the slots the change added."""

    rules: list[OpeningRule]
    slots_added: int


def create_offering(unit: ResourceUnit, *, fields: OfferingFields) -> Offering:
    """发布开放项目 of the unit (its slots come with its rules)."""
    offering = Offering(resource_unit_id=unit.id)
    _assign(offering, fields)
    db.session.add(offering)
    db.session.flush()
    return offering


def update_offering(offering: Offering, *, changes: OfferingFields) -> Offering:
    """修改开放项目 (the given fields); its unbooked future slots follow the change."""
    _assign(offering, changes)
    if offering.green_quota > offering.capacity:
        raise _rule("green_quota_over_capacity", "绿色通道名额不能超过每场总名额")
    db.session.flush()
    slots.generate_slots(offering)
    return offering


def replace_rules(offering: Offering, rules: Iterable[RuleFields]) -> RulesResult:
    """设置每周开放规则: the new rules replace the old ones (one per weekday and start time, the last given wins),
    the offering's last change time moves on and the slots of the horizon are regenerated."""
    unique = {(rule["weekday"], rule["start_time"]): rule for rule in rules}.values()
    offering.rules = [
        OpeningRule(
            weekday=rule["weekday"],
            start_time=rule["start_time"],
            valid_from=rule["valid_from"],
            valid_until=rule["valid_until"],
        )
        for rule in unique
    ]
    offering.updated_at = utcnow()
    db.session.flush()
    added = slots.generate_slots(offering)
    return RulesResult(rules=list(offering.rules), slots_added=added)


def _assign(offering: Offering, values: OfferingFields) -> None:
    for name, value in values.items():
        setattr(offering, name, value)
