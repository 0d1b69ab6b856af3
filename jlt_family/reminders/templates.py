"""订阅消息模板: which template each reminder kind uses, and its values cut to the field rules of WECHAT.md.

``WECHAT_TEMPLATES`` (config) maps a kind to its template::

    {"course_session": {"template_id": "AbC...", "page": "pages/course/index",
                        "fields": {"thing1": "title", "time2": "starts_at", "thing3": "place"}}}

A field's type is its name without the trailing digits (``thing1`` → thing). Sources are attributes of the
reminder: title, body, place, kind_label, starts_at, ends_at, due_at, created_at. Lengths count code points.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from flask import current_app

from jlt_family.core.timeutil import SHANGHAI

if TYPE_CHECKING:
    from jlt_family.reminders.models import Reminder

TEXT_SOURCES = {"title", "body", "place", "kind_label"}
TIME_SOURCES = {"starts_at", "ends_at", "due_at", "created_at"}

# The longest value of each field type, in code points (WECHAT.md).
LIMITS = {
    "thing": 20,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "character_string": 32,
    "phone_number": 17,
    "phrase": 5,
    "amount": 11,
}
# Characters a field type accepts; anything else is dropped before cutting.
ALLOWED = {
    "number": re.compile(r"[^0-9.]"),
    "letter": re.compile(r"[^A-Za-z]"),
    "character_string": re.compile(r"[^\x21-\x7e]"),
    "phone_number": re.compile(r"[^0-9+\-]"),
}
KIND_LABELS = {
    "course_session": "课程提醒",
    "home_visit": "家访提醒",
    "home_visit_update": "家访动态",
    "venue_booking": "场馆预约",
    "broadcast": "教联体通知",
    "visit_digest": "家访周报",
}
PLACEHOLDER = "无"


class TemplateConfigError(Exception):
    """The template mapping of a kind cannot be used (unknown source or field type)."""


def templates() -> dict[str, Any]:
    return current_app.config.get("WECHAT_TEMPLATES", {}) or {}


def template_for(kind: str) -> dict[str, Any] | None:
    """The configured template of ``kind`` (a dict with template_id, fields, page) or None."""
    template = templates().get(kind)
    if not template or not template.get("template_id"):
        return None
    return template


def configured_template_ids() -> set[str]:
    return {t["template_id"] for t in templates().values() if t and t.get("template_id")}


def field_type(name: str) -> str:
    return name.rstrip("0123456789")


def format_time(value: dt.datetime) -> str:
    """24-hour time with the date, in Shanghai: 2026年11月22日 15:01."""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def format_date(value: dt.datetime) -> str:
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日"


def name_limit(value: str) -> int:
    """name: ≤ 10 Chinese characters, or ≤ 20 letters."""
    return 20 if value.isascii() else 10


def cut(kind: str, value: object) -> str:
    """``value`` cut to the rule of the field type ``kind`` (counted in code points); never empty."""
    text = " ".join(str(value).split())
    if kind in ALLOWED:
        text = ALLOWED[kind].sub("", text)
    limit = name_limit(text) if kind == "name" else LIMITS.get(kind, 20)
    if len(text) > limit:
        text = text[: limit - 1] + "…" if kind in {"thing", "name"} else text[:limit]
    return text or PLACEHOLDER


def source_value(reminder: Reminder, source: str) -> Any:
    if source == "kind_label":
        return KIND_LABELS.get(reminder.kind, "消息提醒")
    if source in TEXT_SOURCES:
        return getattr(reminder, source) or ""
    if source in TIME_SOURCES:
        return getattr(reminder, source) or reminder.due_at
    raise TemplateConfigError(f"unknown source {source!r}")


def message_data(template: dict[str, Any], reminder: Reminder) -> dict[str, str]:
    """The ``data`` of a subscribe message: each field's value from its source, cut to its rule."""
    data: dict[str, str] = {}
    for name, source in (template.get("fields") or {}).items():
        kind = field_type(name)
        value = source_value(reminder, source)
        if kind in {"time", "date"}:
            if source not in TIME_SOURCES:
                raise TemplateConfigError(f"{name} needs a time source, not {source!r}")
            data[name] = format_time(value) if kind == "time" else format_date(value)
        else:
            data[name] = cut(kind, value)
    return data


def message_page(template: dict[str, Any], reminder: Reminder) -> str:
    """The page the push opens: the reminder's own (or the template's), with ``reminder_id`` in its query."""
    page = reminder.page or template.get("page") or "pages/inbox/index"
    return f"{page}{'&' if '?' in page else '?'}reminder_id={reminder.id}"
