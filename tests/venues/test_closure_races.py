"""A closure racing parents who book its day, with real threads, on the SQLite file and on MariaDB: every booking
is either refused (``slot_closed``) or cancelled by the closure; nothing holds a place of a closed day."""

import datetime as dt
from collections import Counter

import sqlalchemy as sa

from jlt_family.core.timeutil import SHANGHAI
from jlt_family.venues.models import Booking, BookingStatus, Closure, SlotStatus
from tests.races import race
from tests.venues.conftest import API, make_offering, make_slot
from tests.venues.test_races import _parents, assert_counters_match_rows, assert_family_counters_match_rows


def test_bookings_racing_a_closure_are_refused_or_cancelled_by_it(app, make, world, db):
    offering = make_offering(db, world.venue, capacity=60, green_quota=30, needs_confirmation=False)
    morning = make_slot(db, offering, starts_in=dt.timedelta(days=1))
    later = make_slot(db, offering, starts_in=dt.timedelta(days=1, minutes=5))
    db.session.commit()
    day = morning.starts_at.astimezone(SHANGHAI).date()
    if later.starts_at.astimezone(SHANGHAI).date() != day:  # 5 minutes before midnight: keep both on one day
        later = make_slot(db, offering, starts_in=dt.timedelta(days=1, minutes=-5))
        db.session.commit()
    slot_ids = (morning.id, later.id)
    parents = _parents(make, world, db, 31, world.class_a)
    books = [
        (
            headers,
            "POST",
            f"{API}/venue-slots/{slot_ids[i % 2]}/bookings",
            {"channel": "green" if i % 3 else "general", "child_ids": [child_id], "adults": 0},
        )
        for i, (headers, child_id) in enumerate(parents)
    ]
    for early in race(app, books[:2]):  # one booking in each slot before: the slots stay, closed, with their rows
        assert early == (201, None)
    closure = (
        make.login(world.venue_staff),
        "POST",
        f"{API}/resource-units/{world.venue.id}/venue-closures",
        {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "设备检修", "confirm": True},
    )
    calls = books[2:16] + [closure] + books[16:]
    results = race(app, calls)

    assert results[14] == (201, None)
    booked = results[:14] + results[15:]
    assert set(booked) <= {(201, None), (422, "slot_closed")}
    statuses = Counter(db.session.scalars(sa.select(Booking.status)))
    assert set(statuses) == {BookingStatus.CANCELLED_BY_VENUE}
    assert statuses[BookingStatus.CANCELLED_BY_VENUE] == 2 + Counter(booked)[(201, None)]
    closure_id = db.session.scalar(sa.select(Closure.id))
    assert set(db.session.scalars(sa.select(Booking.closure_id))) <= {closure_id}
    for slot_id in slot_ids:
        slot = assert_counters_match_rows(db, slot_id)
        assert (slot.status, slot.green_taken, slot.general_taken) == (SlotStatus.CLOSED, 0, 0)
    assert_family_counters_match_rows(db)
