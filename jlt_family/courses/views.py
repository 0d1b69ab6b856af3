"""What one caller sees of a course, a session or an enrolment: the small objects the output schemas dump.

A view wraps the model object and adds what depends on the caller (their enrolment, whether they run the
course) or on a query of its own (the next session, the place on the waitlist); every other attribute is the
model's own. Organisers see the guardians of a session by name with masked phones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jlt_family.core.masking import mask_phone
from jlt_family.courses.models import Course, CourseSession, Enrolment


class _Wrapper:
    """Attributes the view does not define are read from the wrapped model object."""

    _wrapped: str

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(getattr(self, self._wrapped), name)


@dataclass
class CourseView(_Wrapper):
    """A course with its next session, the caller's enrolment and whether the caller runs it."""

    course: Course
    next_session: CourseSession | None = None
    my_enrolment: Enrolment | None = None
    can_manage: bool = False
    _wrapped = "course"


@dataclass
class SessionView(_Wrapper):
    """A session with the caller's enrolment in it and whether the caller runs its course."""

    session: CourseSession
    my_enrolment: Enrolment | None = None
    can_manage: bool = False
    _wrapped = "session"


@dataclass
class EnrolmentView(_Wrapper):
    """An enrolment with its place on the waitlist now and its session as the enrolled parent sees it."""

    enrolment: Enrolment
    waitlist_rank: int | None
    _wrapped = "enrolment"

    @property
    def session(self) -> SessionView:
        return SessionView(self.enrolment.session, my_enrolment=self.enrolment)


@dataclass
class RosterEntry(_Wrapper):
    """One line of a session's roster: the guardian's name and masked phone (None once they left the family)."""

    enrolment: Enrolment
    _wrapped = "enrolment"

    @property
    def guardian_name(self) -> str:
        guardian = self.enrolment.guardian
        return guardian.name or (guardian.user.nickname if guardian.user else "")

    @property
    def phone(self) -> str | None:
        user = self.enrolment.guardian.user  # None once the guardian left the family: the pseudonymised name only
        return mask_phone(user.phone) if user else None
