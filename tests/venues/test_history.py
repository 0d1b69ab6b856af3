"""A booking's history (预约的状态记录): every change of its status, who made it, from and to, and why."""

import datetime as dt

from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.organizations.models import StaffRole
from jlt_family.venues import jobs
from tests.venues.conftest import API, make_offering, make_slot


def _history(call, booking_id, user):
    return call("GET", f"{API}/venue-bookings/{booking_id}/history", user)


def _moves(rows):
    return [(row["actor_id"], row["from_state"], row["to_state"], row["reason"]) for row in rows]


def test_a_booking_created_confirmed_and_checked_in_shows_three_rows_oldest_first(book, call, world, db):
    offering = make_offering(db, world.venue, booking_closes_minutes=10)  # bookable half an hour ahead, door open
    slot = make_slot(db, offering, starts_in=dt.timedelta(minutes=30))
    db.session.commit()
    booking = book(slot, channel="general").json
    assert booking["status"] == "pending"
    assert call("POST", f"{API}/venue-bookings/{booking['id']}/confirm", world.venue_staff).status_code == 200
    code = call("GET", f"{API}/venue-bookings/{booking['id']}", world.guardian_a).json["code"]
    door = f"{API}/resource-units/{world.venue.id}/venue-check-in"
    check_in = call("POST", door, world.venue_staff, json={"code": code})
    assert check_in.status_code == 200, check_in.json
    response = _history(call, booking["id"], world.venue_staff)
    assert response.status_code == 200
    assert _moves(response.json["items"]) == [
        (world.guardian_a.id, None, "pending", None),
        (world.venue_staff.id, "pending", "confirmed", None),
        (world.venue_staff.id, "confirmed", "checked_in", None),
    ]
    assert all(row["created_at"].endswith("+08:00") for row in response.json["items"])
    assert _history(call, booking["id"], world.guardian_a).json == response.json  # the family reads it too


def test_a_closures_cancellation_shows_the_closures_reason_and_the_staff_member(book, call, slot, world):
    booking_id = book(slot).json["id"]  # green: confirmed at once
    day = slot.starts_at.astimezone(SHANGHAI).date().isoformat()
    body = {"starts_on": day, "ends_on": day, "reason": "设备检修", "confirm": True}
    closure = call("POST", f"{API}/resource-units/{world.venue.id}/venue-closures", world.venue_staff, json=body)
    assert closure.status_code == 201, closure.json
    rows = _history(call, booking_id, world.venue_staff).json["items"]
    assert _moves(rows) == [
        (world.guardian_a.id, None, "confirmed", None),
        (world.venue_staff.id, "confirmed", "cancelled_by_venue", "设备检修"),
    ]


def test_a_rejection_and_a_family_cancellation_carry_their_reasons(book, call, slot, world):
    rejected = book(slot, channel="general").json["id"]
    call("POST", f"{API}/venue-bookings/{rejected}/reject", world.venue_staff, json={"reason": "已满"})
    cancelled = book(slot, user=world.guardian_b, child_ids=[world.child_b.id], channel="general").json["id"]
    call("POST", f"{API}/venue-bookings/{cancelled}/cancel", world.guardian_b, json={"reason": "临时有事"})
    assert _moves(_history(call, rejected, world.venue_staff).json["items"])[1:] == [
        (world.venue_staff.id, "pending", "rejected", "已满")
    ]
    assert _moves(_history(call, cancelled, world.venue_staff).json["items"])[1:] == [
        (world.guardian_b.id, "pending", "cancelled", "临时有事")
    ]


def test_an_expiry_by_the_job_has_no_actor(book, call, slot, world):
    booking_id = book(slot, channel="general").json["id"]
    assert jobs.expire_pending(utcnow() + dt.timedelta(hours=25)) == 1
    last = _history(call, booking_id, world.guardian_a).json["items"][-1]
    assert (last["actor_id"], last["from_state"], last["to_state"]) == (None, "pending", "expired")
    assert last["reason"] == jobs.EXPIRED_REASON


def test_a_no_show_marked_by_the_job_has_no_actor(book, call, offering, world, db):
    slot = make_slot(db, offering, starts_in=dt.timedelta(hours=2))
    db.session.commit()
    booking_id = book(slot).json["id"]
    assert jobs.mark_no_shows(utcnow() + dt.timedelta(hours=4)) == 1
    last = _history(call, booking_id, world.venue_staff).json["items"][-1]
    assert (last["actor_id"], last["from_state"], last["to_state"]) == (None, "confirmed", "no_show")


def test_another_family_and_staff_of_another_unit_get_404(book, call, slot, make, world, db):
    other_staff = make.user()
    make.grant(other_staff, StaffRole.VENUE_STAFF, make.resource_unit(region=world.county))
    db.session.commit()
    booking_id = book(slot).json["id"]
    for user in (world.guardian_b, other_staff):
        response = _history(call, booking_id, user)
        assert (response.status_code, response.json["code"]) == (404, "booking_not_found")
