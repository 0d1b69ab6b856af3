"""Venue staff: the booking list with masked names, decisions, cancellations and check-in at the door."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from jlt_family.organizations.models import StaffRole
from tests.venues.conftest import API, counters, make_slot


def _unit_path(world, tail=""):
    return f"{API}/resource-units/{world.venue.id}/venue-bookings{tail}"


def _pending(book, slot, world, **kw):
    response = book(slot, channel="general", **kw)
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_staff_see_masked_names_party_size_and_code_only(book, call, slot, world):
    book(slot, adults=1)
    items = call("GET", _unit_path(world), world.venue_staff).json["items"]
    assert len(items) == 1
    assert items[0]["names"][0] == "张*明"
    assert items[0]["headcount"] == 2
    assert "children" not in items[0] and "family_id" not in items[0]


def test_staff_of_another_unit_see_nothing(book, call, slot, make, world, db):
    other_unit = make.resource_unit(region=world.county)
    other_staff = make.user()
    make.grant(other_staff, StaffRole.VENUE_STAFF, other_unit)
    db.session.commit()
    booking_id = book(slot).json["id"]
    assert call("GET", _unit_path(world), other_staff).status_code == 404
    assert call("POST", f"{API}/venue-bookings/{booking_id}/confirm", other_staff).status_code == 404
    check_in = call("POST", f"{API}/resource-units/{other_unit.id}/venue-check-in", other_staff, json={"code": "X"})
    assert (check_in.status_code, check_in.json["code"]) == (404, "booking_code_invalid")


def test_confirming_twice_answers_409_and_is_audited_once(book, call, slot, world, db, sent):
    booking_id = _pending(book, slot, world)
    first = call("POST", f"{API}/venue-bookings/{booking_id}/confirm", world.venue_staff)
    second = call("POST", f"{API}/venue-bookings/{booking_id}/confirm", world.venue_staff)
    assert first.json["status"] == "confirmed"
    assert (second.status_code, second.json["code"]) == (409, "booking_already_decided")
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.actor_user_id == world.venue_staff.id))
    assert list(actions) == ["venue_booking_confirmed"]
    assert [kw["kind"] for _, kw in sent["notice"]] == ["venue_booking_confirmed"]
    assert sent["schedule"][0][1]["user_ids"] == [world.guardian_a.id]


def test_rejecting_gives_the_places_back_and_tells_the_family(book, call, slot, world, db, sent):
    booking_id = _pending(book, slot, world, adults=2)
    assert counters(db, slot.id) == (0, 3)
    response = call("POST", f"{API}/venue-bookings/{booking_id}/reject", world.venue_staff, json={"reason": "已满"})
    assert response.json["status"] == "rejected"
    assert counters(db, slot.id) == (0, 0)
    assert sent["notice"][-1][1]["kind"] == "venue_booking_rejected"


def test_bulk_decisions_report_each_booking(book, call, slot, world):
    first = _pending(book, slot, world)
    second = _pending(book, slot, world, user=world.guardian_b, child_ids=[world.child_b.id])
    call("POST", f"{API}/venue-bookings/{first}/confirm", world.venue_staff)
    body = {"booking_ids": [first, second, 999999], "action": "confirm"}
    results = call("POST", _unit_path(world, "/decide"), world.venue_staff, json=body).json["results"]
    assert results == {str(first): "booking_already_decided", str(second): "ok", "999999": "booking_not_found"}


def test_staff_cancel_needs_a_reason(book, call, slot, world, db):
    booking_id = book(slot).json["id"]
    path = f"{API}/venue-bookings/{booking_id}/cancel"
    assert call("POST", path, world.venue_staff, json={}).status_code == 422
    assert call("POST", path, world.venue_staff, json={"reason": "场馆临时检修"}).json["status"] == "cancelled_by_venue"
    assert counters(db, slot.id) == (0, 0)


def _door_booking(book, offering, db):
    """A confirmed booking of a slot starting in 30 minutes (the door opens an hour before)."""
    offering.booking_closes_minutes = 0
    slot = make_slot(db, offering, dt.timedelta(minutes=30))
    db.session.commit()
    response = book(slot, adults=2)
    assert response.status_code == 201, response.json
    return response.json


def test_check_in_by_code_once_with_fewer_people(book, call, offering, world, db):
    booking = _door_booking(book, offering, db)
    path = f"{API}/resource-units/{world.venue.id}/venue-check-in"
    response = call("POST", path, world.venue_staff, json={"code": booking["qr_payload"], "count": 2})
    assert (response.json["status"], response.json["checked_in_count"]) == ("checked_in", 2)
    again = call("POST", path, world.venue_staff, json={"code": booking["code"].lower()})
    assert (again.status_code, again.json["code"]) == (409, "booking_code_used")
    wrong = call("POST", path, world.venue_staff, json={"code": "ZZZZZZZZ"})
    assert (wrong.status_code, wrong.json["code"]) == (404, "booking_code_invalid")
    audited = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "venue_booking_checked_in"))
    assert (audited.actor_user_id, audited.detail) == (world.venue_staff.id, {"count": 2})


def test_check_in_of_more_than_booked_or_too_early_is_refused(book, call, offering, slot, world, db):
    path = f"{API}/resource-units/{world.venue.id}/venue-check-in"
    early = book(slot).json
    assert call("POST", path, world.venue_staff, json={"code": early["code"]}).json["code"] == "check_in_not_open"
    booking = _door_booking(book, offering, db)
    over = call("POST", path, world.venue_staff, json={"code": booking["code"], "count": 9})
    assert (over.status_code, over.json["code"]) == (422, "check_in_over_headcount")


def test_a_pending_booking_cannot_be_checked_in(book, call, slot, world):
    booking_id = _pending(book, slot, world)
    code = call("GET", _unit_path(world), world.venue_staff).json["items"][0]["code"]
    response = call(
        "POST", f"{API}/resource-units/{world.venue.id}/venue-check-in", world.venue_staff, json={"code": code}
    )
    assert (response.status_code, response.json["code"]) == (409, "booking_not_confirmed")
    assert booking_id
