"""Suspending an approved alliance: its rows stay, but it stops granting the green channel, offering its courses
to parents, broadcasting, and being published; reinstating gives it all back."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.alliances.models import AllianceEvent, AllianceMember
from jlt_family.core.models import AuditLog
from jlt_family.organizations.models import School
from jlt_family.venues import eligibility
from tests.alliances.conftest import API
from tests.venues.conftest import make_offering, make_slot


def _suspend(call, world, reason="未按要求开展协同育人活动，整改期间暂停"):
    response = call("POST", f"{API}/alliances/{world.alliance.id}/suspend", world.region_admin, json={"reason": reason})
    assert response.status_code == 200, response.json
    return response.json


def _reinstate(call, world):
    response = call(
        "POST", f"{API}/alliances/{world.alliance.id}/reinstate", world.region_admin, json={"comment": "整改完成"}
    )
    assert response.status_code == 200, response.json
    return response.json


def _green(call, world):
    return call("GET", f"{API}/venue-green-channel", world.guardian_a).json["eligible_alliance_ids"]


def test_suspension_stops_the_green_channel_and_reinstating_restores_it(call, world, db):
    assert _green(call, world) == [world.alliance.id]
    body = _suspend(call, world)
    assert (body["status"], body["status_label"]) == ("suspended", "已暂停")
    assert body["application"]["suspension_reason"] == "未按要求开展协同育人活动，整改期间暂停"
    assert body["application"]["allowed_actions"] == ["reinstate"]
    assert _green(call, world) == []
    assert eligibility.family_alliance_ids(world.family_a.id) == frozenset()
    assert eligibility.class_alliance_id(world.class_a) is None
    # Existing data stays: the schools are still linked, the member units still listed.
    db.session.expire_all()
    assert db.session.get(School, world.school.id).alliance_id == world.alliance.id
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AllianceMember)
            .where(AllianceMember.alliance_id == world.alliance.id)
        )
        == 1
    )
    _reinstate(call, world)
    assert _green(call, world) == [world.alliance.id]


def test_a_family_cannot_book_the_green_channel_of_a_suspended_alliance(call, world, db):
    slot = make_slot(db, make_offering(db, world.venue, needs_confirmation=False))
    db.session.commit()
    _suspend(call, world)
    body = {"channel": "green", "child_ids": [world.child_a.id], "adults": 1}
    refused = call("POST", f"{API}/venue-slots/{slot.id}/bookings", world.guardian_a, json=body)
    assert (refused.status_code, refused.json["code"]) == (422, "not_green_eligible")
    general = call(
        "POST", f"{API}/venue-slots/{slot.id}/bookings", world.guardian_a, json={**body, "channel": "general"}
    )
    assert general.status_code == 201, general.json
    _reinstate(call, world)
    other = make_slot(db, slot.offering, starts_in=dt.timedelta(days=2))
    db.session.commit()
    booked = call("POST", f"{API}/venue-slots/{other.id}/bookings", world.guardian_a, json=body)
    assert booked.status_code == 201, booked.json


def test_a_suspended_alliance_is_no_longer_published_but_its_admins_still_see_it(call, world):
    _suspend(call, world)
    for user in (world.guardian_a, world.stranger, world.other_region_admin):
        assert call("GET", f"{API}/alliances/{world.alliance.id}", user).status_code == 404
        assert call("GET", f"{API}/alliances", user).json["items"] == []
    for user in (world.alliance_admin, world.region_admin):
        assert call("GET", f"{API}/alliances/{world.alliance.id}", user).json["status"] == "suspended"
    history = call("GET", f"{API}/alliances/{world.alliance.id}/history", world.alliance_admin).json["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("suspended", "approved", "suspended")
    ]


def test_alliance_courses_leave_the_parents_catalogue_while_suspended(call, world, db):
    from tests.courses import helpers

    helpers.session(db, helpers.course(db, world.alliance, world.alliance_admin, title="教联体家长课堂"))
    helpers.session(db, helpers.course(db, world.school, world.teacher_a, title="本校家长课堂"))
    db.session.commit()

    def titles():
        return sorted(i["title"] for i in call("GET", f"{API}/courses", world.guardian_a).json["items"])

    assert titles() == ["教联体家长课堂", "本校家长课堂"]
    _suspend(call, world)
    assert titles() == ["本校家长课堂"]
    _reinstate(call, world)
    assert titles() == ["教联体家长课堂", "本校家长课堂"]


def test_a_suspended_alliance_does_not_broadcast(call, world):
    _suspend(call, world)
    response = call(
        "POST",
        f"{API}/alliances/{world.alliance.id}/broadcasts",
        world.alliance_admin,
        json={"title": "周末活动", "body": "本周六科技馆开放日"},
    )
    assert (response.status_code, response.json["code"]) == (409, "alliance_not_active")


def test_suspension_and_reinstatement_are_recorded_and_audited(call, world, db):
    _suspend(call, world, reason="整改")
    _reinstate(call, world)
    events = db.session.execute(
        sa.select(AllianceEvent.action, AllianceEvent.comment, AllianceEvent.actor_user_id).order_by(AllianceEvent.id)
    ).all()
    assert [(e.action.value, e.comment, e.actor_user_id) for e in events] == [
        ("suspended", "整改", world.region_admin.id),
        ("reinstated", "整改完成", world.region_admin.id),
    ]
    audited = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.subject_type == "alliance").order_by(AuditLog.id)
    ).all()
    assert audited == ["alliance_suspended", "alliance_reinstated"]
