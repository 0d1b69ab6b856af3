"""分班记录: which class a student was in, and from when to when.

``Student.class_id`` is only the current class. Every change of it (a roster import, a move by the school admin,
a student leaving the school, a new student) is written here by one session hook, whoever made the change, so
the history cannot be forgotten by a new code path. Periods are half-open days ``[from_date, to_date)`` in
Asia/Shanghai: a student moved on day D is in the new class from D on. ``to_date`` is NULL while the placement
lasts; ``open_key`` (1 while open, NULL once closed) lets the database keep at most one open placement per
student (MySQL has no partial index).

A new student's first placement starts on the first day of the class's school year (or today, if earlier), so a
roster entered late in the year still counts for the whole year; later changes take effect today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from jlt_family.core.audit import audit
from jlt_family.core.db_types import UTCDateTime
from jlt_family.core.errors import Conflict, NotFound
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import shanghai_today, utcnow
from jlt_family.organizations.calendar import school_year_starting
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Student

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor
    from jlt_family.organizations.models import SchoolClass
    from jlt_family.organizations.students import Student


def _open_key_for_to_date(context: Any) -> int | None:
    """``open_key`` at insert, from ``to_date``: a plain ``default=1`` would also fire for an explicit None."""
    return 1 if context.get_current_parameters()["to_date"] is None else None


class StudentClassPlacement(db.Model):
    """分班记录: a student's placement in one class over a period of days."""

    __tablename__ = "student_class_placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("student.id", ondelete="CASCADE"))
    class_id: Mapped[int] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    from_date: Mapped[dt.date] = mapped_column(sa.Date)
    to_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    open_key: Mapped[int | None] = mapped_column(sa.SmallInteger, default=_open_key_for_to_date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    student: Mapped[Student] = relationship()  # noqa: F821
    school_class: Mapped[SchoolClass] = relationship()  # noqa: F821

    __table_args__ = (
        sa.Index("ix_student_class_placement_student", "student_id", "from_date"),
        sa.UniqueConstraint("student_id", "open_key", name="uq_student_class_placement_open"),
        sa.CheckConstraint("to_date IS NULL OR to_date >= from_date", name="period_order"),
        sa.CheckConstraint("(to_date IS NULL) = (open_key IS NOT NULL)", name="open_key_matches_to_date"),
    )


def move_student(student: Student, class_id: int) -> int | None:
    """调班 (school admin): move a student to another class of the same school, from today on.

    The student's row is locked first, so two moves of the same student run one after the other. The placement
    history is written by the session hook below when the change is flushed.
    """

    db.session.refresh(student, with_for_update=True)
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None or school_class.school_id != student.school_id:
        raise NotFound("未找到该班级（只能调到本校的班级）", code="class_not_found")
    if student.class_id == school_class.id:
        raise Conflict("该学生已在此班级", code="already_in_class")
    old_class_id = student.class_id
    student.school_class = school_class
    db.session.flush()
    return old_class_id


def transfer_student(actor: Actor, student: Student, *, class_id: int) -> Student:
    """调班 by a school admin: ``move_student``, written to the audit log with the classes before and after."""
    old_class_id = move_student(student, class_id)
    audit(
        actor,
        "move_student_class",
        "student",
        student.id,
        school_id=student.school_id,
        from_class_id=old_class_id,
        to_class_id=student.class_id,
    )
    return student


@dataclass(frozen=True)
class PlacementHistory:
    """分班记录 of one student: the current class (on the student) and every placement, oldest first."""

    student: Student
    placements: Sequence[StudentClassPlacement]


def history_of(student_id: int) -> Sequence[StudentClassPlacement]:
    """The placements of a student, oldest first."""
    return db.session.scalars(
        sa.select(StudentClassPlacement)
        .where(StudentClassPlacement.student_id == student_id)
        .order_by(StudentClassPlacement.from_date, StudentClassPlacement.id)
    ).all()


# The session hook --------------------------------------------------------------------------------------------


def _target_class(session: Session, student: Student) -> tuple[bool, SchoolClass | None]:
    """(changed?, the class object or None) from the student's pending changes."""
    state: Any = sa.inspect(student)
    relation = state.attrs.school_class.history
    if relation.has_changes():
        return True, student.school_class
    column = state.attrs.class_id.history
    if column.has_changes():
        return True, session.get(SchoolClass, student.class_id) if student.class_id is not None else None
    return False, None


def _first_day(school_class: SchoolClass, today: dt.date) -> dt.date:
    """A new student's first placement: from the class's school year's first day (today if that is later)."""

    region = school_class.school.region if school_class.school is not None else None
    return min(today, school_year_starting(school_class.school_year, region).starts_on)


@sa.event.listens_for(Session, "before_flush")
def _write_placements(session: Session, _flush_context: Any, _instances: Any) -> None:

    today = shanghai_today()
    closing, opening = [], []
    for obj in list(session.new):
        if isinstance(obj, Student):
            changed, school_class = _target_class(session, obj)
            if changed and school_class is not None:
                opening.append(
                    StudentClassPlacement(
                        student=obj, school_class=school_class, from_date=_first_day(school_class, today)
                    )
                )
    for obj in list(session.dirty):
        if isinstance(obj, Student) and obj.id is not None:
            changed, school_class = _target_class(session, obj)
            if not changed or (school_class is not None and school_class.id == _old_class_id(obj)):
                continue
            closing.append(obj.id)
            if school_class is not None:
                opening.append(StudentClassPlacement(student=obj, school_class=school_class, from_date=today))
    if closing:
        session.execute(
            sa.update(StudentClassPlacement)
            .where(StudentClassPlacement.student_id.in_(closing), StudentClassPlacement.open_key.is_not(None))
            .values(to_date=today, open_key=None),
            execution_options={"synchronize_session": "evaluate"},
        )
    session.add_all(opening)


def _old_class_id(student: Student) -> int | None:
    """The class id the database still holds for the student (before this flush)."""
    history: Any = sa.inspect(student).attrs.class_id.history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else student.class_id
