"""评估报表导出: a report (a dict of service.py) as CSV for Excel: UTF-8 with BOM, one metric per row.

Every row carries the period and the date the numbers stand at (截至, the report's reference date). A metric's
name never holds a number (counts are rows of their own), so the rows of two periods or two schools line up;
rates are percentages ("75%", "100%" beside a requirement of "100%"); 是否达标 is 达标, 未达标, or 进行中 for a
rule whose term or school year has not ended yet.

Formula-injection safe: a text cell starting with ``= + - @`` (or a tab / carriage return) is prefixed with
``'`` so a spreadsheet shows it as text instead of running it; numbers are written as numbers.
"""

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from jlt_family.courses.meetings import ATTENDEE_KINDS, ATTENDEE_LABELS
from jlt_family.reports.rules import IN_PROGRESS, MET, NOT_MET, RULES

BOM = "\ufeff"
HEADER = ("周期", "截至", "类别", "对象", "指标", "数值", "要求", "是否达标")
_STATUS_LABELS = {MET: "达标", NOT_MET: "未达标", IN_PROGRESS: "进行中"}
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_PER = {"term": "每学期", "year": "每学年"}
_BOOKING_LABELS = (
    ("total", "预约总数"),
    ("green", "绿色通道"),
    ("general", "普通预约"),
    ("family", "家庭预约"),
    ("group", "团体预约"),
    ("free", "免费"),
    ("discounted", "优惠"),
    ("checked_in", "已核销"),
    ("no_show", "爽约"),
    ("no_show_rate", "爽约率"),
    ("visitors", "入馆人数"),
)
# one CSV line after the period columns: 类别, 对象, 指标, 数值, 要求, 是否达标
Row = tuple[str, str, str, Any, Any, str | None]
_RATES = {"no_show_rate"}
_FEEDBACK_LABELS = (("courses", "课程"), ("home_visits", "家访"), ("venue_visits", "场馆"))


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet will not evaluate: text starting with a formula character gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def report_csv(report: dict[str, Any]) -> str:
    """The CSV text (with BOM) of a school, alliance or region report."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    period = report["period"]
    as_of = str(period["reference_date"])
    for row in _rows(report):
        writer.writerow([safe_cell(cell) for cell in (period["label"], as_of, *row)])
    return BOM + out.getvalue()


def filename(report: dict[str, Any]) -> str:
    period = report["period"]
    return f"evaluation-{report['scope']['kind']}-{report['scope']['id']}-{period['school_year']}-{period['term']}.csv"


def percent(value: float | None) -> str | None:
    """A rate 0–1 as a percentage ("75%", "66.7%"); None stays empty."""
    if value is None:
        return None
    return f"{value * 100:.1f}".removesuffix(".0") + "%"


def _status(item: Mapping[str, Any]) -> str | None:
    """是否达标 of one rule: 达标 / 未达标 / 进行中 (the tri-state ``status``; ``met`` where a rule has none),
    empty when nothing counts."""
    if "status" in item:
        return _STATUS_LABELS.get(item["status"])
    return None if item.get("met") is None else _STATUS_LABELS[MET if item["met"] else NOT_MET]


def _schools_met(item: Mapping[str, Any], noun: str = "所学校") -> str:
    text = f"{item['schools_met']}/{item['schools']} {noun}达标"
    return text + (f"，{item['schools_in_progress']} {noun}进行中" if item.get("schools_in_progress") else "")


def _rows(report: dict[str, Any]) -> Iterator[Row]:
    name = report["scope"]["name"]
    yield from _coverage_rows("家访覆盖", name, report["coverage"])
    for item in report["activities"]:
        required = f"{_PER[item['per']]}≥{item['required']}" if item["required"] else None
        met = _status(item) if "status" in item else None
        if met is None and item["schools_met"] is not None:
            met = _schools_met(item)
        yield "家校活动", name, f"{item['label']}场次", item["held"], required, met
        if item.get("attendees"):
            yield from _attendee_rows("家校活动", name, item["attendees"])
        yield "家校活动", name, f"{item['label']}出勤率", percent(item["attendance_rate"]), None, None
    meetings = report.get("coordination_meetings")
    if meetings and report["scope"]["kind"] != "school":
        met = _status(meetings)
        if "alliances_met" in meetings:
            met = f"{meetings['alliances_met']}/{meetings['alliances']} 个教联体达标"
        yield "教联体协调会", name, "协调会场次", meetings["held"], f"每学年≥{meetings['required']}", met
        if meetings.get("attendees"):
            yield from _attendee_rows("教联体协调会", name, meetings["attendees"])
    attendance = report["attendance"]
    yield "课程出勤", name, "举办场次", attendance["sessions"], None, None
    yield "课程出勤", name, "有报名的场次", attendance["sessions_with_enrolment"], None, None
    yield "课程出勤", name, "出勤人次", attendance["attended"], None, None
    yield "课程出勤", name, "应到人次", attendance["expected"], None, None
    yield "课程出勤", name, "有报名场次的出勤率", percent(attendance["rate"]), None, None
    for key, label in _BOOKING_LABELS:
        value = report["bookings"][key]
        yield "场馆预约", name, label, percent(value) if key in _RATES else value, None, None
    for key, label in _FEEDBACK_LABELS:
        feedback = report["feedback"][key]
        yield "家长评价", name, f"{label}评价数", feedback["count"], None, None
        yield "家长评价", name, f"{label}平均分", feedback["average"], None, None
    for alliance in report.get("alliances", []):
        meetings = alliance["coordination_meetings"]
        yield from _coverage_rows("教联体", alliance["name"], alliance["coverage"])
        yield (
            "教联体",
            alliance["name"],
            "协调会场次",
            meetings["held"],
            f"每学年≥{meetings['required']}",
            _status(meetings),
        )
        yield from _attendee_rows("教联体", alliance["name"], meetings["attendees"])
    if report["scope"]["kind"] != "school":
        for school in report["schools"]:
            yield from _coverage_rows("学校", school["name"], school["coverage"])
            for key, _kind, _required, per in RULES:
                activity = school["activities"][key]
                yield (
                    "学校",
                    school["name"],
                    f"{activity['label']}场次",
                    activity["held"],
                    f"{_PER[per]}≥{activity['required']}",
                    _status(activity),
                )
                if "attendees" in activity:
                    yield from _attendee_rows("学校", school["name"], activity["attendees"])
    for school_class in report.get("classes", []):
        yield from _coverage_rows("班级", school_class["name"], school_class)
    yield from _children_rows(report)


def _attendee_rows(section: str, name: str, attendees: Mapping[str, int]) -> Iterator[Row]:
    for kind in ATTENDEE_KINDS:
        yield section, name, f"协调会{ATTENDEE_LABELS[kind]}人次", attendees[kind], None, None
    yield section, name, "三类代表均参加的协调会场次", attendees["meetings_with_all_kinds"], None, None


def _coverage_rows(section: str, name: str, coverage: Mapping[str, Any]) -> Iterator[Row]:
    yield section, name, "学生数", coverage["students"], None, None
    yield section, name, "已家访学生数", coverage["visited"], None, None
    yield section, name, "家访覆盖率", percent(coverage["rate"]), percent(coverage["required_rate"]), _status(coverage)


_FLAG_LABELS = (("left_behind", "留守儿童"), ("in_difficulty", "困境儿童"))


def _children_rows(report: dict[str, Any]) -> Iterator[Row]:
    """留守 / 困境 children's visit coverage, who is not yet visited and the care entrustments: of the scope, each
    school (above a school) and each class (where the report has them: the school's leaders). Counts only: no
    child's name goes into a file."""
    scopes = [("重点关注儿童", report["scope"]["name"], report)]
    if report["scope"]["kind"] != "school":
        scopes += [("学校", school["name"], school) for school in report["schools"]]
    scopes += [("班级", c["name"], c) for c in report.get("classes", []) if "flagged_coverage" in c]
    for section, name, row in scopes:
        for key, label in _FLAG_LABELS:
            coverage = row["flagged_coverage"][key]
            yield section, name, f"{label}数", coverage["students"], None, None
            yield section, name, f"{label}已家访数", coverage["visited"], None, None
            yield (
                section,
                name,
                f"{label}家访覆盖率",
                percent(coverage["rate"]),
                percent(coverage["required_rate"]),
                _status(coverage),
            )
        yield section, name, "尚未家访学生数", row["not_visited"]["students"], None, None
        entrustments = row["entrustments"]
        yield section, name, "留守儿童委托照护书面告知数", entrustments["entrusted"], None, None
        yield section, name, "留守儿童委托照护学校已确认数", entrustments["acknowledged"], None, None
        yield (
            section,
            name,
            "留守儿童委托照护书面告知率",
            percent(entrustments["rate"]),
            percent(entrustments["required_rate"]),
            _status(entrustments),
        )
