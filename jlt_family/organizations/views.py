"""What one caller sees of the organisation model: the small views the schemas dump where the answer depends on
who asks.

An alliance shows its members' contact phones in full only to its own staff; a class shows its invite code only
to its 班主任 and the school's admins; a roster shows the children's sensitive flags only to the same. A value
that is ``marshmallow.missing`` is left out of the answer. Everything else the schemas read from the model
objects themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from marshmallow import missing
from marshmallow.constants import _Missing

from jlt_family.core.masking import mask_phone
from jlt_family.organizations import permissions
from jlt_family.organizations.classes import student_counts
from jlt_family.organizations.models import Alliance, AllianceMember, AllianceStatus, ClassTeacher, School, SchoolClass

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor
    from jlt_family.families.models import Student


# Alliances ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberView:
    """教联体成员单位 with its contact phone as the caller may see it."""

    member: AllianceMember
    contact_phone: str


@dataclass(frozen=True)
class AllianceView:
    """教联体 as one caller sees it: member phones in full or masked; the application block or ``None``."""

    alliance: Alliance
    members: list[MemberView]
    application: dict[str, Any] | None

    @property
    def _established(self) -> bool:
        return self.alliance.status in (AllianceStatus.APPROVED, AllianceStatus.SUSPENDED)

    @property
    def centre_schools(self) -> list[School]:
        """The centre schools that joined once approved; before that, those of the application."""
        if self._established:
            return self.alliance.centre_schools
        return [row.school for row in self.alliance.proposed_schools if row.is_centre]

    @property
    def schools(self) -> list[School]:
        """The schools that joined once approved; before that, those of the application."""
        if self._established:
            return self.alliance.schools
        return [row.school for row in self.alliance.proposed_schools]


def alliance_view(alliance: Alliance, actor: Actor) -> AllianceView:
    """The alliance as ``actor`` sees it."""
    from jlt_family.alliances.presenters import application_out

    shows_phones = permissions.is_alliance_staff(actor, alliance)
    members = [
        MemberView(member, member.contact_phone if shows_phones else mask_phone(member.contact_phone))
        for member in alliance.members
    ]
    return AllianceView(alliance, members, application_out(alliance, actor))


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
