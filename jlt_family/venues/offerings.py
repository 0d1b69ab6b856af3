"""Offerings (开放项目) of a unit and their weekly opening rules, as the unit's staff set them."""

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.venues.models import Offering, OpeningRule
from jlt_family.venues.service import _rule


def create_offering(unit, **data):
    offering = Offering(resource_unit_id=unit.id, **data)
    db.session.add(offering)
    db.session.flush()
    return offering


def update_offering(offering, **data):
    for name, value in data.items():
        setattr(offering, name, value)
    if offering.green_quota > offering.capacity:
        raise _rule("green_quota_over_capacity", "绿色通道名额不能超过每场总名额")
    db.session.flush()
    return offering


def replace_rules(offering, rules):
    """设置每周开放规则: the new rules replace the old ones, and the offering's last change time moves on."""
    offering.rules = [OpeningRule(**rule) for rule in rules]
    offering.updated_at = utcnow()
    db.session.flush()
    return offering
