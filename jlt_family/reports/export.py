"""评估报表导出: a report (a dict of service.py) as CSV for Excel: UTF-8 with BOM, one metric per row.

Formula-injection safe: a text cell starting with ``= + - @`` (or a tab / carriage return) is prefixed with
``'`` so a spreadsheet shows it as text instead of running it; numbers are written as numbers.
"""

import csv
import io

from jlt_family.reports.service import RULES

BOM = "\ufeff"
HEADER = ("周期", "类别", "对象", "指标", "数值", "要求", "是否达标")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_PER = {"term": "每学期", "year": "每学年"}
_BOOKING_LABELS = (
    ("total", "预约总数"), ("green", "绿色通道"), ("general", "普通预约"), ("family", "家庭预约"),
    ("group", "团体预约"), ("free", "免费"), ("discounted", "优惠"), ("checked_in", "已核销"), ("no_show", "爽约"),
    ("no_show_rate", "爽约率"), ("visitors", "入馆人数"),
)
_FEEDBACK_LABELS = (("courses", "课程"), ("home_visits", "家访"), ("venue_visits", "场馆"))


def safe_cell(value):
    """A cell a spreadsheet will not evaluate: text starting with a formula character gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def report_csv(report):
    """The CSV text (with BOM) of a school, alliance or region report."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in _rows(report):
        writer.writerow([safe_cell(cell) for cell in (report["period"]["label"], *row)])
    return BOM + out.getvalue()


def filename(report):
    period = report["period"]
    return f"evaluation-{report['scope']['kind']}-{report['scope']['id']}-{period['school_year']}-{period['term']}.csv"


def _rows(report):
    name = report["scope"]["name"]
    yield from _coverage_rows("家访覆盖", name, report["coverage"])
    for item in report["activities"]:
        required = f"{_PER[item['per']]}≥{item['required']}" if item["required"] else None
        met = item.get("met")
        if met is None and item["schools_met"] is not None:
            met = f"{item['schools_met']}/{item['schools']} 所学校达标"
        yield "家校活动", name, f"{item['label']}（场次）", item["held"], required, met
        if item["expected"]:
            yield "家校活动", name, f"{item['label']}（出勤率）", item["attendance_rate"], None, None
    meetings = report.get("coordination_meetings")
    if meetings:
        met = meetings.get("met")
        if "alliances_met" in meetings:
            met = f"{meetings['alliances_met']}/{meetings['alliances']} 个教联体达标"
        yield "教联体协调会", name, "场次", meetings["held"], f"每学年≥{meetings['required']}", met
    attendance = report["attendance"]
    yield "课程出勤", name, "出勤率", attendance["rate"], None, None
    yield "课程出勤", name, "出勤人次/应到人次", f"{attendance['attended']}/{attendance['expected']}", None, None
    for key, label in _BOOKING_LABELS:
        yield "场馆预约", name, label, report["bookings"][key], None, None
    for key, label in _FEEDBACK_LABELS:
        feedback = report["feedback"][key]
        yield "家长评价", name, f"{label}平均分（{feedback['count']} 条）", feedback["average"], None, None
    for alliance in report.get("alliances", []):
        yield from _coverage_rows("教联体", alliance["name"], alliance["coverage"])
        yield ("教联体", alliance["name"], "协调会场次", alliance["coordination_meetings"]["held"],
               "每学年≥1", alliance["coordination_meetings"]["met"])
    if report["scope"]["kind"] != "school":
        for school in report["schools"]:
            yield from _coverage_rows("学校", school["name"], school["coverage"])
            for kind, _required, per in RULES:
                activity = school["activities"][kind.value]
                yield ("学校", school["name"], f"{_label(kind)}（场次）", activity["held"],
                       f"{_PER[per]}≥{activity['required']}", activity["met"])
    for school_class in report.get("classes", []):
        yield from _coverage_rows("班级", school_class["name"], school_class)
    yield from _children_rows(report)


def _coverage_rows(section, name, coverage):
    yield section, name, "学生数", coverage["students"], None, None
    yield section, name, "已家访学生数", coverage["visited"], None, None
    yield section, name, "家访覆盖率", coverage["rate"], "100%", coverage["met"]


_FLAG_LABELS = (("left_behind", "留守儿童"), ("in_difficulty", "困境儿童"))


def _children_rows(report):
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
            yield section, name, f"{label}家访覆盖率", coverage["rate"], "100%", coverage["met"]
        yield section, name, "尚未家访学生数", row["not_visited"]["students"], None, None
        entrustments = row["entrustments"]
        yield section, name, "留守儿童委托照护书面告知数", entrustments["entrusted"], None, None
        yield section, name, "留守儿童委托照护学校已确认数", entrustments["acknowledged"], None, None
        yield (section, name, "留守儿童委托照护书面告知率", entrustments["rate"], "100%", entrustments["met"])


def _label(kind):
    from jlt_family.courses.models import ACTIVITY_LABELS

    return ACTIVITY_LABELS[kind]
