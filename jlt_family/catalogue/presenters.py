"""What a caller sees of the catalogue: one entry per unit with its listed offerings, and the export rows.

Labels are Chinese (kind, audience, price, weekly schedule); contact phones are masked for parents.
"""

from jlt_family.core.masking import mask_phone
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS
from jlt_family.organizations.presenters import region_brief, unit_out
from jlt_family.venues.models import OFFERING_KIND_LABELS, PriceKind

WEEKDAYS = "一二三四五六日"
ACTION_LABELS = {"create": "添加", "update": "修改", "deactivate": "停用", "reactivate": "恢复启用"}


def _brief(obj):
    return {"id": obj.id, "name": obj.name}


def audience_label(offering):
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


def _yuan(cents):
    return f"{cents / 100:.2f} 元"


def price_label(offering, green_channel):
    if offering.price_kind == PriceKind.FREE:
        return "免费"
    label = f"学生优惠 {_yuan(offering.student_price_cents)}"
    if offering.price_cents:
        label += f"（原价 {_yuan(offering.price_cents)}）"
    return label + ("，绿色通道免费" if green_channel else "")


def schedule_label(offering):
    """每周开放: weekdays with the same start times together, e.g. 周二、周三 09:30、14:00；周六 10:00."""
    times = {}
    for rule in offering.rules:
        times.setdefault(rule.weekday, []).append(rule.start_time.strftime("%H:%M"))
    groups = {}
    for weekday in sorted(times):
        groups.setdefault(tuple(sorted(times[weekday])), []).append(weekday)
    return "；".join(
        "、".join(f"周{WEEKDAYS[day]}" for day in days) + " " + "、".join(starts) for starts, days in groups.items()
    )


def offering_entry(offering, alliances, next_slot):
    green = offering.green_quota > 0 and bool(alliances)
    return {
        "id": offering.id,
        "title": offering.title,
        "kind": offering.kind.value,
        "kind_label": OFFERING_KIND_LABELS[offering.kind],
        "description": offering.description,
        "min_grade": offering.min_grade,
        "max_grade": offering.max_grade,
        "min_age": offering.min_age,
        "max_age": offering.max_age,
        "audience_label": audience_label(offering),
        "price_kind": offering.price_kind.value,
        "price_cents": offering.price_cents,
        "student_price_cents": offering.student_price_cents,
        "price_label": price_label(offering, green),
        "schedule_label": schedule_label(offering),
        "green_channel": green,
        "green_alliances": [_brief(a) for a in alliances] if green else [],
        "next_slot": (
            {"id": next_slot.id, "starts_at": next_slot.starts_at, "ends_at": next_slot.ends_at}
            if next_slot is not None
            else None
        ),
        "updated_at": offering.updated_at,
    }


def last_change(unit, offerings_changed):
    """The unit's last change: its own, or that of one of its offerings, whichever is later."""
    return max(filter(None, (unit.updated_at, offerings_changed)))


def unit_entry(unit, offerings_changed, offerings, alliances, next_slots, *, show_phone):
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind.value,
        "kind_label": RESOURCE_UNIT_KIND_LABELS[unit.kind],
        "region": region_brief(unit.region),
        "address": unit.address,
        "opening_info": unit.opening_info,
        "description": unit.description,
        "contact_person": unit.contact_person,
        "contact_phone": unit.contact_phone if show_phone else mask_phone(unit.contact_phone),
        "is_active": unit.is_active,
        "alliances": [_brief(a) for a in alliances],
        "offerings": [offering_entry(o, alliances, next_slots.get(o.id)) for o in offerings],
        "updated_at": last_change(unit, offerings_changed),
    }


# Export rows ----------------------------------------------------------------------------------------------------

EXPORT_HEADER = (
    "旗县",
    "资源单位",
    "单位类型",
    "状态",
    "地址",
    "开放信息",
    "简介",
    "联系人",
    "联系电话",
    "服务的教联体",
    "开放项目",
    "项目类型",
    "适用对象",
    "费用",
    "绿色通道",
    "绿色通道适用教联体",
    "每周开放",
    "最近可约场次",
    "最后更新",
)


def _shanghai(moment):
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def export_rows(entries):
    """One row per unit × listed offering (a unit without one gets a single row), in the catalogue's order."""
    for entry in entries:
        unit = entry["unit"]
        common = (
            unit.region.name,
            unit.name,
            RESOURCE_UNIT_KIND_LABELS[unit.kind],
            "开放" if unit.is_active else "已停用",
            unit.address,
            unit.opening_info,
            unit.description,
            unit.contact_person,
            unit.contact_phone,
            "、".join(a.name for a in entry["alliances"]),
        )
        updated = _shanghai(last_change(unit, entry["offerings_changed"]))
        if not entry["offerings"]:
            yield (*common, "", "", "", "", "", "", "", "", updated)
            continue
        for offering in entry["offerings"]:
            shown = offering_entry(offering, entry["alliances"], entry["next_slots"].get(offering.id))
            next_slot = shown["next_slot"]
            yield (
                *common,
                shown["title"],
                shown["kind_label"],
                shown["audience_label"],
                shown["price_label"],
                "有" if shown["green_channel"] else "无",
                "、".join(a["name"] for a in shown["green_alliances"]),
                shown["schedule_label"],
                _shanghai(next_slot["starts_at"]) if next_slot else "",
                updated,
            )


# Unit management --------------------------------------------------------------------------------------------------


def managed_unit_out(unit, actor):
    return {**unit_out(unit, actor), "updated_at": unit.updated_at}


def change_out(entry):
    action = entry.action.removesuffix("_resource_unit")
    detail = entry.detail or {}
    return {
        "id": entry.id,
        "action": action,
        "action_label": ACTION_LABELS.get(action, action),
        "actor": {"id": entry.actor.id, "nickname": entry.actor.nickname} if entry.actor is not None else None,
        "changes": detail.get("changes", {}),
        "reason": detail.get("reason"),
        "created_at": entry.created_at,
    }
