"""Jobs of reminders: the dispatcher every few seconds and the reaper of expired leases."""

from jlt_family.core.scheduler import job
from jlt_family.core.timeutil import utcnow
from jlt_family.reminders import dispatcher


@job("reminders_dispatch", trigger="interval", seconds=5)
def dispatch_reminders():
    """Deliver the due reminders (at most ~4 s per tick; the next tick goes on)."""
    dispatcher.drain(max_seconds=4)


@job("reminders_reap", trigger="interval", seconds=30)
def reap_expired_leases():
    dispatcher.reap(utcnow())
