"""Scheduled jobs of the parent school."""

from __future__ import annotations

from jlt_family.core.scheduler import job
from jlt_family.courses.attendance import close_ended_sessions


@job("courses_close_ended_sessions", trigger="interval", minutes=10)
def close_ended_sessions_job() -> None:
    """Every 10 minutes: enrolled parents who did not check in to an ended session become absent (idempotent)."""
    close_ended_sessions()
