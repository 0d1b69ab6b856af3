"""Families book slots: green eligibility from the database, places per channel, limits and bad input."""

import datetime as dt

from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.venues.models import Booking, BookingStatus, GreenSuspension, SlotStatus, VenuePolicy
from tests.venues.conftest import API, counters, make_slot


def test_green_booking_is_confirmed_at_once_with_a_code(book, slot, db, sent):
    response = book(slot, adults=1)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "confirmed"
    assert len(response.json["code"]) == 8
    assert response.json["qr_payload"] == f"JLT-VENUE:{response.json['code']}"
    assert counters(db, slot.id) == (2, 0)
    assert [kw["kind"] for _, kw in sent["schedule"]] == ["venue_booking"]
    assert sent["schedule"][0][1]["starts_at"] == slot.starts_at


def test_general_booking_waits_for_staff_and_holds_its_places(book, slot, db, sent):
    response = book(slot, channel="general", adults=2)
    assert response.status_code == 201
    assert (response.json["status"], response.json["code"]) == ("pending", None)
    assert counters(db, slot.id) == (0, 3)
    assert sent["schedule"] == []


def test_a_family_outside_the_units_alliances_may_not_use_the_green_channel(book, slot, make, world, db):
    outsider_class = make.school_class(school=make.school())
    family = make.family()
    parent = make.user()
    make.guardian(family=family, user=parent)
    child = make.student(outsider_class, family)
    db.session.commit()
    response = book(slot, user=parent, child_ids=[child.id])
    assert (response.status_code, response.json["code"]) == (422, "not_green_eligible")
    assert book(slot, user=parent, child_ids=[child.id], channel="general").status_code == 201


def test_a_child_of_another_family_is_refused(book, slot, world):
    response = book(slot, child_ids=[world.child_b.id])
    assert (response.status_code, response.json["code"]) == (422, "child_not_in_family")


def test_a_party_over_the_limit_is_refused(book, slot):
    response = book(slot, adults=5)
    assert (response.status_code, response.json["code"]) == (422, "party_too_large")


def test_one_booking_per_family_and_slot(book, slot, world, db):
    assert book(slot).status_code == 201
    again = book(slot, channel="general")
    assert (again.status_code, again.json["code"]) == (409, "already_booked")
    assert counters(db, slot.id) == (2, 0)


def test_at_most_n_active_bookings_per_family(book, offering, world, db):
    db.session.add(
        VenuePolicy(
            alliance_id=world.alliance.id,
            max_active_bookings=2,
            no_show_limit=3,
            no_show_window_days=90,
            suspension_days=30,
        )
    )
    slots = [make_slot(db, offering, dt.timedelta(days=1, hours=h)) for h in range(3)]
    db.session.commit()
    assert [book(s).status_code for s in slots[:2]] == [201, 201]
    third = book(slots[2])
    assert (third.status_code, third.json["code"]) == (409, "too_many_active_bookings")


def test_a_full_green_pool_answers_409(book, offering, db):
    slot = make_slot(db, offering, green=2)
    db.session.commit()
    assert book(slot, adults=1).status_code == 201
    response = book(slot, adults=0)
    assert response.status_code == 409  # the family's second booking of the slot
    assert counters(db, slot.id) == (2, 0)


def test_green_full_for_another_family(book, offering, world, db):
    slot = make_slot(db, offering, green=2)
    db.session.commit()
    assert book(slot, adults=1).status_code == 201
    response = book(slot, user=world.guardian_b, child_ids=[world.child_b.id], adults=0)
    assert (response.status_code, response.json["code"]) == (409, "green_full")


def test_booking_before_it_opens_or_after_it_closes_is_refused(book, offering, db):
    far = make_slot(db, offering, dt.timedelta(days=20))
    soon = make_slot(db, offering, dt.timedelta(minutes=30))
    past = make_slot(db, offering, dt.timedelta(hours=-3))
    db.session.commit()
    assert book(far).json["code"] == "booking_not_open"
    assert book(soon).json["code"] == "booking_closed"
    assert book(past).json["code"] == "slot_past"


def test_a_closed_slot_is_refused(book, slot, db):
    slot.status = SlotStatus.CLOSED
    db.session.commit()
    response = book(slot)
    assert (response.status_code, response.json["code"]) == (422, "slot_closed")


def test_a_suspended_family_may_book_general_but_not_green(book, slot, world, db, utc_in):
    db.session.add(
        GreenSuspension(
            family_id=world.family_a.id,
            alliance_id=world.alliance.id,
            ends_at=utc_in(30),
            no_show_count=3,
            reason="90 天内爽约 3 次",
        )
    )
    db.session.commit()
    assert book(slot).json["code"] == "green_channel_suspended"
    assert book(slot, channel="general").status_code == 201


def test_retries_with_the_same_idempotency_key_book_once(book, slot, db):
    headers = {"Idempotency-Key": "venue-retry-0001"}
    first, second = book(slot, headers=headers), book(slot, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json["id"] == second.json["id"]
    assert db.session.query(Booking).count() == 1
    assert counters(db, slot.id) == (2, 0)


def test_a_child_outside_the_audience_is_refused(book, offering, db):
    offering.min_grade = 5
    slot = make_slot(db, offering)
    db.session.commit()
    assert book(slot).json["code"] == "child_not_in_audience"


def test_a_childs_age_is_taken_on_the_visits_day_in_china(book, offering, world, db):
    # The slot starts at 07:00 in Shanghai, 23:00 UTC the day before: the child turns 6 on the visit's day.
    visit_day = (utcnow() + dt.timedelta(days=3)).astimezone(SHANGHAI).date()
    start = dt.datetime.combine(visit_day, dt.time(7, 0), tzinfo=SHANGHAI).astimezone(dt.UTC)
    offering.min_grade, offering.max_grade, offering.min_age = None, None, 6
    world.child_a.birth_date = visit_day.replace(year=visit_day.year - 6)
    slot = make_slot(db, offering, starts_in=start - utcnow())
    db.session.commit()
    assert book(slot).status_code == 201


def test_a_guardian_cancels_and_the_places_go_back(book, call, slot, world, db, sent):
    booking_id = book(slot).json["id"]
    response = call("POST", f"{API}/venue-bookings/{booking_id}/cancel", world.guardian_a, json={})
    assert response.json["status"] == "cancelled"
    assert counters(db, slot.id) == (0, 0)
    assert sent["cancel"][0][1]["subject_id"] == booking_id
    assert sent["notice"][-1][1]["kind"] == "venue_booking_cancelled"
    again = call("POST", f"{API}/venue-bookings/{booking_id}/cancel", world.guardian_a, json={})
    assert (again.status_code, again.json["code"]) == (409, "booking_not_cancellable")


def test_cancelling_after_the_deadline_is_refused(book, call, offering, world, db):
    slot = make_slot(db, offering, dt.timedelta(hours=3))
    offering.cancel_closes_minutes = 240
    db.session.commit()
    booking_id = book(slot).json["id"]
    response = call("POST", f"{API}/venue-bookings/{booking_id}/cancel", world.guardian_a, json={})
    assert (response.status_code, response.json["code"]) == (422, "cancel_closed")


def test_a_teacher_books_a_class_group_pending_for_the_venue(call, slot, world, db):
    body = {"class_id": world.class_a.id, "channel": "green", "headcount": 10, "chaperones": 2}
    response = call("POST", f"{API}/venue-slots/{slot.id}/group-bookings", world.teacher_a, json=body)
    assert response.status_code == 201, response.json
    assert (response.json["status"], response.json["headcount"]) == ("pending", 12)
    assert counters(db, slot.id) == (12, 0)
    other = call("POST", f"{API}/venue-slots/{slot.id}/group-bookings", world.teacher_c, json=body)
    assert other.status_code == 404


def test_my_bookings_list_the_familys(book, call, slot, world):
    book(slot)
    mine = call("GET", f"{API}/venue-bookings", world.guardian_a).json
    theirs = call("GET", f"{API}/venue-bookings", world.guardian_b).json
    assert (mine["total"], theirs["total"]) == (1, 0)
    assert mine["items"][0]["children"] == [{"id": world.child_a.id, "name": "张小明"}]
    assert BookingStatus(mine["items"][0]["status"]) == BookingStatus.CONFIRMED


def test_venue_staff_cancel_a_booking_only_with_a_reason(book, call, slot, world):
    booking_id = book(slot).json["id"]
    path = f"{API}/venue-bookings/{booking_id}/cancel"
    refused = call("POST", path, world.venue_staff, json={})
    assert refused.status_code == 422 and refused.json["errors"]["json"]["reason"] == ["场馆取消预约请填写原因"]
    done = call("POST", path, world.venue_staff, json={"reason": "场馆临时检修"})
    assert done.status_code == 200 and done.json["status"] == "cancelled_by_venue"
    assert (done.json["status_label"], done.json["reason"]) == ("场馆取消", "场馆临时检修")
