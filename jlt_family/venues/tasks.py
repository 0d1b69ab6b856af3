"""Scheduled venue jobs: the rolling slot horizon, pending expiry, green release and no-shows."""

from jlt_family.core.scheduler import Job
from jlt_family.venues import jobs, slots


def generate_slots() -> None:
    slots.generate_all()


def expire_pending() -> None:
    jobs.expire_pending()


def release_green() -> None:
    jobs.release_green()


def mark_no_shows() -> None:
    jobs.mark_no_shows()


JOBS = (
    Job("venues.generate_slots", generate_slots, {"trigger": "cron", "hour": 2, "minute": 10}),
    Job("venues.expire_pending", expire_pending, {"trigger": "interval", "minutes": 5}),
    Job("venues.release_green", release_green, {"trigger": "interval", "minutes": 5}),
    Job("venues.mark_no_shows", mark_no_shows, {"trigger": "interval", "minutes": 15}),
)
