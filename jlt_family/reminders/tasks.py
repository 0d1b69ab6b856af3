"""Jobs of reminders: the dispatcher every few seconds, the reaper of expired leases and the homeroom teachers'
weekly visit digest (Monday 08:00 in Shanghai)."""

from jlt_family.core.scheduler import Job
from jlt_family.core.timeutil import utcnow
from jlt_family.reminders import digest, dispatcher


def dispatch_reminders() -> None:
    """Deliver the due reminders (at most ~4 s per tick; the next tick goes on)."""
    dispatcher.drain(max_seconds=4)


def reap_expired_leases() -> None:
    """Return the expired leases of dispatchers that stopped mid-batch (see ``dispatcher.reap``)."""
    dispatcher.reap(utcnow())


def send_visit_digests() -> None:
    """家访周报: each homeroom teacher's students not yet visited this school year (once per teacher and week)."""
    digest.send_weekly_digests(utcnow())


JOBS = (
    Job("reminders_dispatch", dispatch_reminders, {"trigger": "interval", "seconds": 5}),
    Job("reminders_reap", reap_expired_leases, {"trigger": "interval", "seconds": 30}),
    Job(
        "reminders_visit_digest",
        send_visit_digests,
        {"trigger": "cron", "day_of_week": "mon", "hour": 8, "minute": 0, "timezone": "Asia/Shanghai"},
    ),
)
