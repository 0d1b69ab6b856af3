"""APScheduler 3.x: it only ticks. Each domain's ``tasks.py`` lists its jobs in ``JOBS``; the app factory
registers them (``register_jobs``), and ``build_scheduler`` adds what the app registered.

In production the scheduler runs as its own process (``flask --app app scheduler``); in development
``python app.py`` runs it in-process. Its job store is in memory and never shared between processes; the
jobs themselves are safe to run from several processes at once (they claim rows in the database).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app

from jlt_family.core.extensions import db

log = logging.getLogger(__name__)

_EXTENSION = "jlt_family.jobs"


@dataclass(frozen=True)
class Job:
    """定时任务: a module-level function and its APScheduler trigger (``{"trigger": "interval", "minutes": 30}``)."""

    id: str
    func: Callable[[], object]
    trigger: Mapping[str, Any]


def register_jobs(app: Flask, jobs: Iterable[Job]) -> None:
    """Register the jobs of the app (the factory passes every domain's ``JOBS``); each id once."""
    registered: dict[str, Job] = app.extensions.setdefault(_EXTENSION, {})
    for job in jobs:
        if job.id in registered:
            raise ValueError(f"two jobs with the id {job.id!r}")
        registered[job.id] = job


def registered_jobs(app: Flask | None = None) -> dict[str, tuple[Callable[[], object], dict[str, Any]]]:
    """``{job id: (func, trigger)}`` of the jobs registered on ``app`` (default: the current app)."""
    jobs: dict[str, Job] = (app or current_app).extensions.get(_EXTENSION, {})
    return {job.id: (job.func, dict(job.trigger)) for job in jobs.values()}


def _in_app_context(app: Flask, job_id: str, func: Callable[[], object]) -> Callable[[], None]:
    @functools.wraps(func)
    def run() -> None:
        with app.app_context():
            try:
                func()
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("scheduled job %s failed", job_id)

    return run


def build_scheduler(app: Flask, *, blocking: bool) -> BlockingScheduler:
    """The scheduler with every job registered on ``app`` (blocking: the ``flask scheduler`` process)."""
    # APScheduler logs every run at INFO (the dispatcher runs every few seconds); keep its warnings and errors.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for job_id, (func, trigger) in registered_jobs(app).items():
        scheduler.add_job(_in_app_context(app, job_id, func), id=job_id, replace_existing=True, **trigger)
    return scheduler
