"""The venue jobs: pending expiry, green release, no-shows and the green-channel suspension, slot generation."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.venues import jobs, slots
from jlt_family.venues.models import (
    Booking,
    BookingStatus,
    Closure,
    FamilyBookingCounter,
    GreenSuspension,
    OpeningRule,
    Slot,
    SlotStatus,
)
from tests.venues.conftest import API, counters, make_slot


def _status(db, booking_id):
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


def test_pending_bookings_expire_and_the_family_is_told(book, slot, db, sent):
    booking_id = book(slot, channel="general").json["id"]
    assert jobs.expire_pending(utcnow() + dt.timedelta(hours=23)) == 0
    assert jobs.expire_pending(utcnow() + dt.timedelta(hours=25)) == 1
    assert _status(db, booking_id) == BookingStatus.EXPIRED
    assert counters(db, slot.id) == (0, 0)
    assert sent["notice"][-1][1]["kind"] == "venue_booking_expired"
    assert jobs.expire_pending(utcnow() + dt.timedelta(hours=25)) == 0


def test_unused_green_places_go_to_the_general_pool_once(book, offering, db):
    offering.green_release_minutes = 120
    slot = make_slot(db, offering, dt.timedelta(hours=3))
    db.session.commit()
    book(slot)
    assert jobs.release_green(utcnow()) == 0
    assert jobs.release_green(utcnow() + dt.timedelta(hours=1, minutes=5)) == 1
    db.session.expire_all()
    slot = db.session.get(Slot, slot.id)
    assert (slot.green_capacity, slot.green_left, slot.general_left) == (2, 0, 48)
    assert jobs.release_green(utcnow() + dt.timedelta(hours=1, minutes=10)) == 0


def test_a_green_place_freed_after_the_release_goes_to_the_general_pool(book, call, offering, world, db):
    offering.green_release_minutes = 10080
    offering.cancel_closes_minutes = 0
    slot = make_slot(db, offering)
    db.session.commit()
    booking_id = book(slot).json["id"]
    jobs.release_green()
    call("POST", f"{API}/venue-bookings/{booking_id}/cancel", world.guardian_a, json={})
    db.session.expire_all()
    slot = db.session.get(Slot, slot.id)
    assert (slot.green_capacity, slot.green_taken, slot.general_left) == (0, 0, 50)


def _past_confirmed(db, world, offering, days_ago):
    slot = make_slot(db, offering, dt.timedelta(days=-days_ago))
    slot.green_taken = 1
    booking = Booking(
        slot_id=slot.id,
        resource_unit_id=world.venue.id,
        kind="family",
        channel="green",
        family_id=world.family_a.id,
        booked_by_id=world.guardian_a.id,
        headcount=1,
        status=BookingStatus.CONFIRMED,
        code=f"P{slot.id:07d}",
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def test_three_no_shows_suspend_the_green_channel_until_lifted(book, call, offering, slot, world, db, sent):
    for days_ago in (10, 5, 1):
        _past_confirmed(db, world, offering, days_ago)
    db.session.add(FamilyBookingCounter(family_id=world.family_a.id, active=3))
    db.session.commit()
    assert jobs.mark_no_shows() == 3
    assert db.session.get(FamilyBookingCounter, world.family_a.id).active == 0
    status = call("GET", f"{API}/venue-green-channel", world.guardian_a).json
    assert status["suspended"] and "爽约 3 次" in status["reason"]
    assert status["suspended_until"].startswith(str((utcnow() + dt.timedelta(days=30)).astimezone(SHANGHAI).date()))
    assert book(slot).json["code"] == "green_channel_suspended"
    assert sent["notice"][-1][1]["kind"] == "venue_green_suspended"

    suspension = db.session.scalar(sa.select(GreenSuspension))
    lift = f"{API}/venue-green-suspensions/{suspension.id}/lift"
    assert call("POST", lift, world.guardian_a).status_code == 403
    assert call("POST", lift, world.alliance_admin).json["in_force"] is False
    assert call("POST", lift, world.alliance_admin).json["code"] == "suspension_already_lifted"
    assert book(slot).status_code == 201


def test_two_no_shows_do_not_suspend(offering, world, db):
    for days_ago in (3, 2):
        _past_confirmed(db, world, offering, days_ago)
    db.session.commit()
    jobs.mark_no_shows()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GreenSuspension)) == 0


def _saturday_rule(offering, db):
    offering.rules = [OpeningRule(weekday=5, start_time=dt.time(9, 30))]
    db.session.flush()


def test_rules_give_slots_over_the_horizon_without_closures(offering, world, db):
    _saturday_rule(offering, db)
    today = utcnow().astimezone(SHANGHAI).date()
    first_saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    db.session.add(Closure(resource_unit_id=world.venue.id, starts_on=first_saturday, ends_on=first_saturday))
    db.session.flush()
    added = slots.generate_slots(offering, days=30)
    starts = db.session.scalars(sa.select(Slot.starts_at).where(Slot.offering_id == offering.id)).all()
    assert added == len(starts) >= 3
    assert all(
        s.astimezone(SHANGHAI).weekday() == 5 and s.astimezone(SHANGHAI).time() == dt.time(9, 30) for s in starts
    )
    assert first_saturday not in {s.astimezone(SHANGHAI).date() for s in starts}
    assert slots.generate_slots(offering, days=30) == 0


def test_a_deactivated_units_offerings_get_no_new_slots(offering, world, db):
    _saturday_rule(offering, db)
    world.venue.is_active = False
    db.session.commit()
    assert slots.generate_all() == 0
    world.venue.is_active = True
    db.session.commit()
    assert slots.generate_all() >= 3


def test_a_rule_change_never_disturbs_booked_slots(book, call, offering, world, db):
    _saturday_rule(offering, db)
    offering.booking_opens_days = 30
    slots.generate_slots(offering, days=30)
    db.session.commit()
    booked = db.session.scalars(sa.select(Slot).order_by(Slot.starts_at)).first()
    assert book(booked).status_code == 201
    response = call(
        "PUT",
        f"{API}/venue-offerings/{offering.id}/rules",
        world.venue_staff,
        json={"rules": [{"weekday": 6, "start_time": "14:00"}]},
    )
    assert response.status_code == 200, response.json
    db.session.expire_all()
    remaining = db.session.scalars(sa.select(Slot).where(Slot.offering_id == offering.id)).all()
    saturdays = [s for s in remaining if s.starts_at.astimezone(SHANGHAI).weekday() == 5]
    assert [s.id for s in saturdays] == [booked.id]
    assert saturdays[0].green_taken == 2
    assert response.json["slots_added"] >= 3


def test_a_closure_over_a_booked_slot_closes_it_to_new_bookings(book, call, offering, world, db):
    _saturday_rule(offering, db)
    offering.booking_opens_days = 30
    slots.generate_slots(offering, days=30)
    db.session.commit()
    booked = db.session.scalars(sa.select(Slot).order_by(Slot.starts_at)).first()
    booking_id = book(booked).json["id"]
    day = booked.starts_at.astimezone(SHANGHAI).date().isoformat()
    response = call(
        "POST",
        f"{API}/resource-units/{world.venue.id}/venue-closures",
        world.venue_staff,
        json={"starts_on": day, "ends_on": day, "reason": "设备检修", "confirm": True},
    )
    assert response.status_code == 201
    assert response.json["cancelled_booking_ids"] == [booking_id]
    db.session.expire_all()
    assert db.session.get(Slot, booked.id).status == SlotStatus.CLOSED
    assert book(booked, user=world.guardian_b, child_ids=[world.child_b.id]).json["code"] == "slot_closed"


def test_a_release_far_ahead_happens_on_time(offering, db):
    """A 5-day release lead is honoured for a slot 4 days ahead (the job looks as far ahead as the schema allows)."""
    offering.green_release_minutes = 5 * 24 * 60
    slot = make_slot(db, offering, dt.timedelta(days=4))
    db.session.commit()
    assert jobs.release_green(utcnow()) == 1
    db.session.expire_all()
    assert db.session.get(Slot, slot.id).green_capacity == 0


def test_bringing_slots_in_line_with_the_offering_keeps_a_release(offering, db):
    from jlt_family.venues import slots

    offering.green_release_minutes = 1440
    slot = make_slot(db, offering, dt.timedelta(hours=23))
    db.session.commit()
    assert jobs.release_green(utcnow()) == 1
    db.session.expire_all()
    slot, offering = db.session.get(Slot, slot.id), db.session.get(type(offering), offering.id)
    slots._match_offering(slot, offering)  # what slot generation does to unbooked future slots
    assert (slot.green_capacity, slot.general_left) == (0, 50)
