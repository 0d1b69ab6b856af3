"""花名册校验: the rows of a roster file checked one by one and against each other (see ``roster`` for the columns).

Every row is validated; when any row is bad the answer lists each problem (row, column, Chinese reason). Row
numbers are those of the spreadsheet (the header is row 1).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jlt_family.core.errors import ValidationFailed
from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations.grades import parse_grade
from jlt_family.organizations.roster_files import MAX_ROWS, file_error, read_table, too_many_rows
from jlt_family.organizations.students import Gender

MAX_LISTED_ERRORS = 500

YEAR, GRADE, CLASS, NUMBER, NAME = "学年", "年级", "班级", "学号", "姓名"
GENDER, BIRTH = "性别", "出生日期"
FLAG_COLUMNS = {"留守儿童": "left_behind", "流动儿童": "migrant", "困境儿童": "in_difficulty", "残疾儿童": "disabled"}
REQUIRED_COLUMNS = (YEAR, GRADE, CLASS, NUMBER, NAME)
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS) | {GENDER, BIRTH} | frozenset(FLAG_COLUMNS)
FLAG_NAMES = tuple(FLAG_COLUMNS.values())

_GENDERS = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "M": Gender.MALE,
    "F": Gender.FEMALE,
    "MALE": Gender.MALE,
    "FEMALE": Gender.FEMALE,
}
_YES = {"是", "1", "Y", "YES", "TRUE", "√", "有"}
_NO = {"否", "0", "N", "NO", "FALSE", "×", "无", ""}
_YEAR_RE = re.compile(r"^(\d{4})(?:\s*[-–—~/至]\s*(\d{4}))?\s*(?:学年度?|年度?)?$")
_NUMBER_RE = re.compile(r"^[0-9A-Za-z._-]{1,32}$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class RosterRow:
    """One row: a student in a class (a field is ``None`` where the row's value was bad)."""

    row: int
    school_year: int
    grade: int
    class_name: str
    student_no: str
    name: str
    gender: Gender | None = None
    birth_date: dt.date | None = None
    flags: dict[str, bool] = field(default_factory=dict)  # only the flag columns the file has

    @property
    def class_key(self) -> tuple[int, str]:
        return self.school_year, self.class_name.casefold()


@dataclass
class Roster:
    """The valid rows of a roster file, and the columns it had that the import does not know."""

    rows: list[RosterRow]
    ignored_columns: list[str]


# Validating the rows -----------------------------------------------------------------------------------------


def parse_roster(data: bytes) -> Roster:
    """Validate the whole file: a ``Roster`` of valid rows, or ``ValidationFailed`` listing every bad row."""
    table = [(number, [_strip(c) for c in cells]) for number, cells in read_table(data)]
    table = [(number, cells) for number, cells in table if any(c != "" for c in cells)]
    if not table:
        raise file_error("文件中没有内容", code="roster_empty")
    (_, headers), body = table[0], table[1:]
    columns, ignored = _columns(headers)
    if not body:
        raise file_error("文件中只有表头，没有学生", code="roster_empty")
    if len(body) > MAX_ROWS:
        raise too_many_rows()
    rows, errors = [], []
    for number, cells in body:
        values = {name: (cells[index] if index < len(cells) else "") for name, index in columns.items()}
        row, row_errors = _parse_row(number, values)
        rows.append(row)
        errors += row_errors
    errors += _file_level_checks(rows)
    if errors:
        raise roster_errors(errors)
    return Roster(rows=rows, ignored_columns=ignored)


def _strip(cell: Any) -> Any:
    return cell.strip().replace("\u3000", " ").strip() if isinstance(cell, str) else cell


def _columns(headers: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
    columns, ignored, problems = {}, [], []
    for index, header in enumerate(headers):
        name = str(header).replace(" ", "")
        if name in columns:
            problems.append(f"表头“{name}”重复")
        elif name in KNOWN_COLUMNS:
            columns[name] = index
        elif name:
            ignored.append(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.append(f"缺少必填列：{'、'.join(missing)}")
    if problems:
        raise ValidationFailed("；".join(problems), code="roster_bad_header", errors={"file": problems})
    return columns, ignored


def _parse_row(number: int, values: dict[str, Any]) -> tuple[RosterRow, list[RowError]]:
    errors = []

    def check(column: str, parser: Callable[[Any], tuple[Any, str | None]]) -> Any:
        value, reason = parser(values[column])
        if reason:
            errors.append(RowError(number, column, reason))
        return value

    row = RosterRow(
        row=number,
        school_year=check(YEAR, _school_year),
        grade=check(GRADE, _grade),
        class_name=check(CLASS, _text(40, "班级")),
        student_no=check(NUMBER, _student_no),
        name=check(NAME, _text(40, "姓名")),
    )
    if GENDER in values:
        row.gender = check(GENDER, _gender)
    if BIRTH in values:
        row.birth_date = check(BIRTH, _birth_date)
    for column, flag in FLAG_COLUMNS.items():
        if column in values:
            row.flags[flag] = check(column, _yes_no)
    return row, errors


def _school_year(value: Any) -> tuple[int | None, str | None]:
    match = _YEAR_RE.match(str(value))
    if not match:
        return None, "学年格式应为 2026 或 2026-2027" if value != "" else "学年不能为空"
    start, end = int(match.group(1)), match.group(2)
    if end is not None and int(end) != start + 1:
        return None, "学年的结束年份应为开始年份加一"
    if not 2000 <= start <= 2099:
        return None, "学年应在 2000 到 2099 之间"
    return start, None


def _grade(value: Any) -> tuple[int | None, str | None]:
    if value == "":
        return None, "年级不能为空"
    grade = parse_grade(str(value))
    if grade is None:
        return None, "无法识别的年级，应为 一年级…九年级、高一…高三、小班/中班/大班 或 1–12"
    return grade, None


def _text(max_len: int, label: str) -> Callable[[Any], tuple[str | None, str | None]]:
    def parse(value: Any) -> tuple[str | None, str | None]:
        value = str(value)
        if value == "":
            return None, f"{label}不能为空"
        if len(value) > max_len:
            return None, f"{label}过长（最多 {max_len} 个字符）"
        return value, None

    return parse


def _student_no(value: Any) -> tuple[str | None, str | None]:
    value = str(value)
    if value == "":
        return None, "学号不能为空"
    if not _NUMBER_RE.match(value):
        return None, "学号只能包含字母、数字和 - _ .，最长 32 个字符"
    return value, None


def _gender(value: Any) -> tuple[Gender | None, str | None]:
    if value == "":
        return None, None
    gender = _GENDERS.get(str(value).upper())
    return (gender, None) if gender else (None, "性别应为“男”或“女”")


def _birth_date(value: Any) -> tuple[dt.date | None, str | None]:
    if value == "":
        return None, None
    day = value if isinstance(value, dt.date) else _date_from_text(str(value))
    if day is None:
        return None, "出生日期格式有误，应如 2019-03-05"
    if day > shanghai_today():
        return None, "出生日期不能晚于今天"
    if day.year < 1950:
        return None, "出生日期不合理"
    return day, None


def _date_from_text(value: str) -> dt.date | None:
    match = _DATE_RE.match(value)
    if match is None and re.fullmatch(r"\d{8}", value):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", value)
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _yes_no(value: Any) -> tuple[bool | None, str | None]:
    text = str(value).upper()
    if text in _YES:
        return True, None
    if text in _NO:
        return False, None
    return None, "应填写“是”或“否”"


def _file_level_checks(rows: Sequence[RosterRow]) -> list[RowError]:
    """Within the file: one row per 学号, one grade per class (over the fields each row got right)."""
    errors: list[RowError] = []
    numbers: dict[str, int] = {}
    classes: dict[tuple[int, str], RosterRow] = {}
    for row in rows:
        if row.student_no is not None:
            first = numbers.setdefault(row.student_no.casefold(), row.row)
            if first != row.row:
                errors.append(RowError(row.row, NUMBER, f"学号与第 {first} 行重复"))
        if None in (row.school_year, row.class_name, row.grade):
            continue
        grade_row = classes.setdefault(row.class_key, row)
        if grade_row.grade != row.grade:
            errors.append(RowError(row.row, GRADE, f"同一班级的年级与第 {grade_row.row} 行不一致"))
    return errors


def roster_errors(errors: Sequence[RowError]) -> ValidationFailed:
    errors = sorted(errors, key=lambda e: e.row)
    listed = [{"row": e.row, "column": e.column, "reason": e.reason} for e in errors[:MAX_LISTED_ERRORS]]
    bad_rows = len({e.row for e in errors})
    return ValidationFailed(
        f"有 {bad_rows} 行数据有误，未导入任何数据，请修改后重新上传",
        code="roster_invalid",
        errors={"rows": listed, "error_count": len(errors), "truncated": len(errors) > len(listed)},
    )
