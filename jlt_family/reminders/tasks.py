"""Jobs of reminders: the dispatcher every few seconds, the reaper of expired leases and the homeroom teachers'
weekly visit digest (Monday 08:00 in Shanghai)."""

from jlt_family.core.scheduler import job
from jlt_family.core.timeutil import utcnow
from jlt_family.reminders import digest, dispatcher


@job("reminders_dispatch", trigger="interval", seconds=5)
def dispatch_reminders():
    """Deliver the due reminders (at most ~4 s per tick; the next tick goes on)."""
    dispatcher.drain(max_seconds=4)


@job("reminders_reap", trigger="interval", seconds=30)
def reap_expired_leases():
    dispatcher.reap(utcnow())


@job("reminders_visit_digest", trigger="cron", day_of_week="mon", hour=8, minute=0, timezone="Asia/Shanghai")
def send_visit_digests():
    """家访周报: each homeroom teacher's students not yet visited this school year (once per teacher and week)."""
    digest.send_weekly_digests(utcnow())
