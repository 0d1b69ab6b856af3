"""提醒策略: lead times and quiet hours of an alliance (defaults when a school has none), computed in Shanghai time.

An event names the school whose alliance's policy applies. Events of courses offered by an alliance, a community
or a county name no school: then each recipient gets their own alliance's policy (``policies_for``): a
guardian's, that of their first child's school (lowest student id, among children in a school of an alliance);
a staff member's, that of their school (earliest active grant); the default when neither is found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.families.models import Guardian
from jlt_family.organizations.models import School, StaffMembership
from jlt_family.organizations.students import Student

DEFAULT_LEAD_MINUTES = (1440, 120)
DEFAULT_QUIET_START = dt.time(22, 0)
DEFAULT_QUIET_END = dt.time(7, 0)


@dataclass(frozen=True)
class Policy:
    """The reminder policy that applies to a school's families (its alliance's, or the default)."""

    alliance_id: int | None = None
    lead_minutes: tuple[int, ...] = DEFAULT_LEAD_MINUTES
    quiet_start: dt.time = DEFAULT_QUIET_START
    quiet_end: dt.time = DEFAULT_QUIET_END

    def is_quiet(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` falls inside the quiet hours (start inclusive, end exclusive), Shanghai time."""
        local = instant.astimezone(SHANGHAI).time()
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end

    def push_time(self, instant: dt.datetime) -> dt.datetime:
        """When a push meant for ``instant`` may go out: at once, or at the end of the quiet hours."""
        if not self.is_quiet(instant):
            return instant
        local = instant.astimezone(SHANGHAI)
        end = local.replace(hour=self.quiet_end.hour, minute=self.quiet_end.minute, second=0, microsecond=0)
        if end <= local:
            end += dt.timedelta(days=1)
        return end.astimezone(dt.UTC)


def policy_for_school(school_id: int | None) -> Policy:
    """The policy of the school's alliance; the default for no school or a school outside any alliance."""
    school = db.session.get(School, school_id) if school_id is not None else None
    alliance = school.alliance if school is not None else None
    if alliance is None:
        return Policy()
    return policy_of_alliance(alliance)


def policy_for_alliance(alliance_id: int | None) -> Policy:
    """The policy of an alliance by id (the default for None)."""
    alliance = db.session.get(Alliance, alliance_id) if alliance_id is not None else None
    return policy_of_alliance(alliance) if alliance is not None else Policy()


def policy_of_alliance(alliance: Alliance) -> Policy:
    return Policy(
        alliance_id=alliance.id,
        lead_minutes=tuple(alliance.reminder_lead_minutes or DEFAULT_LEAD_MINUTES),
        quiet_start=alliance.quiet_hours_start or DEFAULT_QUIET_START,
        quiet_end=alliance.quiet_hours_end or DEFAULT_QUIET_END,
    )


def policies_for(school_id: int | None, user_ids: Iterable[int]) -> dict[int, Policy]:
    """``{user_id: Policy}``: the school's alliance policy for everyone, or with no school each user's own."""
    users = sorted(set(user_ids))
    if school_id is not None:
        policy = policy_for_school(school_id)
        return dict.fromkeys(users, policy)
    own = own_alliance_ids(users)
    alliances: Iterable[Alliance] = (
        db.session.scalars(sa.select(Alliance).where(Alliance.id.in_(set(own.values())))) if own else []
    )
    policies: dict[int | None, Policy] = {alliance.id: policy_of_alliance(alliance) for alliance in alliances}
    return {user_id: policies.get(own.get(user_id), Policy()) for user_id in users}


def own_alliance_ids(user_ids: list[int]) -> dict[int, int]:
    """``{user_id: alliance_id}`` of the users who have one: through their children's schools first, then
    through the schools they work at (two queries, however many users)."""
    found = _first_per_user(
        sa.select(Guardian.user_id, School.alliance_id)
        .join(Student, Student.family_id == Guardian.family_id)
        .join(School, School.id == Student.school_id)
        .where(Guardian.user_id.in_(user_ids), School.alliance_id.is_not(None))
        .order_by(Guardian.user_id, Student.id)
    )
    rest = [user_id for user_id in user_ids if user_id not in found]
    if rest:
        found.update(
            _first_per_user(
                sa.select(StaffMembership.user_id, School.alliance_id)
                .join(School, School.id == StaffMembership.school_id)
                .where(
                    StaffMembership.user_id.in_(rest),
                    StaffMembership.revoked_at.is_(None),
                    School.alliance_id.is_not(None),
                )
                .order_by(StaffMembership.user_id, StaffMembership.id)
            )
        )
    return found


def _first_per_user(stmt: sa.Select[Any, Any]) -> dict[int, int]:
    found: dict[int, int] = {}
    for user_id, alliance_id in db.session.execute(stmt):
        found.setdefault(user_id, alliance_id)
    return found
