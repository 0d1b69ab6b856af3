"""Receivers of other domains' events: a guardian leaving their family gives back their course places."""

from jlt_family.courses import service
from jlt_family.families.events import GuardianLeaving, guardian_leaving


def on_guardian_leaving(sender: object, event: GuardianLeaving) -> None:
    """退出家庭: the leaving guardian's places and waitlist spots in sessions to come are given back."""
    service.release_guardian(event.guardian_id, event.now)


def connect() -> None:
    """Connect the receivers (the app factory calls it; idempotent)."""
    guardian_leaving.receive(on_guardian_leaving)
