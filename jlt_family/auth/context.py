"""The caller of a request (``Actor``): who they are and which scopes their roles reach.

Scopes are computed once per request from the database (never from what the client says): the schools a
user teaches in or administers, the classes they teach, the units they staff, the alliances and regions they
administer, and the family they belong to. The queries live above this layer (``jlt_family.access.scopes``,
which knows the organisations and families); the app hands them over as ``app.extensions["scopes"]``
(``jlt_family.access.init_app``), and an ``Actor`` asks them the first time a scope is used and keeps the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from flask import current_app, g

from jlt_family.core.cached import cached_property


class ScopeQueries(Protocol):
    """The scope queries an ``Actor`` asks (``jlt_family.access.scopes`` is one), each a function of a user id or
    of that user's memberships."""

    def memberships(self, user_id: int) -> Sequence[Any]: ...
    def admin_school_ids(self, held: Iterable[Any]) -> frozenset[int]: ...
    def teacher_school_ids(self, held: Iterable[Any]) -> frozenset[int]: ...
    def unit_ids(self, held: Iterable[Any]) -> frozenset[int]: ...
    def alliance_ids(self, held: Iterable[Any]) -> frozenset[int]: ...
    def region_ids(self, held: Iterable[Any]) -> frozenset[int]: ...
    def homeroom_class_ids(self, user_id: int) -> frozenset[int]: ...
    def subject_class_ids(self, user_id: int, school_ids: Iterable[int]) -> frozenset[int]: ...
    def guardian_of(self, user_id: int) -> Any: ...


def app_scope_queries() -> ScopeQueries:
    """The scope queries the running app was given."""
    return current_app.extensions["scopes"]


class Actor:
    """当前用户: the signed-in user (or anonymous) with their scopes, each computed once.

    ``scopes`` are the queries to ask; by default the running app's.
    """

    def __init__(self, user: Any = None, session_id: str | None = None, scopes: ScopeQueries | None = None) -> None:
        self.user = user
        self.session_id = session_id
        self._given_scopes = scopes

    @property
    def _scopes(self) -> ScopeQueries:
        return self._given_scopes if self._given_scopes is not None else app_scope_queries()

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> Any:
        """The signed-in user's id; None when anonymous (views behind ``login_required`` read it as an int)."""
        return self.user.id if self.user is not None else None

    @cached_property
    def memberships(self) -> Sequence[Any]:
        """The caller's active staff memberships (岗位授权)."""
        if self.user is None:
            return []
        return self._scopes.memberships(self.user.id)

    @cached_property
    def admin_school_ids(self) -> frozenset[int]:
        """Schools where the caller is a school admin (学校领导)."""
        if not self.memberships:
            return frozenset()
        return self._scopes.admin_school_ids(self.memberships)

    @cached_property
    def staff_school_ids(self) -> frozenset[int]:
        """Schools where the caller is a teacher or a school admin."""
        if not self.memberships:
            return frozenset()
        return self._scopes.teacher_school_ids(self.memberships) | self.admin_school_ids

    @cached_property
    def homeroom_class_ids(self) -> frozenset[int]:
        """Classes whose 班主任 the caller is."""
        if self.user is None:
            return frozenset()
        return self._scopes.homeroom_class_ids(self.user.id)

    @cached_property
    def taught_class_ids(self) -> frozenset[int]:
        """Classes the caller teaches: as 班主任 or as 科任教师 (while still staff of that school)."""
        if self.user is None or not self.staff_school_ids:
            return frozenset()
        return self.homeroom_class_ids | self._scopes.subject_class_ids(self.user.id, self.staff_school_ids)

    @cached_property
    def unit_ids(self) -> frozenset[int]:
        """Resource units where the caller is venue staff."""
        if not self.memberships:
            return frozenset()
        return self._scopes.unit_ids(self.memberships)

    @cached_property
    def alliance_ids(self) -> frozenset[int]:
        """Alliances the caller administers."""
        if not self.memberships:
            return frozenset()
        return self._scopes.alliance_ids(self.memberships)

    @cached_property
    def region_ids(self) -> frozenset[int]:
        """Regions the caller administers, with every region under them."""
        if not self.memberships:
            return frozenset()
        return self._scopes.region_ids(self.memberships)

    @cached_property
    def guardian(self) -> Any:
        """The caller's guardian row (家长), if they belong to a family."""
        if self.user is None:
            return None
        return self._scopes.guardian_of(self.user.id)

    @property
    def family_id(self) -> int | None:
        return self.guardian.family_id if self.guardian is not None else None

    @property
    def roles(self) -> list[str]:
        """The role names the caller holds, for the client to choose its screens."""
        names = {m.role.value for m in self.memberships}
        if self.homeroom_class_ids:
            names.add("homeroom_teacher")
        if self.guardian is not None:
            names.add("guardian")
        return sorted(names)


ANONYMOUS = Actor()


def current_actor() -> Actor:
    return g.get("actor", ANONYMOUS)
