"""Housekeeping: expired sessions, idempotency records and rate-limit windows."""

import datetime as dt

from flask import current_app

from jlt_family.core import idempotency, ratelimit
from jlt_family.core.scheduler import job
from jlt_family.core.timeutil import utcnow


@job("housekeeping", trigger="interval", minutes=30)
def housekeeping():
    from jlt_family.auth.service import purge_expired_sessions

    purge_expired_sessions()
    idempotency.purge_expired(utcnow() - dt.timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"]))
    ratelimit.purge_old()
