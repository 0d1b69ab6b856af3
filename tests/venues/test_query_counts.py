"""Venue lists run a fixed number of SQL statements, however many rows they show (no N+1)."""

import datetime as dt

from tests.venues.conftest import API, make_offering, make_slot


def _statements(call, count_queries, path, user):
    call("GET", path, user)  # warm: the caller's token and scopes are not what is measured
    with count_queries() as counted:
        assert call("GET", path, user).status_code == 200
    return counted.n


def _families_booking(make, world, db, slot, n):
    from jlt_family.venues.models import Booking, BookingChild

    for i in range(n):
        family = make.family()
        user = make.user()
        make.guardian(family=family, user=user, name=f"家长{i}")
        child = make.student(world.class_a, family)
        db.session.add(
            Booking(
                slot_id=slot.id,
                resource_unit_id=world.venue.id,
                kind="family",
                channel="general",
                family_id=family.id,
                booked_by_id=user.id,
                headcount=1,
                status="pending",
                code=f"Q{slot.id:03d}{i:04d}",
                children=[BookingChild(student_id=child.id)],
            )
        )
    db.session.commit()


def test_unit_bookings_list_is_flat(call, make, world, db, count_queries, offering):
    path = f"{API}/resource-units/{world.venue.id}/venue-bookings"
    first = make_slot(db, offering)
    _families_booking(make, world, db, first, 2)
    few = _statements(call, count_queries, path, world.venue_staff)
    second = make_slot(db, offering, dt.timedelta(days=2))
    _families_booking(make, world, db, second, 8)
    assert _statements(call, count_queries, path, world.venue_staff) == few


def test_offerings_list_is_flat(call, make, world, db, count_queries):
    path = f"{API}/venue-offerings"
    make_offering(db, world.venue)
    db.session.commit()
    few = _statements(call, count_queries, path, world.guardian_a)
    for _ in range(3):
        unit = make.resource_unit(region=world.county, alliances=[world.alliance])
        make_offering(db, unit)
    db.session.commit()
    assert _statements(call, count_queries, path, world.guardian_a) == few


def test_my_bookings_and_slots_lists_are_flat(book, call, world, db, count_queries, offering):
    slots = [make_slot(db, offering, dt.timedelta(days=1, hours=h)) for h in range(3)]
    db.session.commit()
    book(slots[0])
    few_mine = _statements(call, count_queries, f"{API}/venue-bookings", world.guardian_a)
    few_slots = _statements(call, count_queries, f"{API}/venue-offerings/{offering.id}/slots", world.guardian_a)
    book(slots[1])
    book(slots[2])
    assert _statements(call, count_queries, f"{API}/venue-bookings", world.guardian_a) == few_mine
    assert _statements(call, count_queries, f"{API}/venue-offerings/{offering.id}/slots", world.guardian_a) == few_slots
