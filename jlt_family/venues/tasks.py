"""Scheduled venue jobs: the rolling slot horizon, pending expiry, green release and no-shows."""

from jlt_family.core.scheduler import job
from jlt_family.venues import jobs, slots


@job("venues.generate_slots", trigger="cron", hour=2, minute=10)
def generate_slots() -> None:
    slots.generate_all()


@job("venues.expire_pending", trigger="interval", minutes=5)
def expire_pending() -> None:
    jobs.expire_pending()


@job("venues.release_green", trigger="interval", minutes=5)
def release_green() -> None:
    jobs.release_green()


@job("venues.mark_no_shows", trigger="interval", minutes=15)
def mark_no_shows() -> None:
    jobs.mark_no_shows()
