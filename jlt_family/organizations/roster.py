"""花名册导入: a school's classes and students from a CSV or XLSX file.

The file's first row holds the column headers (order free, unknown columns ignored and reported):

| 列 (header) | required | accepted values |
| --- | --- | --- |
| 学年 | yes | 2026, 2026-2027, 2026–2027学年 (the year the school year starts in; 2000–2099) |
| 年级 | yes | 一年级 … 九年级, 初一 … 初三, 高一 … 高三, 小班/中班/大班, or 1–12 |
| 班级 | yes | the class name as the school uses it (≤ 40 characters), e.g. 三年级1班 |
| 学号 | yes | letters, digits, - _ . (≤ 32 characters); unique within the school |
| 姓名 | yes | ≤ 40 characters |
| 性别 | no | 男/女 (also M/F, male/female); blank leaves it unknown or unchanged |
| 出生日期 | no | 2019-03-05, 2019/3/5, 2019.3.5, 20190305, 2019年3月5日 or a date cell; blank leaves it unchanged |
| 留守儿童, 流动儿童, 困境儿童, 残疾儿童 | no | 是/否, 1/0, Y/N, true/false; blank is 否 |

A missing flag column leaves that flag unchanged.

CSV: UTF-8 with or without BOM, or GBK/GB18030 (what Excel in zh-CN writes); comma- or tab-separated.
XLSX: the first worksheet. Limits: ``MAX_FILE_BYTES`` and ``MAX_ROWS`` data rows; blank rows are skipped. Before
the workbook is parsed, the archive's declared sizes (``MAX_XLSX_UNPACKED_BYTES`` in all, a bounded compression
ratio) and the first sheet's rows and cells (counted on the stream, stopping at the limit) are checked: a small
crafted file cannot cost a worker seconds of CPU (413 ``roster_xlsx_too_large``, 422 ``roster_too_many_rows`` or
``roster_too_many_cells``).
Row numbers are those of the spreadsheet (the header is row 1).

Rules: every row is validated; when any row is bad the answer lists each problem (row, column, Chinese reason)
and nothing is written. A class is identified by (学年, 班级) within the school and created when missing (with a
fresh invite code); its grade must agree with the rows and with an existing class. A 学号 identifies the student
within the school: a number already on the school's roster updates that student (name, gender, birth date,
flags, and moves them to the row's class) — it is not a duplicate. A renamed student who is already bound to a
family is refused instead (the binding depends on the name), so a typo in a 学号 cannot relabel a bound child.
Students missing from the file are left as they are.
"""

import csv
import datetime as dt
import io
import logging
import posixpath
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field

import sqlalchemy as sa

from jlt_family.core.audit import audit
from jlt_family.core.errors import AppError, ValidationFailed
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import shanghai_today
from jlt_family.organizations.grades import grade_label, parse_grade
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Gender, Student

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_LISTED_ERRORS = 500
_MAX_PHYSICAL_ROWS = 50_000  # blank rows included: stops a workbook of a million formatted empty rows
_MAX_COLUMNS = 40
MAX_XLSX_UNPACKED_BYTES = 16 * 1024 * 1024  # the declared sizes of all the archive's entries together
_MAX_XLSX_ENTRIES = 500
_MAX_XLSX_RATIO = 100  # an entry over 1 MB unpacked may be at most this many times its packed size
_MAX_CELLS = (MAX_ROWS + 1) * 20  # cells of the first sheet (openpyxl's cost grows with them)
_SHEET_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|si)[\s>/]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")
_TAG_TAIL = 32  # longer than any tag prefix _SHEET_TAGS matches: a match cut between two chunks is found whole

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


class RosterFileTooLargeError(AppError):
    status = 413
    code = "roster_file_too_large"
    message = f"文件过大，请不要超过 {MAX_FILE_BYTES // (1024 * 1024)} MB"


class RosterXlsxTooLargeError(AppError):
    status = 413
    code = "roster_xlsx_too_large"
    message = "Excel 文件解压后过大，请删除多余的工作表、格式或空行后重试"


def _file_error(message, code="roster_file_invalid"):
    return ValidationFailed(message, code=code, errors={"file": [message]})


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
    flags: dict = field(default_factory=dict)  # only the flag columns the file has

    @property
    def class_key(self):
        return self.school_year, self.class_name.casefold()


@dataclass
class Roster:
    rows: list
    ignored_columns: list


# Reading the file --------------------------------------------------------------------------------------------


def read_upload(stream):
    """The uploaded file's bytes, refusing more than ``MAX_FILE_BYTES``."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileTooLargeError()
    if not data.strip():
        raise _file_error("文件是空的", code="roster_empty")
    return data


def read_table(data):
    """The file's rows as ``(row_number, cells)``: XLSX by its zip signature, CSV otherwise."""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error("不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV", code="roster_unsupported_format")
    return _read_csv(data)


def _decode(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error("无法识别文件编码，请使用 UTF-8 或 GBK 编码的 CSV", code="roster_bad_encoding")


def _read_csv(data):
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _file_error("CSV 文件格式有误", code="roster_bad_csv") from None
    if len(rows) > _MAX_PHYSICAL_ROWS:
        raise _too_many_rows()
    return [(number, row[:_MAX_COLUMNS]) for number, row in enumerate(rows, start=1)]


def _read_xlsx(data):
    from openpyxl import load_workbook

    check_xlsx(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style and extension warnings of files from other programs
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError) as exc:
        log.info("unreadable roster workbook: %r", exc)
        raise _file_error("无法读取该 Excel 文件，请确认是 .xlsx 格式", code="roster_bad_xlsx") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _file_error("Excel 文件中没有工作表", code="roster_bad_xlsx")
        rows = []
        for number, values in enumerate(sheet.iter_rows(max_col=_MAX_COLUMNS, values_only=True), start=1):
            if number > _MAX_PHYSICAL_ROWS:
                raise _too_many_rows()
            rows.append((number, [_cell(value) for value in values]))
        return rows
    finally:
        workbook.close()


def check_xlsx(data):
    """Refuse a workbook that would be costly to parse, from the archive's directory and a streaming count of
    the first sheet's rows and cells, before openpyxl reads any of it (``zipfile`` never unpacks more than an
    entry's declared size, so the declared sizes bound the work)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _file_error("无法读取该 Excel 文件，请确认是 .xlsx 格式", code="roster_bad_xlsx") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > _MAX_XLSX_ENTRIES or sum(e.file_size for e in entries) > MAX_XLSX_UNPACKED_BYTES:
            raise RosterXlsxTooLargeError()
        for entry in entries:
            if entry.file_size > 1024 * 1024 and entry.file_size > _MAX_XLSX_RATIO * max(entry.compress_size, 1):
                raise RosterXlsxTooLargeError()
        names = {e.filename for e in entries}
        try:
            sheet = _first_sheet(archive, names)
            if sheet is not None:
                counts = _count_tags(archive, sheet, {"row": _MAX_PHYSICAL_ROWS, "c": _MAX_CELLS}, dimension=True)
                if counts["row"] > _MAX_PHYSICAL_ROWS:
                    raise _too_many_rows()
                if counts["c"] > _MAX_CELLS:
                    raise _too_many_cells()
            strings = "xl/sharedStrings.xml"
            if strings in names and _count_tags(archive, strings, {"si": _MAX_CELLS})["si"] > _MAX_CELLS:
                raise _too_many_cells()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            log.info("unreadable roster workbook: %r", exc)  # a bad CRC, an encrypted or unknown-method entry
            raise _file_error("无法读取该 Excel 文件，请确认是 .xlsx 格式", code="roster_bad_xlsx") from None


def _first_sheet(archive, names):
    """The archive path of the workbook's first worksheet (what openpyxl reads), or None when the workbook
    does not say (openpyxl then refuses the file)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    first = re.search(rb"<(?:\w+:)?sheet\s[^>]*?\b\w+:id=\"([^\"]+)\"", workbook)
    if first is None:
        return None
    for relationship in re.finditer(rb"<(?:\w+:)?Relationship\s([^>]*)>", rels):
        attributes = dict(re.findall(rb"(\w+)=\"([^\"]*)\"", relationship.group(1)))
        if attributes.get(b"Id") == first.group(1):
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            return path if path in names else None
    return None


def _count_tags(archive, name, limits, dimension=False):
    """How many of each tag of ``limits`` the entry holds, read in chunks, stopping once one is past its limit
    (then its count is limit + 1); with ``dimension``, a ``<dimension ref="A1:Z9">`` past the row limit counts
    as that many rows at once."""
    counts = dict.fromkeys(limits, 0)
    with archive.open(name) as stream:
        tail, first = b"", True
        while True:
            chunk = stream.read(1 << 16)
            buffer = tail + chunk
            if first and dimension:
                declared = _DIMENSION.search(buffer)
                if declared and int(declared.group(1)) > limits["row"]:
                    counts["row"] = int(declared.group(1))
                    return counts
                first = False
            whole = len(buffer) if not chunk else max(len(buffer) - _TAG_TAIL, 0)
            for match in _SHEET_TAGS.finditer(buffer, 0, len(buffer)):
                if match.start() >= whole:
                    break
                tag = match.group(1).decode()
                if tag in counts:
                    counts[tag] += 1
                    if counts[tag] > limits[tag]:
                        return counts
            if not chunk:
                return counts
            tail = buffer[whole:]


def _too_many_cells():
    message = f"表格内容过多（第一个工作表最多 {_MAX_CELLS} 个单元格），请删除多余的列或分批导入"
    return ValidationFailed(message, code="roster_too_many_cells", errors={"file": [message]})


def _cell(value):
    """An XLSX cell as text, or as a date for date cells."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _too_many_rows():
    return ValidationFailed(
        f"最多导入 {MAX_ROWS} 行学生，请分批导入",
        code="roster_too_many_rows",
        errors={"file": [f"最多导入 {MAX_ROWS} 行学生"]},
    )


# Validating the rows -----------------------------------------------------------------------------------------


def parse_roster(data):
    """Validate the whole file: a ``Roster`` of valid rows, or ``ValidationFailed`` listing every bad row."""
    table = [(number, [_strip(c) for c in cells]) for number, cells in read_table(data)]
    table = [(number, cells) for number, cells in table if any(c != "" for c in cells)]
    if not table:
        raise _file_error("文件中没有内容", code="roster_empty")
    (_, headers), body = table[0], table[1:]
    columns, ignored = _columns(headers)
    if not body:
        raise _file_error("文件中只有表头，没有学生", code="roster_empty")
    if len(body) > MAX_ROWS:
        raise _too_many_rows()
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


def _strip(cell):
    return cell.strip().replace("\u3000", " ").strip() if isinstance(cell, str) else cell


def _columns(headers):
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


def _parse_row(number, values):
    errors = []

    def check(column, parser):
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


def _school_year(value):
    match = _YEAR_RE.match(str(value))
    if not match:
        return None, "学年格式应为 2026 或 2026-2027" if value != "" else "学年不能为空"
    start, end = int(match.group(1)), match.group(2)
    if end is not None and int(end) != start + 1:
        return None, "学年的结束年份应为开始年份加一"
    if not 2000 <= start <= 2099:
        return None, "学年应在 2000 到 2099 之间"
    return start, None


def _grade(value):
    if value == "":
        return None, "年级不能为空"
    grade = parse_grade(str(value))
    if grade is None:
        return None, "无法识别的年级，应为 一年级…九年级、高一…高三、小班/中班/大班 或 1–12"
    return grade, None


def _text(max_len, label):
    def parse(value):
        value = str(value)
        if value == "":
            return None, f"{label}不能为空"
        if len(value) > max_len:
            return None, f"{label}过长（最多 {max_len} 个字符）"
        return value, None

    return parse


def _student_no(value):
    value = str(value)
    if value == "":
        return None, "学号不能为空"
    if not _NUMBER_RE.match(value):
        return None, "学号只能包含字母、数字和 - _ .，最长 32 个字符"
    return value, None


def _gender(value):
    if value == "":
        return None, None
    gender = _GENDERS.get(str(value).upper())
    return (gender, None) if gender else (None, "性别应为“男”或“女”")


def _birth_date(value):
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


def _date_from_text(value):
    match = _DATE_RE.match(value)
    if match is None and re.fullmatch(r"\d{8}", value):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", value)
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _yes_no(value):
    text = str(value).upper()
    if text in _YES:
        return True, None
    if text in _NO:
        return False, None
    return None, "应填写“是”或“否”"


def _file_level_checks(rows):
    """Within the file: one row per 学号, one grade per class (over the fields each row got right)."""
    errors, numbers, classes = [], {}, {}
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


def roster_errors(errors):
    errors = sorted(errors, key=lambda e: e.row)
    listed = [{"row": e.row, "column": e.column, "reason": e.reason} for e in errors[:MAX_LISTED_ERRORS]]
    bad_rows = len({e.row for e in errors})
    return ValidationFailed(
        f"有 {bad_rows} 行数据有误，未导入任何数据，请修改后重新上传",
        code="roster_invalid",
        errors={"rows": listed, "error_count": len(errors), "truncated": len(errors) > len(listed)},
    )


# Writing -----------------------------------------------------------------------------------------------------


def import_roster(school, roster, *, actor, dry_run=False):
    """Create missing classes and create or update students, all or nothing; ``dry_run`` writes nothing."""
    classes = _existing_classes(school, {row.school_year for row in roster.rows})
    students = {
        s.student_no.casefold(): s for s in db.session.scalars(sa.select(Student).where(Student.school_id == school.id))
    }
    errors = _school_checks(roster.rows, classes, students)
    if errors:
        raise roster_errors(errors)
    new_classes = _new_classes(school, roster.rows, classes)
    summary = {
        "dry_run": dry_run,
        "rows": len(roster.rows),
        "classes_created": len(new_classes),
        "students_created": 0,
        "students_updated": 0,
        "students_unchanged": 0,
        "ignored_columns": roster.ignored_columns,
    }
    if not dry_run:
        _save_classes(new_classes)
    classes.update(new_classes)
    for row in roster.rows:
        existing = students.get(row.student_no.casefold())
        old_flags = _flags_of(existing) if existing is not None else None
        outcome = _upsert_student(school, row, classes[row.class_key], existing, dry_run)
        summary[f"students_{outcome}"] += 1
        if not dry_run and old_flags is not None and _flags_of(existing) != old_flags:
            # Each child's sensitive flags changed by an import are audited like a change by hand.
            audit(
                actor,
                "update_student_flags",
                "student",
                existing.id,
                school_id=school.id,
                old=old_flags,
                new=_flags_of(existing),
                source="roster_import",
            )
    if not dry_run:
        db.session.flush()
        audit(
            actor,
            "import_roster",
            "school",
            school.id,
            school_id=school.id,
            **{k: summary[k] for k in ("rows", "classes_created", "students_created", "students_updated")},
        )
    return summary


def _flags_of(student):
    return {name: getattr(student, name) for name in FLAG_NAMES}


def _existing_classes(school, years):
    found = db.session.scalars(
        sa.select(SchoolClass).where(SchoolClass.school_id == school.id, SchoolClass.school_year.in_(years))
    )
    return {(c.school_year, c.name.casefold()): c for c in found}


def _school_checks(rows, classes, students):
    """Against what the school already has: class grades, and bound students keep their names."""
    errors = []
    for row in rows:
        existing_class = classes.get(row.class_key)
        if existing_class is not None and existing_class.grade != row.grade:
            errors.append(
                RowError(
                    row.row,
                    GRADE,
                    f"已有班级“{existing_class.name}”是{grade_label(existing_class.grade)}，与此处年级不一致",
                )
            )
        student = students.get(row.student_no.casefold())
        if student is not None and student.family_id is not None and student.name != row.name:
            errors.append(RowError(row.row, NAME, "该学号的学生已绑定家庭且姓名不同，请核对学号或姓名"))
    return errors


def _new_classes(school, rows, classes):
    created = {}
    for row in rows:
        if row.class_key not in classes and row.class_key not in created:
            created[row.class_key] = SchoolClass(
                school_id=school.id, school_year=row.school_year, grade=row.grade, name=row.class_name
            )
    return created


def _save_classes(new_classes):
    from jlt_family.organizations.service import unused_class_codes

    if not new_classes:
        return
    for school_class, code in zip(new_classes.values(), unused_class_codes(len(new_classes)), strict=True):
        school_class.invite_code = code
        db.session.add(school_class)
    db.session.flush()


def _upsert_student(school, row, school_class, student, dry_run):
    """Returns ``created``, ``updated`` or ``unchanged``."""
    values = {"name": row.name, **row.flags}
    if row.gender is not None:
        values["gender"] = row.gender
    if row.birth_date is not None:
        values["birth_date"] = row.birth_date
    if student is None:
        if not dry_run:
            db.session.add(Student(school_id=school.id, school_class=school_class, student_no=row.student_no, **values))
        return "created"
    changes = {k: v for k, v in values.items() if getattr(student, k) != v}
    moved = student.class_id is None or student.class_id != school_class.id
    if not changes and not moved:
        return "unchanged"
    if not dry_run:
        for key, value in changes.items():
            setattr(student, key, value)
        student.school_class = school_class
    return "updated"
