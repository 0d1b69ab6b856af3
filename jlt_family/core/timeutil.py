"""Time helpers: store UTC, show Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def to_shanghai(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SHANGHAI) if value is not None else None


def shanghai_today() -> dt.date:
    return utcnow().astimezone(SHANGHAI).date()
