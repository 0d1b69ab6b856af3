"""Scheduled jobs of the parent school."""

from jlt_family.core.scheduler import Job
from jlt_family.courses.attendance import close_ended_sessions


def close_ended_sessions_job() -> None:
    """Every 10 minutes: enrolled parents who did not check in to an ended session become absent (idempotent)."""
    close_ended_sessions()


JOBS = (Job("courses_close_ended_sessions", close_ended_sessions_job, {"trigger": "interval", "minutes": 10}),)
