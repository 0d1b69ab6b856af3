"""Time helpers: store UTC, show Asia/Shanghai."""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow():
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def to_shanghai(value):
    return value.astimezone(SHANGHAI) if value is not None else None


def shanghai_today():
    return utcnow().astimezone(SHANGHAI).date()
