"""Races on MariaDB and on the SQLite file: places taken and given back under real concurrency keep every counter
equal to its rows."""

import datetime as dt
import threading
from collections import Counter

import sqlalchemy as sa

from jlt_family.core.extensions import db as _db
from jlt_family.venues import jobs
from jlt_family.venues.models import (
    HOLDING,
    Booking,
    BookingKind,
    BookingStatus,
    Channel,
    FamilyBookingCounter,
    Slot,
)
from jlt_family.venues.service import sync_family_counter
from tests.races import race
from tests.venues.conftest import API, make_offering, make_slot


def assert_counters_match_rows(db, slot_id):
    db.session.expire_all()
    slot = db.session.get(Slot, slot_id)
    held = dict(
        db.session.execute(
            sa.select(Booking.channel, sa.func.coalesce(sa.func.sum(Booking.headcount), 0))
            .where(Booking.slot_id == slot_id, Booking.status.in_(HOLDING))
            .group_by(Booking.channel)
        ).all()
    )
    assert slot.green_taken == held.get(Channel.GREEN, 0)
    assert slot.general_taken == held.get(Channel.GENERAL, 0)
    assert slot.green_taken <= slot.green_capacity
    assert slot.general_taken + slot.green_capacity <= slot.capacity
    return slot


def assert_family_counters_match_rows(db):
    counted = dict(db.session.execute(sa.select(FamilyBookingCounter.family_id, FamilyBookingCounter.active)).all())
    held = dict(
        db.session.execute(
            sa.select(Booking.family_id, sa.func.count()).where(Booking.status.in_(HOLDING)).group_by(Booking.family_id)
        ).all()
    )
    assert {f: n for f, n in counted.items() if n} == held


def _parents(make, world, db, n, school_class):
    """``n`` signed-in guardians, each with one child in ``school_class``: (headers, child id)."""
    out = []
    for _ in range(n):
        family = make.family()
        user = make.user()
        make.guardian(family=family, user=user)
        child = make.student(school_class, family)
        out.append((user, child.id))
    db.session.commit()
    return [(make.login(user), child_id) for user, child_id in out]


def test_300_parents_racing_for_20_green_and_30_general_places(app, make, world, db):
    offering = make_offering(db, world.venue, capacity=50, green_quota=20, needs_confirmation=False)
    slot = make_slot(db, offering)
    db.session.commit()
    eligible = _parents(make, world, db, 150, world.class_a)
    outsiders = _parents(make, world, db, 150, make.school_class(school=make.school()))
    url = f"{API}/venue-slots/{slot.id}/bookings"
    calls = []
    for i, (headers, child_id) in enumerate(eligible + outsiders):
        channel = "general" if i % 3 == 0 else "green"
        calls.append((headers, "POST", url, {"channel": channel, "child_ids": [child_id], "adults": 0}))
    results = race(app, calls)

    by_channel = Counter((call[3]["channel"], result) for call, result in zip(calls, results, strict=True))
    assert by_channel[("green", (201, None))] == 20
    assert by_channel[("general", (201, None))] == 30
    assert set(results) <= {(201, None), (409, "green_full"), (409, "general_full"), (422, "not_green_eligible")}
    green_families = set(db.session.scalars(sa.select(Booking.family_id).where(Booking.channel == Channel.GREEN)))
    outsider_children = {child_id for _, child_id in outsiders}
    green_children = set(
        db.session.scalars(
            sa.text(
                "SELECT student_id FROM venue_booking_child c JOIN venue_booking b ON b.id = c.booking_id "
                "WHERE b.channel = 'green'"
            )
        )
    )
    assert len(green_families) == 20
    assert not green_children & outsider_children
    slot = assert_counters_match_rows(db, slot.id)
    assert (slot.green_taken, slot.general_taken) == (20, 30)
    assert_family_counters_match_rows(db)


def test_retries_with_one_idempotency_key_book_once(app, make, world, db):
    offering = make_offering(db, world.venue)
    slot = make_slot(db, offering)
    db.session.commit()
    headers = {**make.login(world.guardian_a), "Idempotency-Key": "venue-race-key-01"}
    body = {"channel": "green", "child_ids": [world.child_a.id], "adults": 1}
    results = race(app, [(headers, "POST", f"{API}/venue-slots/{slot.id}/bookings", body)] * 8)
    assert {status for status, _ in results} == {201}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1
    assert_counters_match_rows(db, slot.id)


def test_one_family_racing_for_many_slots_keeps_its_limit(app, make, world, db):
    offering = make_offering(db, world.venue)
    slots = [make_slot(db, offering, dt.timedelta(days=1, minutes=i)) for i in range(8)]
    db.session.commit()
    headers = make.login(world.guardian_a)
    body = {"channel": "general", "child_ids": [world.child_a.id], "adults": 0}
    results = race(app, [(headers, "POST", f"{API}/venue-slots/{s.id}/bookings", body) for s in slots])
    assert Counter(results) == {(201, None): 3, (409, "too_many_active_bookings"): 5}
    assert_family_counters_match_rows(db)


def _pending_bookings(db, world, slot, n_per_channel):
    """Pending bookings of distinct families, with the slot's counters taken for them."""
    from tests.factories import Factory

    make = Factory(db)
    bookings = []
    for i in range(2 * n_per_channel):
        channel = Channel.GREEN if i % 2 else Channel.GENERAL
        family = make.family()
        user = make.user()
        make.guardian(family=family, user=user)
        booking = Booking(
            slot_id=slot.id,
            resource_unit_id=world.venue.id,
            kind=BookingKind.FAMILY,
            channel=channel,
            family_id=family.id,
            booked_by_id=user.id,
            adults=0,
            headcount=1,
            status=BookingStatus.PENDING,
            code=f"R{i:07d}",
            expires_at=slot.starts_at - dt.timedelta(days=2),
        )
        db.session.add(booking)
        bookings.append((user, booking))
        if channel == Channel.GREEN:
            slot.green_taken += 1
        else:
            slot.general_taken += 1
    db.session.flush()
    for _, booking in bookings:
        sync_family_counter(booking.family_id)
    db.session.commit()
    return bookings


def _run_job(app, barrier, func, errors):
    def run():
        with app.app_context():
            barrier.wait()
            try:
                func()
                _db.session.commit()
            except Exception as exc:  # noqa: BLE001 (reported by the test)
                errors.append(repr(exc))

    return run


def test_confirmations_cancellations_expiries_and_releases_keep_counters_equal_to_rows(app, make, world, db):
    offering = make_offering(
        db, world.venue, capacity=60, green_quota=30, green_release_minutes=10080, cancel_closes_minutes=0
    )
    slot = make_slot(db, offering)
    bookings = _pending_bookings(db, world, slot, 15)
    staff = make.login(world.venue_staff)
    calls = []
    for user, booking in bookings:
        calls.append((staff, "POST", f"{API}/venue-bookings/{booking.id}/confirm", None))
        calls.append((make.login(user), "POST", f"{API}/venue-bookings/{booking.id}/cancel", {}))
    barrier, errors = threading.Barrier(4), []
    job_threads = [
        threading.Thread(target=_run_job(app, barrier, f, errors))
        for f in (jobs.expire_pending, jobs.expire_pending, jobs.release_green, jobs.release_green)
    ]
    for thread in job_threads:
        thread.start()
    results = race(app, calls)
    for thread in job_threads:
        thread.join(timeout=60)
    db.session.rollback()

    assert errors == []
    assert set(results) <= {(200, None), (409, "booking_already_decided"), (409, "booking_not_cancellable")}
    slot = assert_counters_match_rows(db, slot.id)
    assert slot.green_released_at is not None
    statuses = Counter(db.session.scalars(sa.select(Booking.status)))
    assert sum(statuses.values()) == 30
    assert set(statuses) <= {BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED}
    assert_family_counters_match_rows(db)


def test_cancelling_a_slot_while_staff_confirm_and_parents_book_leaves_nothing_holding(app, make, world, db):
    offering = make_offering(db, world.venue, capacity=60, green_quota=30, needs_confirmation=False)
    slot = make_slot(db, offering)
    pending = _pending_bookings(db, world, slot, 5)
    parents = _parents(make, world, db, 19, world.class_a)
    staff = make.login(world.venue_staff)
    confirms = [(staff, "POST", f"{API}/venue-bookings/{booking.id}/confirm", None) for _, booking in pending]
    books = [
        (
            headers,
            "POST",
            f"{API}/venue-slots/{slot.id}/bookings",
            {"channel": "green" if i % 2 else "general", "child_ids": [child_id], "adults": 0},
        )
        for i, (headers, child_id) in enumerate(parents)
    ]
    cancel = (staff, "POST", f"{API}/venue-slots/{slot.id}/cancel", {"reason": "临时停电闭馆"})
    calls = confirms[:5] + books[:10] + [cancel] + confirms[5:] + books[10:]
    results = race(app, calls)

    assert results[15] == (200, None)
    assert set(results[:5] + results[16:21]) <= {(200, None), (409, "booking_already_decided")}
    assert set(results[5:15] + results[21:]) <= {(201, None), (422, "slot_closed")}
    slot = assert_counters_match_rows(db, slot.id)
    assert (slot.status, slot.green_taken, slot.general_taken) == ("closed", 0, 0)
    statuses = Counter(db.session.scalars(sa.select(Booking.status)))
    assert set(statuses) == {BookingStatus.CANCELLED_BY_VENUE}
    assert statuses[BookingStatus.CANCELLED_BY_VENUE] == 10 + Counter(results)[(201, None)]
    assert_family_counters_match_rows(db)
