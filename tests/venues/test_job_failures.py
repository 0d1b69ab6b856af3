"""The venue jobs work on each booking (or family) on its own: one failure is rolled back and logged, the rest go on."""

import datetime as dt
import logging

import pytest
import sqlalchemy as sa

from jlt_family.core import events
from jlt_family.core.timeutil import utcnow
from jlt_family.venues import jobs
from jlt_family.venues.models import Booking, BookingStatus, FamilyBookingCounter, GreenSuspension
from tests.venues.conftest import counters, make_slot


@pytest.fixture
def failing_notice():
    """``failing_notice(kind, subject_id)``: a receiver of send_notice that raises for that one notice."""
    receivers = []

    def _fail(kind, subject_id):
        def receiver(sender, **kw):
            if kw["kind"] == kind and kw["subject_id"] == subject_id:
                raise RuntimeError("the notice could not be written")

        events.send_notice.connect(receiver)
        receivers.append(receiver)

    yield _fail
    for receiver in receivers:
        events.send_notice.disconnect(receiver)


def _status(db, booking_id):
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


def _job_errors(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "jlt_family.venues.jobs" and r.levelno == logging.ERROR]


def test_a_failing_expiry_is_rolled_back_and_logged_and_the_others_expire(
    book, slot, world, db, failing_notice, caplog
):
    first = book(slot, channel="general").json["id"]
    second = book(slot, channel="general", user=world.guardian_b, child_ids=[world.child_b.id]).json["id"]
    failing_notice("venue_booking_expired", first)
    later = utcnow() + dt.timedelta(hours=25)
    assert jobs.expire_pending(later) == 1
    assert (_status(db, first), _status(db, second)) == (BookingStatus.PENDING, BookingStatus.EXPIRED)
    assert counters(db, slot.id) == (0, 2)
    assert _job_errors(caplog) == [f"venue job expire_pending: booking {first} failed; rolled back, the others go on"]
    assert caplog.records[-1].exc_info[0] is RuntimeError


def _past_confirmed(db, world, offering, family, user, days_ago):
    slot = make_slot(db, offering, dt.timedelta(days=-days_ago))
    slot.green_taken = 1
    booking = Booking(
        slot_id=slot.id,
        resource_unit_id=world.venue.id,
        kind="family",
        channel="green",
        family_id=family.id,
        booked_by_id=user.id,
        headcount=1,
        status=BookingStatus.CONFIRMED,
        code=f"F{slot.id:07d}",
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def test_a_failing_no_show_does_not_stop_the_others(offering, world, db, caplog):
    broken = _past_confirmed(db, world, offering, world.family_a, world.guardian_a, 2)
    fine = _past_confirmed(db, world, offering, world.family_b, world.guardian_b, 1)
    db.session.add(FamilyBookingCounter(family_id=world.family_a.id, active=0))  # drifted: the decrement fails
    db.session.commit()
    assert jobs.mark_no_shows() == 1
    assert (_status(db, broken.id), _status(db, fine.id)) == (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)
    assert _job_errors(caplog) == [
        f"venue job mark_no_shows: booking {broken.id} failed; rolled back, the others go on"
    ]


def test_a_failing_suspension_does_not_stop_the_other_families(offering, world, db, failing_notice, caplog):
    for family, user in ((world.family_a, world.guardian_a), (world.family_b, world.guardian_b)):
        for days_ago in (3, 2, 1):  # the last slot ended 22.5 hours ago: the policy is re-checked for a day
            _past_confirmed(db, world, offering, family, user, days_ago + (family == world.family_b) * 0.1)
    db.session.commit()

    def fail_for_family_a(sender, **kw):
        if kw["kind"] == "venue_green_suspended" and sender.family_id == world.family_a.id:
            raise RuntimeError("the notice could not be written")

    events.send_notice.connect(fail_for_family_a)
    try:
        assert jobs.mark_no_shows() == 6
    finally:
        events.send_notice.disconnect(fail_for_family_a)
    suspended = set(db.session.scalars(sa.select(GreenSuspension.family_id)))
    assert suspended == {world.family_b.id}
    assert _job_errors(caplog) == [
        f"venue job apply_no_show_policy: family {world.family_a.id} failed; rolled back, the others go on"
    ]
    jobs.mark_no_shows()  # the next run suspends the family the failure left out
    assert set(db.session.scalars(sa.select(GreenSuspension.family_id))) == {world.family_a.id, world.family_b.id}
