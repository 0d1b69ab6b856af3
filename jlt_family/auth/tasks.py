"""Housekeeping: expired sessions, idempotency records and rate-limit windows."""

import datetime as dt

from flask import current_app

from jlt_family.auth.service import purge_expired_sessions
from jlt_family.core import idempotency, ratelimit
from jlt_family.core.scheduler import Job
from jlt_family.core.timeutil import utcnow


def housekeeping() -> None:
    """Every 30 minutes: forget ended sessions, expired idempotency records and old rate-limit windows."""
    purge_expired_sessions()
    idempotency.purge_expired(utcnow() - dt.timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"]))
    ratelimit.purge_old()


JOBS = (Job("housekeeping", housekeeping, {"trigger": "interval", "minutes": 30}),)
