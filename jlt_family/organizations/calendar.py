"""学年与学期: the school calendar of a region, reusable by every domain.

Default: the school year runs from 1 September to 31 August; the autumn term (秋季学期) from the school year's
start to the day before the spring term, the spring term (春季学期) from 1 February to the end of the school year.
A region may set its own (month, day) for the school year's start and for the spring term's start; a region
without a value inherits its parent's, and the root falls back to the default. Each pair is inherited on its own.

    school_year_for(date, region) -> SchoolYear
    terms_of(school_year, region) -> (autumn Term, spring Term)
    term_for(date, region)        -> Term
    school_calendar(date, region) -> SchoolCalendar (the three together, as the school calendar answers)
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jlt_family.organizations.models import Region

DEFAULT_SCHOOL_YEAR_START = (9, 1)
DEFAULT_SPRING_TERM_START = (2, 1)

AUTUMN = "autumn"
SPRING = "spring"
TERM_LABELS = {AUTUMN: "秋季学期", SPRING: "春季学期"}


@dataclass(frozen=True)
class SchoolYear:
    """学年: named by the calendar year it starts in (2026 → 2026–2027学年)."""

    start_year: int
    starts_on: dt.date
    ends_on: dt.date

    @property
    def label(self) -> str:
        return f"{self.start_year}–{self.start_year + 1}学年"

    def __contains__(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class Term:
    """学期: the autumn or spring term of one school year."""

    school_year: SchoolYear
    name: str
    starts_on: dt.date
    ends_on: dt.date

    @property
    def label(self) -> str:
        return f"{self.school_year.label}{TERM_LABELS[self.name]}"

    def __contains__(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class CalendarSettings:
    """The (month, day) pairs a region's calendar uses, after inheritance."""

    school_year_start: tuple[int, int] = DEFAULT_SCHOOL_YEAR_START
    spring_term_start: tuple[int, int] = DEFAULT_SPRING_TERM_START


def settings_for(region: Region | None) -> CalendarSettings:
    """The calendar settings of ``region`` (``None`` means the default), inherited up the parent chain."""
    return CalendarSettings(
        school_year_start=_inherited(region, "school_year_start") or DEFAULT_SCHOOL_YEAR_START,
        spring_term_start=_inherited(region, "spring_term_start") or DEFAULT_SPRING_TERM_START,
    )


def _inherited(region: Region | None, prefix: str) -> tuple[int, int] | None:
    seen = set()
    while region is not None and region.id not in seen:
        seen.add(region.id)
        month = getattr(region, f"{prefix}_month")
        if month is not None:
            return month, getattr(region, f"{prefix}_day") or 1
        region = region.parent
    return None


def _on(year: int, month_day: tuple[int, int]) -> dt.date:
    """The date of (month, day) in ``year``; a day past the month's end (29 February) becomes its last day."""
    month, day = month_day
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, max(1, min(day, last)))


def school_year_for(day: dt.date, region: Region | None = None) -> SchoolYear:
    """The school year that ``day`` falls in."""
    start = settings_for(region).school_year_start
    start_year = day.year if day >= _on(day.year, start) else day.year - 1
    return school_year_starting(start_year, region)


def school_year_starting(start_year: int, region: Region | None = None) -> SchoolYear:
    """The school year that starts in calendar year ``start_year`` (2026 → 2026–2027学年)."""
    start = settings_for(region).school_year_start
    return SchoolYear(
        start_year=start_year,
        starts_on=_on(start_year, start),
        ends_on=_on(start_year + 1, start) - dt.timedelta(days=1),
    )


def terms_of(school_year: SchoolYear | int, region: Region | None = None) -> tuple[Term, Term]:
    """The (autumn, spring) terms of a school year (a ``SchoolYear`` or its start year)."""
    if isinstance(school_year, int):
        school_year = school_year_starting(school_year, region)
    spring_start = _spring_start(school_year, settings_for(region).spring_term_start)
    autumn = Term(school_year, AUTUMN, school_year.starts_on, spring_start - dt.timedelta(days=1))
    spring = Term(school_year, SPRING, spring_start, school_year.ends_on)
    return autumn, spring


def _spring_start(school_year: SchoolYear, month_day: tuple[int, int]) -> dt.date:
    """The first (month, day) strictly after the school year's first day; kept inside the school year."""
    candidate = _on(school_year.start_year, month_day)
    if candidate <= school_year.starts_on:
        candidate = _on(school_year.start_year + 1, month_day)
    return min(candidate, school_year.ends_on)


def term_for(day: dt.date, region: Region | None = None) -> Term:
    """The term that ``day`` falls in."""
    autumn, spring = terms_of(school_year_for(day, region), region)
    return autumn if day in autumn else spring


@dataclass(frozen=True)
class SchoolCalendar:
    """校历 around one day: its school year, that year's two terms, and the term the day falls in."""

    date: dt.date
    school_year: SchoolYear
    terms: tuple[Term, Term]
    current_term: str


def school_calendar(day: dt.date, region: Region | None = None) -> SchoolCalendar:
    """The school calendar of ``region`` around ``day``."""
    year = school_year_for(day, region)
    terms = terms_of(year, region)
    return SchoolCalendar(date=day, school_year=year, terms=terms, current_term=term_for(day, region).name)
