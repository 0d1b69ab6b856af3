"""What each dashboard page shows: the evaluation of ``jlt_family.reports`` picked and shaped for tables and charts.

No number is computed here: every one comes from the reports service (aggregated in SQL there); this module
only chooses which to show and draws the charts. A page costs a bounded number of queries: one report, plus one
per term of the bookings chart.
"""

from jlt_family.dashboard import charts
from jlt_family.dashboard.period import terms_before
from jlt_family.reports import service as reports
from jlt_family.reports.periods import resolve_period

BOOKING_SERIES = (("green", "绿色通道"), ("general", "普通预约"))


def coverage_chart(rows, label):
    """家访覆盖率 per class or per school: one bar each, the 100 % requirement as a dashed line."""
    names = [row["name"] for row in rows]
    rates = [row.get("coverage", row)["rate"] or 0 for row in rows]
    return charts.column_chart(names, [("家访覆盖率", rates)], percent=True, threshold=1.0, label=label)


def activities_chart(activities, label):
    """The policy's activities: held against required (a school's own numbers)."""
    rules = [item for item in activities if item["required"] is not None]
    return charts.column_chart([item["label"] for item in rules],
                               [("已开展", [item["held"] for item in rules]),
                                ("要求", [item["required"] for item in rules])], label=label)


def bookings_over_time(build_report, scope, region, period, terms):
    """Venue bookings per term by channel, over the last ``terms`` terms up to the period's school year.

    The reports give bookings per period, so each term is one report: four for a school, two (the chosen
    school year) for an alliance or a county, whose reports are heavier (about a second each at 100,000 pupils).
    """
    columns = []
    for start_year, term in terms_before(period, terms):
        report = build_report(scope, resolve_period(region, start_year, term))
        columns.append((report["period"]["label"], report["bookings"]))
    chart = charts.column_chart(
        [label.replace("学年", " ").replace("学期", "") for label, _ in columns],
        [(name, [bookings[key] for _, bookings in columns]) for key, name in BOOKING_SERIES],
        label="场馆预约（按学期、渠道）",
    )
    return {"chart": chart, "rows": columns}


def school_page(school, period):
    report = reports.school_report(school, period)
    return {
        "report": report,
        "coverage_chart": coverage_chart(report["classes"], "各班家访覆盖率"),
        "activities_chart": activities_chart(report["activities"], "家校活动开展情况"),
        "bookings_trend": bookings_over_time(reports.school_report, school, school.region, period, terms=4),
    }


def alliance_page(alliance, period):
    report = reports.alliance_report(alliance, period)
    return {
        "report": report,
        "coverage_chart": coverage_chart(report["schools"], "各校家访覆盖率"),
        "bookings_trend": bookings_over_time(reports.alliance_report, alliance, alliance.region, period, terms=2),
    }


def region_page(region, period):
    report = reports.region_report(region, period)
    return {
        "report": report,
        "coverage_chart": coverage_chart(report["schools"], "各校家访覆盖率"),
        "bookings_trend": bookings_over_time(reports.region_report, region, region, period, terms=2),
    }


def class_page(school_class, period):
    """A class's home-visit coverage, from its school's report (counts only: no child is named)."""
    report = reports.school_report(school_class.school, period)
    row = next((c for c in report["classes"] if c["id"] == school_class.id), None)
    return {"report": report, "row": row}
