"""APScheduler 3.x: it only ticks. Jobs are registered by each domain's ``tasks.py`` with ``@job``.

In production the scheduler runs as its own process (``flask --app app scheduler``); in development
``python app.py`` runs it in-process. Its job store is in memory and never shared between processes; the
jobs themselves are safe to run from several processes at once (they claim rows in the database).
"""

import functools
import logging
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger(__name__)

_JOBS: dict[str, Any] = {}

# Modules whose import registers jobs (a domain without a tasks.py has no jobs).
TASK_MODULES = (
    "jlt_family.auth.tasks",
    "jlt_family.courses.tasks",
    "jlt_family.visits.tasks",
    "jlt_family.venues.tasks",
    "jlt_family.reminders.tasks",
)


def job(job_id, **trigger):
    """Register ``func`` as a scheduled job: ``@job("housekeeping", trigger="interval", minutes=30)``."""

    def decorator(func):
        _JOBS[job_id] = (func, trigger)
        return func

    return decorator


def registered_jobs():
    import importlib
    import importlib.util

    for name in TASK_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return dict(_JOBS)


def _in_app_context(app, job_id, func):
    @functools.wraps(func)
    def run():
        from jlt_family.core.extensions import db

        with app.app_context():
            try:
                func()
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("scheduled job %s failed", job_id)

    return run


def build_scheduler(app, *, blocking):
    # APScheduler logs every run at INFO (the dispatcher runs every few seconds); keep its warnings and errors.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for job_id, (func, trigger) in registered_jobs().items():
        scheduler.add_job(_in_app_context(app, job_id, func), id=job_id, replace_existing=True, **trigger)
    return scheduler
