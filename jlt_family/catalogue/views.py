"""What a caller sees of resource units and of the catalogue: the small views the schemas dump.

A unit shows its contact phone in full to its staff and administrators (masked for everybody else) and only the
alliances the caller may see. A catalogue entry is a unit with its listed offerings and the approved alliances it
serves; its phone is masked for parents. Labels are Chinese (audience, price, weekly schedule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from jlt_family.alliances.models import Alliance
from jlt_family.core.masking import mask_phone
from jlt_family.organizations import permissions
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import Region, ResourceUnit
from jlt_family.venues.models import Offering, PriceKind, Slot

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor
    from jlt_family.auth.models import User
    from jlt_family.core.models import AuditLog

WEEKDAYS = "一二三四五六日"
ACTION_LABELS = {"create": "添加", "update": "修改", "deactivate": "停用", "reactivate": "恢复启用"}


# Resource units ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitView:
    """社会资源单位 as one caller sees it: its contact phone (or masked) and the alliances the caller may see."""

    unit: ResourceUnit
    contact_phone: str | None
    alliances: list[Alliance]


def unit_view(unit: ResourceUnit, actor: Actor) -> UnitView:
    shows_phone = permissions.sees_unit_contact(actor, unit)
    return UnitView(
        unit,
        unit.contact_phone if shows_phone else mask_phone(unit.contact_phone),
        [m.alliance for m in unit.memberships if permissions.can_view_alliance(actor, m.alliance)],
    )


@dataclass(frozen=True)
class UnitChange:
    """资源单位变更记录: one audit-log entry of a unit's management."""

    entry: AuditLog

    @property
    def id(self) -> int:
        return self.entry.id

    @property
    def action(self) -> str:
        return self.entry.action.removesuffix("_resource_unit")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def actor(self) -> User | None:
        return self.entry.actor

    @property
    def changes(self) -> dict[str, Any]:
        return (self.entry.detail or {}).get("changes", {})

    @property
    def reason(self) -> str | None:
        return (self.entry.detail or {}).get("reason")

    @property
    def created_at(self) -> dt.datetime:
        return cast(dt.datetime, self.entry.created_at)  # the audit log declares it loosely


# The catalogue -----------------------------------------------------------------------------------------------


def audience_label(offering: Offering) -> str:
    """适用对象: 三年级至六年级, 三年级及以上, 6–12 岁, 不限 ..."""
    low, high = offering.min_grade, offering.max_grade
    parts = []
    if low is not None and high is not None:
        parts.append(grade_label(low) if low == high else f"{grade_label(low)}至{grade_label(high)}")
    elif low is not None:
        parts.append(f"{grade_label(low)}及以上")
    elif high is not None:
        parts.append(f"{grade_label(high)}及以下")
    if offering.min_age is not None or offering.max_age is not None:
        if offering.min_age is not None and offering.max_age is not None:
            parts.append(f"{offering.min_age}–{offering.max_age} 岁")
        elif offering.min_age is not None:
            parts.append(f"{offering.min_age} 岁及以上")
        else:
            parts.append(f"{offering.max_age} 岁及以下")
    return "，".join(parts) or "不限"


def _yuan(cents: int) -> str:
    return f"{cents / 100:.2f} 元"


def price_label(offering: Offering, green_channel: bool) -> str:
    if offering.price_kind == PriceKind.FREE:
        return "免费"
    label = f"学生优惠 {_yuan(offering.student_price_cents)}"
    if offering.price_cents:
        label += f"（原价 {_yuan(offering.price_cents)}）"
    return label + ("，绿色通道免费" if green_channel else "")


def schedule_label(offering: Offering) -> str:
    """每周开放: weekdays with the same start times together, e.g. 周二、周三 09:30、14:00；周六 10:00."""
    times: dict[int, list[str]] = {}
    for rule in offering.rules:
        times.setdefault(rule.weekday, []).append(rule.start_time.strftime("%H:%M"))
    groups: dict[tuple[str, ...], list[int]] = {}
    for weekday in sorted(times):
        groups.setdefault(tuple(sorted(times[weekday])), []).append(weekday)
    return "；".join(
        "、".join(f"周{WEEKDAYS[day]}" for day in days) + " " + "、".join(starts) for starts, days in groups.items()
    )


@dataclass(frozen=True)
class OfferingEntry:
    """清单中的一个开放项目: the offering with its labels, green channel and next open slot."""

    offering: Offering
    alliances: list[Alliance]  # the approved alliances its unit serves
    next_slot: Slot | None

    @property
    def green_channel(self) -> bool:
        return self.offering.green_quota > 0 and bool(self.alliances)

    @property
    def green_alliances(self) -> list[Alliance]:
        return self.alliances if self.green_channel else []

    @property
    def audience_label(self) -> str:
        return audience_label(self.offering)

    @property
    def price_label(self) -> str:
        return price_label(self.offering, self.green_channel)

    @property
    def schedule_label(self) -> str:
        return schedule_label(self.offering)


@dataclass(frozen=True)
class CatalogueEntry:
    """清单中的一个资源单位: the unit, its listed offerings, the approved alliances it serves, their next slots."""

    unit: ResourceUnit
    offerings_changed: dt.datetime | None
    offerings: list[Offering]
    alliances: list[Alliance]
    next_slots: dict[int, Slot]
    shows_contact: bool = True

    @property
    def contact_phone(self) -> str | None:
        return self.unit.contact_phone if self.shows_contact else mask_phone(self.unit.contact_phone)

    @property
    def offering_entries(self) -> list[OfferingEntry]:
        return [OfferingEntry(o, self.alliances, self.next_slots.get(o.id)) for o in self.offerings]

    @property
    def updated_at(self) -> dt.datetime:
        """The unit's last change: its own, or that of one of its offerings, whichever is later."""
        own: dt.datetime = self.unit.updated_at
        offerings = self.offerings_changed
        return own if offerings is None or own >= offerings else offerings


@dataclass(frozen=True)
class CataloguePage:
    """One page of a county's catalogue."""

    region: Region
    items: list[CatalogueEntry]
    page: int
    page_size: int
    total: int
