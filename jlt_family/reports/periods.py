"""评估周期: the term or school year a report covers, from the school calendar of the scope's region.

``?school_year=2026&term=autumn`` → the autumn term of 2026–2027; ``term=year`` (or a school year without a term)
→ the whole school year; nothing → the current term. The reference date is the period's last day, or today
while the period is still running: it decides who is on the roster and which class a student counts in.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jlt_family.core.errors import ValidationFailed
from jlt_family.core.timeutil import SHANGHAI, shanghai_today
from jlt_family.organizations.calendar import (
    AUTUMN,
    SPRING,
    SchoolYear,
    Term,
    school_year_for,
    school_year_starting,
    terms_of,
)
from jlt_family.organizations.models import Region

YEAR = "year"
TERMS = (AUTUMN, SPRING, YEAR)
MIN_SCHOOL_YEAR, MAX_SCHOOL_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    """评估周期: one term of a school year, or the whole school year (``term`` None)."""

    school_year: SchoolYear
    terms: tuple[Term, Term]
    term: Term | None
    today: dt.date

    @property
    def name(self) -> str:
        return self.term.name if self.term else YEAR

    @property
    def starts_on(self) -> dt.date:
        return self.term.starts_on if self.term else self.school_year.starts_on

    @property
    def ends_on(self) -> dt.date:
        return self.term.ends_on if self.term else self.school_year.ends_on

    @property
    def label(self) -> str:
        return self.term.label if self.term else self.school_year.label

    @property
    def reference_date(self) -> dt.date:
        """The period's last day, or today while it runs (the first day if it has not started)."""
        return max(self.starts_on, min(self.ends_on, self.today))

    @property
    def spring_starts_on(self) -> dt.date:
        return self.terms[1].starts_on

    def utc_bounds(
        self, first_day: dt.date | None = None, last_day: dt.date | None = None
    ) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC of the Shanghai days ``first_day`` … ``last_day`` (default: the period)."""
        first_day, last_day = first_day or self.starts_on, last_day or self.ends_on
        start = dt.datetime.combine(first_day, dt.time(), SHANGHAI)
        end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), SHANGHAI)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def as_dict(self) -> dict[str, Any]:
        return {
            "school_year": self.school_year.start_year,
            "term": self.name,
            "label": self.label,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "reference_date": self.reference_date,
        }


def resolve_period(
    region: Region | None, school_year: int | None = None, term: str | None = None, today: dt.date | None = None
) -> Period:
    """The period asked for (see the module docstring); bad values raise ``ValidationFailed`` with a stable code."""
    today = today or shanghai_today()
    if school_year is not None and (
        not isinstance(school_year, int)
        or isinstance(school_year, bool)
        or not MIN_SCHOOL_YEAR <= school_year <= MAX_SCHOOL_YEAR
    ):
        message = f"学年应为 {MIN_SCHOOL_YEAR} 到 {MAX_SCHOOL_YEAR} 之间的年份"
        raise ValidationFailed(message, code="invalid_school_year", errors={"school_year": [message]})
    if term is not None and term not in TERMS:
        raise ValidationFailed(
            "学期应为 autumn（秋季学期）、spring（春季学期）或 year（全学年）",
            code="invalid_term",
            errors={"term": ["无效的学期"]},
        )
    current = school_year_for(today, region)
    if school_year is None:
        year = current
        term = term or _current_term(current, region, today)
    else:
        year = school_year_starting(school_year, region)
        term = term or YEAR
    terms = terms_of(year, region)
    chosen = None if term == YEAR else next(t for t in terms if t.name == term)
    return Period(school_year=year, terms=terms, term=chosen, today=today)


def _current_term(year: SchoolYear, region: Region | None, today: dt.date) -> str:
    autumn, _spring = terms_of(year, region)
    return AUTUMN if today in autumn else SPRING
