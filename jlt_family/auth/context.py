"""The caller of a request (``Actor``): who they are and which scopes their roles reach.

Scopes are computed once per request from the database (never from what the client says): the schools a
user teaches in or administers, the classes they teach, the units they staff, the alliances and regions they
administer, and the family they belong to.
"""

import sqlalchemy as sa
from flask import g

from jlt_family.core.cached import cached_property
from jlt_family.core.extensions import db


class Actor:
    """当前用户: the signed-in user (or anonymous) with their scopes."""

    def __init__(self, user=None, session_id=None):
        self.user = user
        self.session_id = session_id

    @property
    def is_authenticated(self):
        return self.user is not None

    @property
    def user_id(self):
        return self.user.id if self.user is not None else None

    @cached_property
    def memberships(self):
        from jlt_family.organizations.models import StaffMembership

        if self.user is None:
            return []
        return db.session.scalars(
            sa.select(StaffMembership).where(
                StaffMembership.user_id == self.user.id, StaffMembership.revoked_at.is_(None)
            )
        ).all()

    def _scope_ids(self, role, column):
        return frozenset(getattr(m, column) for m in self.memberships if m.role == role)

    @cached_property
    def admin_school_ids(self):
        """Schools where the caller is a school admin (学校领导)."""
        from jlt_family.organizations.models import StaffRole

        return self._scope_ids(StaffRole.SCHOOL_ADMIN, "school_id")

    @cached_property
    def staff_school_ids(self):
        """Schools where the caller is a teacher or a school admin."""
        from jlt_family.organizations.models import StaffRole

        return self._scope_ids(StaffRole.TEACHER, "school_id") | self.admin_school_ids

    @cached_property
    def homeroom_class_ids(self):
        from jlt_family.organizations.models import SchoolClass

        if self.user is None:
            return frozenset()
        return frozenset(
            db.session.scalars(sa.select(SchoolClass.id).where(SchoolClass.homeroom_teacher_id == self.user.id))
        )

    @cached_property
    def taught_class_ids(self):
        """Classes the caller teaches: as 班主任 or as 科任教师 (while still staff of that school)."""
        from jlt_family.organizations.models import ClassTeacher, SchoolClass

        if self.user is None or not self.staff_school_ids:
            return frozenset()
        subject = db.session.scalars(
            sa.select(ClassTeacher.class_id)
            .join(SchoolClass, SchoolClass.id == ClassTeacher.class_id)
            .where(ClassTeacher.user_id == self.user.id, SchoolClass.school_id.in_(self.staff_school_ids))
        )
        return self.homeroom_class_ids | frozenset(subject)

    @cached_property
    def unit_ids(self):
        """Resource units where the caller is venue staff."""
        from jlt_family.organizations.models import StaffRole

        return self._scope_ids(StaffRole.VENUE_STAFF, "resource_unit_id")

    @cached_property
    def alliance_ids(self):
        """Alliances the caller administers."""
        from jlt_family.organizations.models import StaffRole

        return self._scope_ids(StaffRole.ALLIANCE_ADMIN, "alliance_id")

    @cached_property
    def region_ids(self):
        """Regions the caller administers, with every region under them."""
        from jlt_family.organizations.models import StaffRole
        from jlt_family.organizations.service import region_subtree_ids

        roots = self._scope_ids(StaffRole.REGION_ADMIN, "region_id")
        return region_subtree_ids(roots) if roots else frozenset()

    @cached_property
    def guardian(self):
        from jlt_family.families.models import Guardian

        if self.user is None:
            return None
        return db.session.scalar(sa.select(Guardian).where(Guardian.user_id == self.user.id))

    @property
    def family_id(self):
        return self.guardian.family_id if self.guardian is not None else None

    @property
    def roles(self):
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
