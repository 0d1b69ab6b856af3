"""Receivers of other domains' events: a guardian leaving their family gives back their course places."""

from __future__ import annotations

import datetime as dt

from jlt_family.courses import service
from jlt_family.families.events import guardian_leaving


def on_guardian_leaving(
    sender: object, *, guardian_id: int, user_id: int | None, family_id: int, now: dt.datetime | None
) -> None:
    """退出家庭: the leaving guardian's places and waitlist spots in sessions to come are given back."""
    service.release_guardian(guardian_id, now)


def connect() -> None:
    """Connect the receivers (idempotent: blinker keeps one connection per receiver)."""
    guardian_leaving.connect(on_guardian_leaving, weak=False)
