"""Events of families (core/events.py): what other domains must know when a family changes."""

from jlt_family.core.events import event

guardian_leaving = event(
    "families.guardian_leaving",
    """A guardian is leaving their family (退出家庭), inside the transaction that unlinks them.

    Sent after the checks passed and before the row is pseudonymised; ``sender`` is the Guardian.
    guardian_id: int, user_id: int, family_id: int, now: aware datetime
    Courses give back the places the guardian holds in sessions not yet started.
    """,
)
