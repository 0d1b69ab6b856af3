"""Permission-matrix rows of venues: (name, method, path(world), body(world) or None, statuses per role).

Collected by tests/test_permission_matrix.py; see its helpers (``expect``) and the ``world`` cast. The unit's
staff area (its bookings, closures, check-in, new offerings) answers 404 to everyone but the unit's staff.
"""

import datetime as dt
import itertools

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.venues.models import (
    Booking,
    BookingChild,
    BookingKind,
    BookingStatus,
    Channel,
    Closure,
    GreenSuspension,
    Offering,
    OfferingKind,
    Slot,
)
from tests.matrix_support import expect

API = "/api/v1"
# Distinct slot starts when several rows build slots in one world, within a few minutes of the asked start (a
# count that grew over the whole run pushed the check-in row's slot, 20 minutes ahead, past the hour it opens in).
_seconds = itertools.cycle(range(1, 600))


def _offering(w):
    if getattr(w, "venue_offering", None) is None:
        w.venue_offering = Offering(
            resource_unit_id=w.venue.id,
            title="展厅参观",
            kind=OfferingKind.EXHIBITION,
            duration_minutes=90,
            capacity=50,
            green_quota=20,
        )
        db.session.add(w.venue_offering)
        db.session.commit()
    return w.venue_offering


def _slot(w, starts_in=dt.timedelta(days=1)):
    start = (utcnow() + starts_in).replace(microsecond=0) + dt.timedelta(seconds=next(_seconds))
    slot = Slot(
        offering_id=_offering(w).id,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        capacity=50,
        green_capacity=20,
        green_taken=0,
        general_taken=0,
    )
    db.session.add(slot)
    db.session.commit()
    return slot


def _booking(w, status=BookingStatus.CONFIRMED, channel=Channel.GREEN, starts_in=dt.timedelta(days=1), code=None):
    slot = _slot(w, starts_in)
    if channel == Channel.GREEN:
        slot.green_taken = 2
    else:
        slot.general_taken = 2
    booking = Booking(
        slot_id=slot.id,
        resource_unit_id=w.venue.id,
        kind=BookingKind.FAMILY,
        channel=channel,
        family_id=w.family_a.id,
        school_id=w.school.id,
        booked_by_id=w.guardian_a.id,
        adults=1,
        headcount=2,
        status=status,
        code=code or f"M{slot.id:07d}",
        children=[BookingChild(student_id=w.child_a.id)],
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def _pending(w):
    return _booking(w, BookingStatus.PENDING, Channel.GENERAL).id


def _closure(w):
    closure = Closure(resource_unit_id=w.venue.id, starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 1, 2))
    db.session.add(closure)
    db.session.commit()
    return closure.id


def _suspension(w):
    suspension = GreenSuspension(
        family_id=w.family_a.id,
        alliance_id=w.alliance.id,
        ends_at=utcnow() + dt.timedelta(days=30),
        no_show_count=3,
        reason="爽约 3 次",
    )
    db.session.add(suspension)
    db.session.commit()
    return suspension.id


def _offering_body(w):
    return {"title": "科普讲座", "kind": "lecture", "duration_minutes": 60, "capacity": 30, "green_quota": 10}


_STAFF = {"venue_staff": 200}

ENDPOINTS = [
    ("venue_offerings", "GET", lambda w: f"{API}/venue-offerings", None, expect(200)),
    ("venue_offering", "GET", lambda w: f"{API}/venue-offerings/{_offering(w).id}", None, expect(200)),
    ("venue_slots", "GET", lambda w: f"{API}/venue-offerings/{_offering(w).id}/slots", None, expect(200)),
    (
        "venue_book",
        "POST",
        lambda w: f"{API}/venue-slots/{_slot(w).id}/bookings",
        lambda w: {"channel": "green", "child_ids": [w.child_a.id], "adults": 1},
        expect(404, guardian_a=201, guardian_b=422),
    ),  # guardian_b: child_a is not in their family
    (
        "venue_book_group",
        "POST",
        lambda w: f"{API}/venue-slots/{_slot(w).id}/group-bookings",
        lambda w: {"class_id": w.class_a.id, "channel": "green", "headcount": 10, "chaperones": 2},
        expect(404, teacher_a=201, teacher_b=201),
    ),  # the class's homeroom and subject teachers
    ("venue_my_bookings", "GET", lambda w: f"{API}/venue-bookings", None, expect(200)),
    ("venue_booking", "GET", lambda w: f"{API}/venue-bookings/{_booking(w).id}", None, expect(404, guardian_a=200)),
    (
        "venue_booking_history",
        "GET",
        lambda w: f"{API}/venue-bookings/{_booking(w).id}/history",
        None,
        expect(404, guardian_a=200, venue_staff=200),
    ),
    (
        "venue_cancel",
        "POST",
        lambda w: f"{API}/venue-bookings/{_booking(w).id}/cancel",
        lambda w: {"reason": "临时有事"},
        expect(404, guardian_a=200, venue_staff=200),
    ),
    (
        "venue_green_channel",
        "GET",
        lambda w: f"{API}/venue-green-channel",
        None,
        expect(404, guardian_a=200, guardian_b=200),
    ),
    (
        "venue_create_offering",
        "POST",
        lambda w: f"{API}/resource-units/{w.venue.id}/venue-offerings",
        _offering_body,
        expect(404, venue_staff=201),
    ),
    (
        "venue_update_offering",
        "PATCH",
        lambda w: f"{API}/venue-offerings/{_offering(w).id}",
        lambda w: {"capacity": 60},
        expect(403, **_STAFF),
    ),
    (
        "venue_rules",
        "PUT",
        lambda w: f"{API}/venue-offerings/{_offering(w).id}/rules",
        lambda w: {"rules": [{"weekday": 5, "start_time": "09:30"}]},
        expect(403, **_STAFF),
    ),
    (
        "venue_closures",
        "GET",
        lambda w: f"{API}/resource-units/{w.venue.id}/venue-closures",
        None,
        expect(404, **_STAFF),
    ),
    (
        "venue_create_closure",
        "POST",
        lambda w: f"{API}/resource-units/{w.venue.id}/venue-closures",
        lambda w: {"starts_on": "2030-10-01", "ends_on": "2030-10-07", "reason": "国庆节"},
        expect(404, venue_staff=201),
    ),
    (
        "venue_delete_closure",
        "DELETE",
        lambda w: f"{API}/venue-closures/{_closure(w)}",
        None,
        expect(404, venue_staff=204),
    ),
    (
        "venue_unit_bookings",
        "GET",
        lambda w: f"{API}/resource-units/{w.venue.id}/venue-bookings",
        None,
        expect(404, **_STAFF),
    ),
    (
        "venue_confirm",
        "POST",
        lambda w: f"{API}/venue-bookings/{_pending(w)}/confirm",
        None,
        expect(404, guardian_a=403, venue_staff=200),
    ),
    (
        "venue_reject",
        "POST",
        lambda w: f"{API}/venue-bookings/{_pending(w)}/reject",
        lambda w: {"reason": "已满"},
        expect(404, guardian_a=403, venue_staff=200),
    ),
    (
        "venue_cancel_slot",
        "POST",
        lambda w: f"{API}/venue-slots/{_booking(w).slot_id}/cancel",
        lambda w: {"reason": "临时停电闭馆"},
        expect(403, **_STAFF),
    ),
    (
        "venue_decide",
        "POST",
        lambda w: f"{API}/resource-units/{w.venue.id}/venue-bookings/decide",
        lambda w: {"booking_ids": [_pending(w)], "action": "confirm"},
        expect(404, **_STAFF),
    ),
    (
        "venue_check_in",
        "POST",
        lambda w: f"{API}/resource-units/{w.venue.id}/venue-check-in",
        lambda w: {"code": _booking(w, starts_in=dt.timedelta(minutes=20), code="MATRIXCODE").code},
        expect(404, **_STAFF),
    ),
    ("venue_policy", "GET", lambda w: f"{API}/alliances/{w.alliance.id}/venue-policy", None, expect(200)),
    (
        "venue_put_policy",
        "PUT",
        lambda w: f"{API}/alliances/{w.alliance.id}/venue-policy",
        lambda w: {"max_active_bookings": 4, "no_show_limit": 3, "no_show_window_days": 90, "suspension_days": 30},
        expect(403, alliance_admin=200, region_admin=200),
    ),
    (
        "venue_suspensions",
        "GET",
        lambda w: f"{API}/alliances/{w.alliance.id}/green-suspensions",
        None,
        expect(404, alliance_admin=200, region_admin=200),
    ),
    (
        "venue_lift_suspension",
        "POST",
        lambda w: f"{API}/venue-green-suspensions/{_suspension(w)}/lift",
        None,
        expect(404, guardian_a=403, alliance_admin=200, region_admin=200),
    ),
]
