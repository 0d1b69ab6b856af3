"""Events of families (core/events.py): what other domains must know when a family changes."""

import dataclasses
import datetime as dt

from jlt_family.core.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuardianLeaving:
    """退出家庭: a guardian is leaving their family, inside the transaction that unlinks them.

    Sent after the checks passed and before the row is pseudonymised; ``sender`` is the Guardian. Courses give
    back the places the guardian holds in sessions not yet started; reminders cancel what was still to be sent to
    them about the family's things.
    """

    guardian_id: int
    user_id: int
    family_id: int
    now: dt.datetime


guardian_leaving = Event("families.guardian_leaving", GuardianLeaving)
