"""The period a dashboard page shows (学年 / 学期), read from the query string like the reports API reads it:
``?school_year=2026&term=autumn|spring|year``; nothing means the current term (see reports.periods)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from jlt_family.core.errors import ValidationFailed
from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations.calendar import TERM_LABELS, school_year_for
from jlt_family.organizations.models import Region
from jlt_family.reports.periods import MAX_SCHOOL_YEAR, MIN_SCHOOL_YEAR, TERMS, Period, resolve_period

TERM_CHOICES = tuple((name, TERM_LABELS.get(name, "全学年")) for name in TERMS)


class PeriodArgs(Schema):
    school_year = fields.Integer(validate=validate.Range(min=MIN_SCHOOL_YEAR, max=MAX_SCHOOL_YEAR))
    term = fields.String(validate=validate.OneOf(TERMS))


def period_from(args: Mapping[str, Any], region: Region | None) -> Period:
    """The period asked for in ``args`` (a page's query string), in the calendar of ``region``."""
    try:
        data = PeriodArgs().load({k: v for k, v in args.items() if k in ("school_year", "term") and v != ""})
    except ValidationError as exc:
        raise ValidationFailed("学年或学期参数有误", code="period_invalid", errors={"query": exc.messages}) from None
    return resolve_period(region, data.get("school_year"), data.get("term"))


def period_query(period: Period) -> dict[str, Any]:
    """The query string of a period, for links that keep it."""
    return {"school_year": period.school_year.start_year, "term": period.name}


def year_choices(period: Period, region: Region | None, back: int = 3) -> list[tuple[int, str]]:
    """(start year, label) of the school years offered: the current one, a few before, the one shown."""
    current = school_year_for(shanghai_today(), region).start_year
    years = sorted({*range(current - back, current + 1), period.school_year.start_year}, reverse=True)
    return [(year, f"{year}–{year + 1}学年") for year in years]
