"""The venue demo: two alliances, offerings with rules and closures, bookings in every state, counters right."""

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.venues.models import HOLDING, Booking, BookingStatus, Closure, FamilyBookingCounter, Slot, SlotStatus
from tests.factories import dev_login_headers


def test_demo_has_bookings_in_every_state_across_two_alliances(seeded, db):
    assert set(db.session.scalars(sa.select(Booking.status).distinct())) == set(BookingStatus)
    approved = sa.select(sa.func.count()).select_from(Alliance).where(Alliance.status == AllianceStatus.APPROVED)
    assert db.session.scalar(approved) == 2  # (the alliances demo adds a submitted and a returned one)
    shared = db.session.scalars(
        sa.select(AllianceMember.alliance_id)
        .join(AllianceMember.resource_unit)
        .where(AllianceMember.resource_unit.has(name="乌兰浩特市全民健身中心"))
    ).all()
    assert len(shared) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Closure)) == seeded["closures"] == 3
    assert seeded["slots"] > 20


def test_demo_counters_equal_their_rows(seeded, db):
    for slot in db.session.scalars(sa.select(Slot)):
        held = db.session.execute(
            sa.select(Booking.channel, sa.func.sum(Booking.headcount))
            .where(Booking.slot_id == slot.id, Booking.status.in_(HOLDING))
            .group_by(Booking.channel)
        ).all()
        assert {c.value: n for c, n in held} == {
            k: v for k, v in (("green", slot.green_taken), ("general", slot.general_taken)) if v
        }
    for counter in db.session.scalars(sa.select(FamilyBookingCounter)):
        assert counter.active == db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Booking)
            .where(Booking.family_id == counter.family_id, Booking.status.in_(HOLDING))
        )


def test_demo_accounts_see_their_venue_screens(seeded, client):
    parent = client.get("/api/v1/venue-bookings", headers=dev_login_headers(client, "demo-parent-1")).json
    assert parent["total"] == 7
    suspended = client.get("/api/v1/venue-green-channel", headers=dev_login_headers(client, "demo-parent-2")).json
    assert suspended["suspended"] is True
    staff = dev_login_headers(client, "demo-venue-staff")
    offerings = client.get("/api/v1/venue-offerings?all=true", headers=staff).json
    science = next(o for o in offerings["items"] if o["title"] == "展厅参观")["unit"]["id"]
    bookings = client.get(f"/api/v1/resource-units/{science}/venue-bookings", headers=staff).json
    assert bookings["total"] >= 5
    assert all("*" in name for item in bookings["items"] for name in item["names"])
    mine = client.get("/api/v1/venue-offerings", headers=dev_login_headers(client, "demo-parent-1")).json
    units = {o["unit"]["name"] for o in mine["items"]}
    assert "乌兰浩特市全民健身中心" in units and "科尔沁右翼前旗青少年活动中心" not in units


def test_demo_shows_a_booking_cancelled_by_a_closure(seeded, client, db):
    headers = dev_login_headers(client, "demo-parent-2")
    mine = client.get("/api/v1/venue-bookings?status=cancelled_by_venue", headers=headers).json["items"]
    assert [(b["status_label"], b["reason"], b["slot"]["unit"]["name"]) for b in mine] == [
        ("场馆取消", "执勤任务，暂停开放", "乌兰浩特市消防救援大队和平路消防救援站")
    ]
    booking = db.session.get(Booking, mine[0]["id"])
    closure = db.session.get(Closure, booking.closure_id)
    assert closure.covers(booking.slot.starts_at.astimezone(SHANGHAI).date())
    assert booking.slot.status == SlotStatus.CLOSED
