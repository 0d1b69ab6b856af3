"""Venue staff cancel a whole slot (an unplanned closure): its bookings are cancelled, told and audited."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from jlt_family.venues.models import Booking, BookingStatus, FamilyBookingCounter, Slot
from tests.venues.conftest import API, counters, make_slot


def _cancel(call, slot, user, reason="临时停电闭馆"):
    return call("POST", f"{API}/venue-slots/{slot.id}/cancel", user, json={"reason": reason})


def _group(call, slot, world):
    body = {"class_id": world.class_a.id, "channel": "general", "headcount": 10, "chaperones": 2}
    response = call("POST", f"{API}/venue-slots/{slot.id}/group-bookings", world.teacher_a, json=body)
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_cancelling_a_slot_cancels_its_bookings_and_closes_it(book, call, slot, world, db):
    confirmed = book(slot).json["id"]
    pending = book(slot, user=world.guardian_b, child_ids=[world.child_b.id], channel="general").json["id"]
    group = _group(call, slot, world)
    response = _cancel(call, slot, world.venue_staff)
    assert response.status_code == 200, response.json
    assert response.json["cancelled_booking_ids"] == [confirmed, pending, group]
    assert (response.json["slot"]["status"], response.json["slot"]["bookable"]) == ("closed", False)
    db.session.expire_all()
    bookings = db.session.scalars(sa.select(Booking).order_by(Booking.id)).all()
    assert {(b.status, b.reason, b.decided_by_id) for b in bookings} == {
        (BookingStatus.CANCELLED_BY_VENUE, "临时停电闭馆", world.venue_staff.id)
    }
    assert counters(db, slot.id) == (0, 0)
    assert {c.active for c in db.session.scalars(sa.select(FamilyBookingCounter))} == {0}


def test_each_family_and_teacher_is_told_and_their_reminders_cancelled(book, call, slot, world, sent):
    first = book(slot).json["id"]
    second = book(slot, user=world.guardian_b, child_ids=[world.child_b.id], channel="general").json["id"]
    group = _group(call, slot, world)
    sent["notice"].clear()
    _cancel(call, slot, world.venue_staff)
    notices = {kw["subject_id"]: kw for _, kw in sent["notice"]}
    assert {i: (kw["kind"], kw["user_ids"]) for i, kw in notices.items()} == {
        first: ("venue_booking_cancelled", [world.guardian_a.id]),
        second: ("venue_booking_cancelled", [world.guardian_b.id]),
        group: ("venue_booking_cancelled", [world.teacher_a.id]),
    }
    assert all("临时停电闭馆" in kw["body"] for kw in notices.values())
    assert sorted(kw["subject_id"] for _, kw in sent["cancel"]) == [first, second, group]
    assert {(kw["subject_type"], kw["user_ids"]) for _, kw in sent["cancel"]} == {("venue_booking", None)}


def test_each_cancellation_is_audited_with_the_staff_member_and_reason(book, call, slot, world, db):
    booking_id = book(slot).json["id"]
    _cancel(call, slot, world.venue_staff)
    entries = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()
    assert [(e.action, e.subject_type, e.subject_id, e.actor_user_id) for e in entries] == [
        ("venue_booking_cancelled", "venue_booking", booking_id, world.venue_staff.id),
        ("venue_slot_cancelled", "venue_slot", slot.id, world.venue_staff.id),
    ]
    assert entries[0].detail == {"reason": "临时停电闭馆", "slot_id": slot.id}
    assert entries[1].detail == {"reason": "临时停电闭馆", "bookings": 1}


def test_a_cancelled_slot_takes_no_new_booking_and_keeps_checked_in_ones(book, call, slot, world, db):
    booking_id = book(slot).json["id"]
    db.session.get(Booking, booking_id).status = BookingStatus.CHECKED_IN
    db.session.commit()
    assert _cancel(call, slot, world.venue_staff).json["cancelled_booking_ids"] == []
    assert db.session.get(Booking, booking_id).status == BookingStatus.CHECKED_IN
    late = book(slot, user=world.guardian_b, child_ids=[world.child_b.id])
    assert (late.status_code, late.json["code"]) == (422, "slot_closed")


def test_cancelling_twice_or_after_the_end_is_refused(call, offering, slot, world, db):
    assert _cancel(call, slot, world.venue_staff).status_code == 200
    again = _cancel(call, slot, world.venue_staff)
    assert (again.status_code, again.json["code"]) == (409, "slot_already_closed")
    ended = make_slot(db, offering, starts_in=-dt.timedelta(hours=3))
    db.session.commit()
    response = _cancel(call, ended, world.venue_staff)
    assert (response.status_code, response.json["code"]) == (422, "slot_ended")
    assert db.session.get(Slot, ended.id).status == "open"


def test_only_the_units_staff_cancel_a_slot_and_a_reason_is_needed(book, call, slot, world, db):
    book(slot)
    denied = _cancel(call, slot, world.guardian_a)
    assert (denied.status_code, denied.json["code"]) == (403, "permission_denied")
    no_reason = call("POST", f"{API}/venue-slots/{slot.id}/cancel", world.venue_staff, json={"reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]["json"]
    assert counters(db, slot.id) == (2, 0)
