"""Receivers of other domains' events: a guardian leaving their family gives back their course places."""

from jlt_family.courses import service
from jlt_family.families.events import guardian_leaving


def on_guardian_leaving(sender, *, guardian_id, user_id, family_id, now):
    service.release_guardian(guardian_id, now)


def connect():
    """Connect the receivers (idempotent: blinker keeps one connection per receiver)."""
    guardian_leaving.connect(on_guardian_leaving, weak=False)
