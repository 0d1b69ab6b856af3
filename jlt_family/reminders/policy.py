"""提醒策略: lead times and quiet hours of an alliance (defaults when a school has none), computed in Shanghai time."""

import datetime as dt
from dataclasses import dataclass

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.organizations.models import School

DEFAULT_LEAD_MINUTES = (1440, 120)
DEFAULT_QUIET_START = dt.time(22, 0)
DEFAULT_QUIET_END = dt.time(7, 0)


@dataclass(frozen=True)
class Policy:
    """The reminder policy that applies to a school's families (its alliance's, or the default)."""

    alliance_id: int | None = None
    lead_minutes: tuple = DEFAULT_LEAD_MINUTES
    quiet_start: dt.time = DEFAULT_QUIET_START
    quiet_end: dt.time = DEFAULT_QUIET_END

    def is_quiet(self, instant):
        """Whether ``instant`` falls inside the quiet hours (start inclusive, end exclusive), Shanghai time."""
        local = instant.astimezone(SHANGHAI).time()
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end

    def push_time(self, instant):
        """When a push meant for ``instant`` may go out: at once, or at the end of the quiet hours."""
        if not self.is_quiet(instant):
            return instant
        local = instant.astimezone(SHANGHAI)
        end = local.replace(hour=self.quiet_end.hour, minute=self.quiet_end.minute, second=0, microsecond=0)
        if end <= local:
            end += dt.timedelta(days=1)
        return end.astimezone(dt.UTC)


def policy_for_school(school_id):
    """The policy of the school's alliance; the default for no school or a school outside any alliance."""
    school = db.session.get(School, school_id) if school_id is not None else None
    alliance = school.alliance if school is not None else None
    if alliance is None:
        return Policy()
    return policy_of_alliance(alliance)


def policy_of_alliance(alliance):
    return Policy(
        alliance_id=alliance.id,
        lead_minutes=tuple(alliance.reminder_lead_minutes or DEFAULT_LEAD_MINUTES),
        quiet_start=alliance.quiet_hours_start or DEFAULT_QUIET_START,
        quiet_end=alliance.quiet_hours_end or DEFAULT_QUIET_END,
    )
