"""The period a dashboard page shows: a school year, and optionally one of its terms (学年 / 学期)."""

from dataclasses import dataclass

from marshmallow import Schema, fields, validate

from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations.calendar import (
    AUTUMN,
    SPRING,
    TERM_LABELS,
    school_year_for,
    school_year_starting,
    terms_of,
)


class PeriodArgs(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), strict=False)
    term = fields.String(validate=validate.OneOf(["", AUTUMN, SPRING]))


@dataclass(frozen=True)
class Period:
    """学年 (``year``, a SchoolYear) and 学期 (``term``, a Term, or None for the whole school year)."""

    year: object
    term: object
    region: object

    @classmethod
    def of(cls, region, start_year=None, term_name=None):
        year = school_year_starting(start_year, region) if start_year else school_year_for(shanghai_today(), region)
        term = next((t for t in terms_of(year, region) if t.name == term_name), None) if term_name else None
        return cls(year, term, region)

    @property
    def label(self):
        return self.term.label if self.term else self.year.label

    @property
    def starts_on(self):
        return (self.term or self.year).starts_on

    @property
    def ends_on(self):
        return (self.term or self.year).ends_on

    @property
    def detail(self):
        """What the audit log records of the period."""
        return {"school_year": self.year.start_year, "term": self.term.name if self.term else None}

    @property
    def query(self):
        """The query string of this period (for links that keep it)."""
        return {"year": self.year.start_year, "term": self.term.name if self.term else ""}

    def choices(self, years_back=3):
        """(start year, label) of the school years to choose from: this one and a few before and after."""
        current = school_year_for(shanghai_today(), self.region).start_year
        years = sorted({current + 1, *range(current - years_back, current + 1), self.year.start_year}, reverse=True)
        return [(y, f"{y}–{y + 1}学年") for y in years]

    term_choices = (("", "全学年"), (AUTUMN, TERM_LABELS[AUTUMN]), (SPRING, TERM_LABELS[SPRING]))
