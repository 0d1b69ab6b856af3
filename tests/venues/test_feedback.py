"""场馆评价: a guardian rates a checked-in visit of their family once; the unit's staff and admins read it."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.venues.models import BookingStatus, VenueFeedback
from tests.venues.matrix import _booking

API = "/api/v1"


def _checked_in(world, status=BookingStatus.CHECKED_IN):
    return _booking(world, status, starts_in=-dt.timedelta(hours=3))


def test_guardian_rates_a_checked_in_visit_once(call, world, db):
    booking = _checked_in(world)
    url = f"{API}/venue-bookings/{booking.id}/feedback"
    first = call("POST", url, world.guardian_a, json={"rating": 4, "comment": "  讲解员很耐心 "})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["rating"] == 4 and first.get_json()["comment"] == "讲解员很耐心"
    again = call("POST", url, world.guardian_a, json={"rating": 5})
    assert again.status_code == 409 and again.get_json()["code"] == "venue_feedback_exists"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VenueFeedback)) == 1


def test_only_after_check_in(call, world):
    for status in (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW):
        booking = _checked_in(world, status)
        response = call("POST", f"{API}/venue-bookings/{booking.id}/feedback", world.guardian_a, json={"rating": 5})
        assert response.status_code == 409 and response.get_json()["code"] == "not_checked_in"


def test_bad_rating_and_long_comment(call, world):
    url = f"{API}/venue-bookings/{_checked_in(world).id}/feedback"
    for body in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {}, {"rating": 3, "comment": "长" * 501}):
        response = call("POST", url, world.guardian_a, json=body)
        assert response.status_code == 422, body
        assert response.get_json()["code"] == "validation_error"


def test_staff_and_admins_read_the_ratings_without_names(call, world, make, db):
    for rating in (5, 2):
        booking = _checked_in(world)
        assert (
            call(
                "POST",
                f"{API}/venue-bookings/{booking.id}/feedback",
                world.guardian_a,
                json={"rating": rating, "comment": f"评{rating}"},
            ).status_code
            == 201
        )
    for user in (world.venue_staff, world.alliance_admin, world.region_admin):
        body = call("GET", f"{API}/resource-units/{world.venue.id}/venue-feedback", user).get_json()
        assert (body["count"], body["average"], body["total"]) == (2, 3.5, 2)
        assert [i["comment"] for i in body["items"]] == ["评2", "评5"]
        assert set(body["items"][0]) == {"id", "rating", "comment", "created_at", "offering_title", "visited_at"}
    assert (
        call("GET", f"{API}/resource-units/{world.venue.id}/venue-feedback", world.other_region_admin).status_code
        == 404
    )


def test_not_before_the_slot_has_started(call, world, db):
    """Check-in opens an hour before the start: a visit checked in at the door is rated once it has begun."""
    booking = _booking(world, BookingStatus.CONFIRMED, starts_in=dt.timedelta(minutes=30))
    checked = call(
        "POST", f"{API}/resource-units/{world.venue.id}/venue-check-in", world.venue_staff, json={"code": booking.code}
    )
    assert checked.status_code == 200 and checked.get_json()["status"] == "checked_in"
    url = f"{API}/venue-bookings/{booking.id}/feedback"
    early = call("POST", url, world.guardian_a, json={"rating": 5})
    starts = booking.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert (early.status_code, early.get_json()["code"]) == (422, "venue_feedback_too_early")
    assert early.get_json()["message"] == f"场次开始后才能评价（开始时间 {starts}）"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VenueFeedback)) == 0
    slot = booking.slot
    slot.starts_at, slot.ends_at = slot.starts_at - dt.timedelta(hours=1), slot.ends_at - dt.timedelta(hours=1)
    db.session.commit()  # the slot has now begun
    assert call("POST", url, world.guardian_a, json={"rating": 5}).status_code == 201
