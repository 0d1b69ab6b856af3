"""What one caller sees of the organisation model: the small views the schemas dump where the answer depends on
who asks.

A class shows its invite code only
to its 班主任 and the school's admins; a roster shows the children's sensitive flags only to the same. A value
that is ``marshmallow.missing`` is left out of the answer. Everything else the schemas read from the model
objects themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from marshmallow import missing
from marshmallow.constants import _Missing

from jlt_family.organizations import permissions
from jlt_family.organizations.classes import student_counts
from jlt_family.organizations.models import ClassTeacher, SchoolClass

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor
    from jlt_family.organizations.students import Student


# Classes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassView:
    """班级 with its number of students, and its invite code for those who hand it out (else ``missing``)."""

    school_class: SchoolClass
    student_count: int
    invite_code: str | _Missing

    @property
    def subject_teachers(self) -> list[ClassTeacher]:
        return sorted(self.school_class.subject_teachers, key=lambda t: t.id or 0)


def class_views(classes: Sequence[SchoolClass], actor: Actor) -> list[ClassView]:
    """The classes as ``actor`` sees them, their students counted in one query."""
    counts = student_counts([c.id for c in classes])
    return [
        ClassView(c, counts.get(c.id, 0), c.invite_code if permissions.sees_invite_code(actor, c) else missing)
        for c in classes
    ]


def class_view(school_class: SchoolClass, actor: Actor) -> ClassView:
    return class_views([school_class], actor)[0]


@dataclass(frozen=True)
class RosterEntryView:
    """花名册条目: a student, with the student's sensitive flags only for those who may read them (else ``missing``)."""

    student: Student
    flags: Student | _Missing

    @property
    def bound(self) -> bool:
        """Whether a family has bound the child."""
        return self.student.family_id is not None


def roster_entries(students: Sequence[Student], *, shows_flags: bool) -> list[RosterEntryView]:
    return [RosterEntryView(s, s if shows_flags else missing) for s in students]
