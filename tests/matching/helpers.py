"""Factories of matching, shared by the matching tests and the permission-matrix rows."""

import datetime as dt
import itertools

from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.matching.models import Need, NeedStatus, NeedTopic
from jlt_family.venues.models import Offering, OfferingKind, Slot

API = "/api/v1"
_seconds = itertools.count(1)


def today():
    return utcnow().astimezone(SHANGHAI).date()


def offering(db, unit, **kw):
    values = {
        "title": "展厅参观",
        "kind": OfferingKind.EXHIBITION,
        "duration_minutes": 90,
        "capacity": 60,
        "green_quota": 20,
        "booking_opens_days": 30,
        "booking_closes_minutes": 60,
    }
    obj = Offering(resource_unit_id=unit.id, **{**values, **kw})
    db.session.add(obj)
    db.session.flush()
    return obj


def slot(db, offering_, days=3, **kw):
    start = (utcnow() + dt.timedelta(days=days)).replace(microsecond=0) + dt.timedelta(seconds=next(_seconds))
    values = {
        "capacity": offering_.capacity,
        "green_capacity": offering_.green_quota,
        "green_taken": 0,
        "general_taken": 0,
    }
    obj = Slot(offering_id=offering_.id, starts_at=start, ends_at=start + dt.timedelta(minutes=90), **{**values, **kw})
    db.session.add(obj)
    db.session.flush()
    return obj


def need(db, school, posted_by, **kw):
    values = {
        "topic": NeedTopic.SCIENCE,
        "title": "五年级科学教育",
        "grade_min": 3,
        "grade_max": 5,
        "headcount": 40,
        "starts_on": today(),
        "ends_on": today() + dt.timedelta(days=60),
        "status": NeedStatus.OPEN,
    }
    obj = Need(school_id=school.id, posted_by_id=posted_by.id, **{**values, **kw})
    db.session.add(obj)
    db.session.flush()
    return obj


def need_body(**kw):
    body = {
        "topic": "science",
        "grade_min": 3,
        "grade_max": 5,
        "headcount": 40,
        "starts_on": today().isoformat(),
        "ends_on": (today() + dt.timedelta(days=60)).isoformat(),
        "note": "希望参观航天展区",
    }
    return {**body, **kw}
