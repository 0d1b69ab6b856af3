"""Races on MariaDB and on the SQLite file: administrators accepting one need at once get one match and one set of
bookings."""

from collections import Counter

import sqlalchemy as sa

from jlt_family.matching.models import Need, NeedMatch, NeedStatus
from jlt_family.venues.models import HOLDING, Booking, Slot
from tests.matching import helpers
from tests.matching.helpers import API
from tests.races import race


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_admins_accepting_one_need_at_once_make_one_match(app, make, world, db):
    offering = helpers.offering(db, world.venue, capacity=400, green_quota=0)
    slots = [helpers.slot(db, offering, days=2 + i) for i in range(10)]
    need = helpers.need(db, world.school, world.school_admin)
    admins = [world.school_admin, world.alliance_admin]
    for _ in range(4):
        admin = make.user()
        make.grant(admin, "alliance_admin", world.alliance)
        admins.append(admin)
    db.session.commit()
    calls = []
    for i, slot in enumerate(slots):  # each accepts another slot: a lost guard would book several
        body = {
            "kind": "venue",
            "offering_id": offering.id,
            "bookings": [{"slot_id": slot.id, "class_id": world.class_a.id, "headcount": 30}],
        }
        calls.append((make.login(admins[i % len(admins)]), "POST", f"{API}/needs/{need.id}/accept", body))
    results = race(app, calls)

    assert Counter(status for status, _ in results)[201] == 1, results
    assert set(results) <= {(201, None), (409, "need_already_matched"), (409, "need_not_open")}
    assert _count(db, NeedMatch) == 1
    assert _count(db, Booking) == 1
    assert db.session.get(Need, need.id).status == NeedStatus.MATCHED
    taken = dict(db.session.execute(sa.select(Slot.id, Slot.general_taken)).all())
    held = dict(
        db.session.execute(sa.select(Booking.slot_id, Booking.headcount).where(Booking.status.in_(HOLDING))).all()
    )
    assert {slot_id: n for slot_id, n in taken.items() if n} == held


def test_retries_with_one_idempotency_key_accept_once(app, make, world, db):
    offering = helpers.offering(db, world.venue)
    slot = helpers.slot(db, offering, days=2)
    need = helpers.need(db, world.school, world.school_admin)
    db.session.commit()
    headers = {**make.login(world.school_admin), "Idempotency-Key": "accept-race-0001"}
    body = {
        "kind": "venue",
        "offering_id": offering.id,
        "bookings": [{"slot_id": slot.id, "class_id": world.class_a.id, "headcount": 30}],
    }
    results = race(app, [(headers, "POST", f"{API}/needs/{need.id}/accept", body)] * 6)
    assert {status for status, _ in results} == {201}, results
    assert (_count(db, NeedMatch), _count(db, Booking)) == (1, 1)


def test_two_needs_racing_for_one_slot_never_overbook_it(app, make, world, db):
    offering = helpers.offering(db, world.venue, capacity=60, green_quota=0)
    slot = helpers.slot(db, offering, days=2)
    needs = [helpers.need(db, world.school, world.school_admin) for _ in range(6)]
    db.session.commit()
    headers = make.login(world.school_admin)
    calls = [
        (
            headers,
            "POST",
            f"{API}/needs/{need.id}/accept",
            {
                "kind": "venue",
                "offering_id": offering.id,
                "bookings": [{"slot_id": slot.id, "class_id": cls.id, "headcount": 25, "chaperones": 0}],
            },
        )
        for need, cls in zip(needs, [world.class_a, world.class_b] * 3, strict=True)
    ]
    results = race(app, calls)
    assert Counter(results)[(201, None)] == 2, results
    assert set(results) <= {(201, None), (409, "general_full"), (409, "class_already_booked")}
    db.session.expire_all()
    assert db.session.get(Slot, slot.id).general_taken == 50
    assert _count(db, NeedMatch) == 2
    open_needs = db.session.scalar(sa.select(sa.func.count()).select_from(Need).where(Need.status == NeedStatus.OPEN))
    assert open_needs == 4  # the losers' acceptances rolled back entirely
