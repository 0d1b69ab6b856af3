"""What each dashboard page shows (its view object, rendered by the page's template): the evaluation of
``jlt_family.reports`` picked and shaped for tables and charts.

No number is computed here: every one comes from the reports service (aggregated in SQL there); this module
only chooses which to show and draws the charts. A page costs a bounded number of queries: one report, plus one
grouped query for the bookings of the last twelve months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from markupsafe import Markup

from jlt_family.dashboard import charts
from jlt_family.reports import service as reports

BOOKING_SERIES = (("green", "绿色通道"), ("general", "普通预约"))

Row = dict[str, Any]


@dataclass(frozen=True)
class BookingsTrend:
    """场馆预约趋势: the chart and its table, month by month."""

    chart: Markup
    rows: list[Row]


@dataclass(frozen=True)
class Page:
    """A page's view object: its fields are the names its template reads."""

    report: Row

    def context(self) -> dict[str, Any]:
        """The template's variables (shallow: the report's rows are not copied)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class ScopePage(Page):
    """区县、教联体或学校: the evaluation with its coverage chart and the bookings over time."""

    coverage_chart: Markup
    bookings_trend: BookingsTrend
    activities_chart: Markup | None = None


@dataclass(frozen=True)
class ClassPage(Page):
    """班级: the class's row of its school's report (counts only: no child is named)."""

    row: Row | None


def coverage_chart(rows: Sequence[Row], label: str) -> Markup:
    """家访覆盖率 per class or per school: one bar each, the 100 % requirement as a dashed line."""
    names = [row["name"] for row in rows]
    rates = [row.get("coverage", row)["rate"] or 0 for row in rows]
    return charts.column_chart(names, [("家访覆盖率", rates)], percent=True, threshold=1.0, label=label)


def activities_chart(activities: Sequence[Row], label: str) -> Markup:
    """The policy's activities: held against required (a school's own numbers)."""
    rules = [item for item in activities if item["required"] is not None]
    return charts.column_chart(
        [item["label"] for item in rules],
        [("已开展", [item["held"] for item in rules]), ("要求", [item["required"] for item in rules])],
        label=label,
    )


def bookings_over_time(scope: Any, period: Any) -> BookingsTrend:
    """Venue bookings per month by channel, over the twelve months ending with the period's last month (one
    grouped query)."""
    months = reports.monthly_bookings(scope, period)
    chart = charts.column_chart(
        [month["month"] for month in months],
        [(name, [month[key] for month in months]) for key, name in BOOKING_SERIES],
        label="场馆预约（按月、渠道）",
        short_labels=[_month_label(month, index) for index, month in enumerate(months)],
    )
    return BookingsTrend(chart=chart, rows=months)


def _month_label(month, index):
    """ "10月" under a month's column ("26年1月" where a year begins, and the first): twelve distinct labels that
    fit; the full month is the tooltip."""
    year, number = (int(part) for part in month["month"].split("-"))
    return f"{year % 100}年{number}月" if index == 0 or number == 1 else f"{number}月"


def school_page(school: Any, period: Any) -> ScopePage:
    report = reports.school_report(school, period)
    return ScopePage(
        report=report,
        coverage_chart=coverage_chart(report["classes"], "各班家访覆盖率"),
        activities_chart=activities_chart(report["activities"], "家校活动开展情况"),
        bookings_trend=bookings_over_time(school, period),
    )


def alliance_page(alliance: Any, period: Any) -> ScopePage:
    report = reports.alliance_report(alliance, period)
    return ScopePage(
        report=report,
        coverage_chart=coverage_chart(report["schools"], "各校家访覆盖率"),
        bookings_trend=bookings_over_time(alliance, period),
    )


def region_page(region: Any, period: Any) -> ScopePage:
    report = reports.region_report(region, period)
    return ScopePage(
        report=report,
        coverage_chart=coverage_chart(report["schools"], "各校家访覆盖率"),
        bookings_trend=bookings_over_time(region, period),
    )


def class_page(school_class: Any, period: Any) -> ClassPage:
    """A class's home-visit coverage, from its school's report (counts only: no child is named)."""
    report = reports.school_report(school_class.school, period)
    row = next((c for c in report["classes"] if c["id"] == school_class.id), None)
    return ClassPage(report=report, row=row)
