"""闭馆 over booked days: the bookings it covers are cancelled by the venue, their places and reminders go, the
families, the unit's staff and the reports see it; staff confirm first; a retried request changes nothing."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.reminders.models import Reminder, ReminderStatus
from jlt_family.venues import jobs
from jlt_family.venues.models import (
    Booking,
    BookingStatus,
    Closure,
    FamilyBookingCounter,
    GreenSuspension,
    Slot,
    SlotStatus,
)
from tests.venues.conftest import API, counters, make_slot


def _day(slot):
    return slot.starts_at.astimezone(SHANGHAI).date()


def _close(call, world, slot, confirm=True, reason="设备检修", user=None, **kwargs):
    body = {"starts_on": _day(slot).isoformat(), "ends_on": _day(slot).isoformat(), "reason": reason}
    if confirm is not None:
        body["confirm"] = confirm
    return call(
        "POST", f"{API}/resource-units/{world.venue.id}/venue-closures", user or world.venue_staff, json=body, **kwargs
    )


def _group(call, slot, world):
    body = {"class_id": world.class_a.id, "channel": "general", "headcount": 10, "chaperones": 2}
    response = call("POST", f"{API}/venue-slots/{slot.id}/group-bookings", world.teacher_a, json=body)
    assert response.status_code == 201, response.json
    return response.json["id"]


def _three_bookings(book, call, slot, world):
    confirmed = book(slot).json["id"]  # green, confirmed at once
    pending = book(slot, user=world.guardian_b, child_ids=[world.child_b.id], channel="general").json["id"]
    return [confirmed, pending, _group(call, slot, world)]


def test_a_closure_cancels_the_bookings_it_covers_and_gives_their_places_back(book, call, offering, slot, world, db):
    ids = _three_bookings(book, call, slot, world)
    next_day = make_slot(db, offering, starts_in=dt.timedelta(days=2))
    db.session.commit()
    kept = book(next_day, user=world.guardian_b, child_ids=[world.child_b.id]).json["id"]
    response = _close(call, world, slot)
    assert response.status_code == 201, response.json
    assert response.json["cancelled_booking_ids"] == ids
    closure_id = response.json["id"]
    db.session.expire_all()
    cancelled = db.session.scalars(sa.select(Booking).where(Booking.id.in_(ids))).all()
    assert {(b.status, b.reason, b.closure_id, b.decided_by_id) for b in cancelled} == {
        (BookingStatus.CANCELLED_BY_VENUE, "设备检修", closure_id, world.venue_staff.id)
    }
    assert db.session.get(Slot, slot.id).status == SlotStatus.CLOSED
    assert counters(db, slot.id) == (0, 0)  # the green quota and the general places are back
    assert db.session.get(Booking, kept).status == BookingStatus.CONFIRMED  # another day: untouched
    assert counters(db, next_day.id) == (2, 0)
    active = dict(db.session.execute(sa.select(FamilyBookingCounter.family_id, FamilyBookingCounter.active)).all())
    assert active == {world.family_a.id: 0, world.family_b.id: 1}
    assert book(slot, user=world.guardian_a).json["code"] == "slot_closed"


def test_without_confirm_staff_get_409_listing_masked_bookings_and_nothing_is_written(book, call, slot, world, db):
    ids = _three_bookings(book, call, slot, world)
    for confirm in (None, False):
        response = _close(call, world, slot, confirm=confirm)
        assert (response.status_code, response.json["code"]) == (409, "closure_cancels_bookings")
        assert "3 个" in response.json["message"]
        errors = response.json["errors"]
        assert errors["count"] == 3 and [b["id"] for b in errors["bookings"]] == sorted(ids)
        assert {b["status"] for b in errors["bookings"]} == {"confirmed", "pending"}
        names = [name for b in errors["bookings"] for name in b["names"]]
        assert names and all("*" in name for name in names)
        assert "张小明" not in response.get_data(as_text=True) and "李小红" not in response.get_data(as_text=True)
        assert set(errors["bookings"][0]) == {
            "id",
            "slot_id",
            "starts_at",
            "offering_title",
            "kind",
            "channel",
            "status",
            "status_label",
            "names",
            "group",
            "headcount",
            "code",
            "checked_in_count",
        }
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Closure)) == 0
    assert {b.status for b in db.session.scalars(sa.select(Booking))} == {
        BookingStatus.CONFIRMED,
        BookingStatus.PENDING,
    }
    assert db.session.get(Slot, slot.id).status == SlotStatus.OPEN
    assert counters(db, slot.id) == (2, 2 + 12)


def test_a_closure_over_unbooked_days_needs_no_confirmation(call, slot, world, db):
    response = _close(call, world, slot, confirm=None)
    assert response.status_code == 201 and response.json["cancelled_booking_ids"] == []
    assert db.session.get(Slot, slot.id) is None  # an unbooked slot of a closed day goes away


def test_families_and_staff_see_the_booking_cancelled_by_the_venue(book, call, slot, world):
    booking_id = book(slot).json["id"]
    _close(call, world, slot, reason="国庆节闭馆")
    mine = call("GET", f"{API}/venue-bookings/{booking_id}", world.guardian_a).json
    assert (mine["status"], mine["status_label"], mine["reason"]) == ("cancelled_by_venue", "场馆取消", "国庆节闭馆")
    assert (mine["code"], mine["qr_payload"]) == (None, None)  # no code to show at the door any more
    listed = call("GET", f"{API}/venue-bookings?status=cancelled_by_venue", world.guardian_a).json
    assert [item["id"] for item in listed["items"]] == [booking_id]
    staff = call("GET", f"{API}/resource-units/{world.venue.id}/venue-bookings", world.venue_staff).json
    assert [(i["id"], i["status"], i["status_label"]) for i in staff["items"]] == [
        (booking_id, "cancelled_by_venue", "场馆取消")
    ]
    code = call("GET", f"{API}/venue-bookings/{booking_id}", world.guardian_a).json
    assert code["status"] == "cancelled_by_venue"


def test_the_visit_reminders_are_cancelled_and_the_family_finds_the_notice_in_the_inbox(
    book, call, offering, world, db
):
    slot = make_slot(db, offering, starts_in=dt.timedelta(days=3))
    db.session.commit()
    booking_id = book(slot).json["id"]

    def reminders(status):
        return db.session.scalars(
            sa.select(Reminder.id).where(
                Reminder.subject_type == "venue_booking",
                Reminder.subject_id == booking_id,
                Reminder.kind == "venue_booking",
                Reminder.status == status,
            )
        ).all()

    planned = reminders(ReminderStatus.PENDING)
    assert planned
    _close(call, world, slot, reason="设备检修")
    db.session.expire_all()
    assert reminders(ReminderStatus.PENDING) == []
    assert sorted(reminders(ReminderStatus.CANCELLED)) == sorted(planned)
    inbox = call("GET", f"{API}/me/inbox", world.guardian_a).json["items"]
    notice = next(item for item in inbox if item["kind"] == "venue_booking_cancelled")
    assert "设备检修" in notice["body"]


def test_a_retried_closure_returns_the_same_closure_and_cancels_nothing_twice(book, call, slot, world, db):
    ids = _three_bookings(book, call, slot, world)
    first = _close(call, world, slot)
    again = _close(call, world, slot)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json and again.json["cancelled_booking_ids"] == ids
    keyed = {"Idempotency-Key": "closure-retry-0001"}
    other_day = {**_body(slot, days=7), "reason": "消防检查"}
    url = f"{API}/resource-units/{world.venue.id}/venue-closures"
    replies = [call("POST", url, world.venue_staff, json=other_day, headers=keyed) for _ in range(2)]
    assert [r.status_code for r in replies] == [201, 201]
    assert replies[1].headers.get("Idempotent-Replayed") == "true" and replies[1].json == replies[0].json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Closure)) == 2
    created = db.session.scalars(sa.select(AuditLog.subject_id).where(AuditLog.action == "venue_closure_created"))
    assert sorted(created) == sorted([first.json["id"], replies[0].json["id"]])
    cancels = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "venue_booking_cancelled")
    )
    assert cancels == 3
    assert counters(db, slot.id) == (0, 0)


def _body(slot, days=0):
    day = (_day(slot) + dt.timedelta(days=days)).isoformat()
    return {"starts_on": day, "ends_on": day}


def test_deleting_the_closure_reopens_the_days_but_not_the_cancelled_bookings(book, call, slot, world, db):
    booking_id = book(slot).json["id"]
    closure_id = _close(call, world, slot).json["id"]
    assert call("DELETE", f"{API}/venue-closures/{closure_id}", world.venue_staff).status_code == 204
    db.session.expire_all()
    booking = db.session.get(Booking, booking_id)
    assert (booking.status, booking.reason, booking.closure_id) == (BookingStatus.CANCELLED_BY_VENUE, "设备检修", None)


def test_a_cancelled_booking_is_neither_a_visit_nor_a_no_show_in_the_reports(book, call, slot, world, db):
    booking_id = book(slot).json["id"]
    _close(call, world, slot)
    assert jobs.mark_no_shows(now=slot.ends_at + dt.timedelta(hours=1)) == 0
    db.session.expire_all()
    assert db.session.get(Booking, booking_id).status == BookingStatus.CANCELLED_BY_VENUE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GreenSuspension)) == 0
    day = _day(slot)
    year = day.year if day.month >= 9 else day.year - 1
    report = call("GET", f"{API}/reports/schools/{world.school.id}?school_year={year}&term=year", world.school_admin)
    assert report.status_code == 200, report.json
    bookings = report.json["bookings"]
    assert (bookings["total"], bookings["green"], bookings["checked_in"], bookings["no_show"]) == (0, 0, 0, 0)


def test_only_the_units_staff_close_it(call, slot, world):
    for user in (world.guardian_a, world.school_admin, world.alliance_admin):
        response = _close(call, world, slot, user=user)
        assert (response.status_code, response.json["code"]) == (404, "resource_unit_not_found")
