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

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import sqlalchemy as sa

from jlt_family.core.audit import audit
from jlt_family.core.extensions import db
from jlt_family.organizations.classes import unused_class_codes
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import School, SchoolClass
from jlt_family.organizations.roster_files import read_upload
from jlt_family.organizations.roster_parsing import (
    FLAG_NAMES,
    GRADE,
    NAME,
    Roster,
    RosterRow,
    RowError,
    parse_roster,
    roster_errors,
)
from jlt_family.organizations.students import Student

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor

ClassKey = tuple[int, str]


@dataclass
class ImportSummary:
    """导入结果: what an import wrote (or, with ``dry_run``, would write)."""

    dry_run: bool
    rows: int
    classes_created: int
    ignored_columns: list[str]
    students_created: int = 0
    students_updated: int = 0
    students_unchanged: int = 0


def import_upload(school: School, stream: IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportSummary:
    """导入花名册 from an uploaded file: read, validate every row, then write all or nothing."""
    return import_roster(school, parse_roster(read_upload(stream)), actor=actor, dry_run=dry_run)


# Writing -----------------------------------------------------------------------------------------------------


def import_roster(school: School, roster: Roster, *, actor: Actor, dry_run: bool = False) -> ImportSummary:
    """Create missing classes and create or update students, all or nothing; ``dry_run`` writes nothing."""
    classes = _existing_classes(school, {row.school_year for row in roster.rows})
    students = {
        s.student_no.casefold(): s for s in db.session.scalars(sa.select(Student).where(Student.school_id == school.id))
    }
    errors = _school_checks(roster.rows, classes, students)
    if errors:
        raise roster_errors(errors)
    new_classes = _new_classes(school, roster.rows, classes)
    summary = ImportSummary(
        dry_run=dry_run,
        rows=len(roster.rows),
        classes_created=len(new_classes),
        ignored_columns=roster.ignored_columns,
    )
    if not dry_run:
        _save_classes(new_classes)
    classes.update(new_classes)
    for row in roster.rows:
        existing = students.get(row.student_no.casefold())
        old_flags = _flags_of(existing) if existing is not None else None
        outcome = _upsert_student(school, row, classes[row.class_key], existing, dry_run)
        if outcome == "created":
            summary.students_created += 1
        elif outcome == "updated":
            summary.students_updated += 1
        else:
            summary.students_unchanged += 1
        if not dry_run and existing is not None and old_flags is not None and _flags_of(existing) != old_flags:
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
            rows=summary.rows,
            classes_created=summary.classes_created,
            students_created=summary.students_created,
            students_updated=summary.students_updated,
        )
    return summary


def _flags_of(student: Student) -> dict[str, bool]:
    return {name: getattr(student, name) for name in FLAG_NAMES}


def _existing_classes(school: School, years: Iterable[int]) -> dict[ClassKey, SchoolClass]:
    found = db.session.scalars(
        sa.select(SchoolClass).where(SchoolClass.school_id == school.id, SchoolClass.school_year.in_(years))
    )
    return {(c.school_year, c.name.casefold()): c for c in found}


def _school_checks(
    rows: Sequence[RosterRow], classes: dict[ClassKey, SchoolClass], students: dict[str, Student]
) -> list[RowError]:
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


def _new_classes(
    school: School, rows: Sequence[RosterRow], classes: dict[ClassKey, SchoolClass]
) -> dict[ClassKey, SchoolClass]:
    created = {}
    for row in rows:
        if row.class_key not in classes and row.class_key not in created:
            created[row.class_key] = SchoolClass(
                school_id=school.id, school_year=row.school_year, grade=row.grade, name=row.class_name
            )
    return created


def _save_classes(new_classes: dict[ClassKey, SchoolClass]) -> None:

    if not new_classes:
        return
    for school_class, code in zip(new_classes.values(), unused_class_codes(len(new_classes)), strict=True):
        school_class.invite_code = code
        db.session.add(school_class)
    db.session.flush()


def _upsert_student(
    school: School, row: RosterRow, school_class: SchoolClass, student: Student | None, dry_run: bool
) -> str:
    """Returns ``created``, ``updated`` or ``unchanged``."""
    values: dict[str, Any] = {"name": row.name, **row.flags}
    if row.gender is not None:
        values["gender"] = row.gender
    if row.birth_date is not None:
        values["birth_date"] = row.birth_date
    if student is None:
        if not dry_run:
            new = Student(school_id=school.id, school_class=school_class, student_no=row.student_no)
            for key, value in values.items():
                setattr(new, key, value)
            db.session.add(new)
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
