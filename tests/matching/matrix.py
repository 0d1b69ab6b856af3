"""Permission-matrix rows of matching: (name, method, path(world), body(world) or None, statuses per role).

Collected by tests/test_permission_matrix.py. The cast (``_cast``, built once per world): an open science need
of the world's school posted by teacher_a for class_a (grade 3), the venue's 展厅参观 with a slot in its period,
and a need already matched to the venue whose group booking was checked in (so it can be rated).
"""

from types import SimpleNamespace

from jlt_family.core.timeutil import utcnow
from jlt_family.matching.models import MatchKind, NeedMatch, NeedMatchBooking, NeedStatus
from jlt_family.venues.models import Booking, BookingKind, BookingStatus, Channel
from tests.matching import helpers
from tests.matrix_support import expect

API = "/api/v1"


def _cast(w):
    if not hasattr(w, "matching"):
        db = w.make.db
        c = SimpleNamespace()
        c.need = helpers.need(db, w.school, w.teacher_a, class_id=w.class_a.id, grade_min=3, grade_max=3)
        c.offering = helpers.offering(db, w.venue)
        c.slot = helpers.slot(db, c.offering, days=2)
        c.done = helpers.need(
            db, w.school, w.teacher_a, class_id=w.class_a.id, grade_min=3, grade_max=3, status=NeedStatus.MATCHED
        )
        past = helpers.slot(db, c.offering, days=-1)
        booking = Booking(
            slot_id=past.id,
            resource_unit_id=w.venue.id,
            kind=BookingKind.GROUP,
            channel=Channel.GENERAL,
            class_id=w.class_a.id,
            school_id=w.school.id,
            booked_by_id=w.school_admin.id,
            headcount=30,
            status=BookingStatus.CHECKED_IN,
            code=f"MX{past.id:06d}",
            checked_in_count=30,
            checked_in_at=utcnow(),
        )
        db.session.add(booking)
        db.session.flush()
        db.session.add(
            NeedMatch(
                need_id=c.done.id,
                kind=MatchKind.VENUE,
                resource_unit_id=w.venue.id,
                offering_id=c.offering.id,
                label="场馆 · 展厅参观",
                accepted_by_id=w.school_admin.id,
                bookings=[NeedMatchBooking(booking_id=booking.id)],
            )
        )
        db.session.commit()
        w.matching = c
    return w.matching


def _accept_body(w):
    c = _cast(w)
    return {
        "kind": "venue",
        "offering_id": c.offering.id,
        "bookings": [{"slot_id": c.slot.id, "class_id": w.class_a.id, "headcount": 30}],
    }


_SCHOOL_SIDE = {"school_admin": 200, "teacher_a": 200, "teacher_b": 200}  # admin, poster, class_a's teachers
_ABOVE = {"alliance_admin": 200, "region_admin": 200}
_SEES = {**_SCHOOL_SIDE, **_ABOVE}

ENDPOINTS = [
    ("need_topics", "GET", lambda w: f"{API}/need-topics", None, expect(200)),
    (
        "post_need",
        "POST",
        lambda w: f"{API}/schools/{w.school.id}/needs",
        lambda w: helpers.need_body(class_id=w.class_a.id, grade_min=3, grade_max=3),
        expect(404, school_admin=201, teacher_a=201, teacher_b=201, alliance_admin=403, region_admin=403),
    ),
    ("needs", "GET", lambda w: f"{API}/needs", None, expect(200)),
    ("need", "GET", lambda w: f"{API}/needs/{_cast(w).need.id}", None, expect(404, **_SEES)),
    ("matched_need", "GET", lambda w: f"{API}/needs/{_cast(w).done.id}", None, expect(404, venue_staff=200, **_SEES)),
    (
        "withdraw_need",
        "POST",
        lambda w: f"{API}/needs/{_cast(w).need.id}/withdraw",
        None,
        expect(404, school_admin=200, teacher_a=200, teacher_b=403, alliance_admin=403, region_admin=403),
    ),
    ("need_proposals", "GET", lambda w: f"{API}/needs/{_cast(w).need.id}/proposals", None, expect(404, **_SEES)),
    (
        "matched_need_proposals",
        "GET",
        lambda w: f"{API}/needs/{_cast(w).done.id}/proposals",
        None,
        expect(404, venue_staff=403, **_SEES),
    ),
    (
        "accept_proposal",
        "POST",
        lambda w: f"{API}/needs/{_cast(w).need.id}/accept",
        _accept_body,
        expect(404, school_admin=201, alliance_admin=201, teacher_a=403, teacher_b=403, region_admin=403),
    ),
    (
        "reopen_need",
        "POST",
        lambda w: f"{API}/needs/{_cast(w).done.id}/reopen",
        None,
        expect(
            404, school_admin=409, alliance_admin=409, teacher_a=403, teacher_b=403, region_admin=403, venue_staff=403
        ),
    ),  # its booking was checked in: nothing to reopen
    (
        "rate_match",
        "POST",
        lambda w: f"{API}/needs/{_cast(w).done.id}/feedback",
        lambda w: {"rating": 5, "comment": "很好"},
        expect(
            404, school_admin=201, teacher_a=201, teacher_b=403, alliance_admin=403, region_admin=403, venue_staff=403
        ),
    ),
    ("unit_needs", "GET", lambda w: f"{API}/resource-units/{w.venue.id}/needs", None, expect(404, venue_staff=200)),
]
