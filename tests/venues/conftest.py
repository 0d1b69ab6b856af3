"""Fixtures of the venue tests: an offering of the world's venue with a bookable slot tomorrow, events caught."""

import datetime as dt

import pytest

from jlt_family.core import events
from jlt_family.core.timeutil import utcnow
from jlt_family.venues.models import Offering, OfferingKind, Slot

API = "/api/v1"


def make_offering(db, unit, **kw):
    values = {
        "title": "展厅参观",
        "kind": OfferingKind.EXHIBITION,
        "duration_minutes": 90,
        "capacity": 50,
        "green_quota": 20,
        "max_party": 5,
        "booking_opens_days": 14,
        "booking_closes_minutes": 60,
        "cancel_closes_minutes": 120,
        "needs_confirmation": True,
        "green_auto_confirm": True,
    }
    offering = Offering(resource_unit_id=unit.id, **{**values, **kw})
    db.session.add(offering)
    db.session.flush()
    return offering


def make_slot(db, offering, starts_in=dt.timedelta(days=1), capacity=None, green=None):
    start = (utcnow() + starts_in).replace(microsecond=0)
    slot = Slot(
        offering_id=offering.id,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        capacity=capacity or offering.capacity,
        green_capacity=offering.green_quota if green is None else green,
        green_taken=0,
        general_taken=0,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


@pytest.fixture
def offering(db, world):
    offering = make_offering(db, world.venue)
    db.session.commit()
    return offering


@pytest.fixture
def slot(db, offering):
    slot = make_slot(db, offering)
    db.session.commit()
    return slot


@pytest.fixture
def sent(db):
    """Domain events sent during the test: ``sent["notice"]`` ... each a list of (sender, kwargs)."""
    caught = {"schedule": [], "cancel": [], "notice": []}
    receivers = {
        "schedule": lambda sender, **kw: caught["schedule"].append((sender, kw)),
        "cancel": lambda sender, **kw: caught["cancel"].append((sender, kw)),
        "notice": lambda sender, **kw: caught["notice"].append((sender, kw)),
    }
    events.schedule_reminders.connect(receivers["schedule"])
    events.cancel_reminders.connect(receivers["cancel"])
    events.send_notice.connect(receivers["notice"])
    yield caught
    events.schedule_reminders.disconnect(receivers["schedule"])
    events.cancel_reminders.disconnect(receivers["cancel"])
    events.send_notice.disconnect(receivers["notice"])


def family_body(world, channel="green", adults=1, child=None):
    return {"channel": channel, "child_ids": [(child or world.child_a).id], "adults": adults}


@pytest.fixture
def book(call, world):
    """``book(slot, user=guardian_a, **body)``: POST a family booking."""

    def _book(slot, user=None, headers=None, **body):
        payload = {**family_body(world), **body}
        return call(
            "POST",
            f"{API}/venue-slots/{slot.id}/bookings",
            user or world.guardian_a,
            json=payload,
            headers=headers or {},
        )

    return _book


def counters(db, slot_id):
    db.session.expire_all()
    slot = db.session.get(Slot, slot_id)
    return slot.green_taken, slot.general_taken


@pytest.fixture
def utc_in():
    """``utc_in(days)``: an aware UTC instant ``days`` from now."""
    return lambda days: utcnow() + dt.timedelta(days=days)
