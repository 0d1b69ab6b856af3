"""The whole path as users take it: post a need, read the proposals, accept one, the venue confirms, rate it."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.timeutil import utcnow
from jlt_family.matching.models import NeedMatch
from jlt_family.venues.models import Booking, BookingStatus
from tests.matching.helpers import API, need_body


def test_school_admin_posts_a_need_and_sees_it_listed(call, world):
    response = call("POST", f"{API}/schools/{world.school.id}/needs", world.school_admin, json=need_body())
    assert response.status_code == 201, response.json
    need = response.json
    assert (need["status"], need["topic_label"], need["grades_label"]) == ("open", "科学教育", "三年级至五年级")
    assert need["title"] == "三年级至五年级科学教育"
    assert need["match"] is None
    listed = call("GET", f"{API}/needs", world.alliance_admin).json
    assert [n["id"] for n in listed["items"]] == [need["id"]]
    assert call("GET", f"{API}/needs", world.other_region_admin).json["total"] == 0


def test_a_need_given_as_a_term_takes_the_terms_dates(call, world):
    year = utcnow().year
    body = need_body(starts_on=None, ends_on=None, school_year=year, term="spring")
    need = call("POST", f"{API}/schools/{world.school.id}/needs", world.school_admin, json=body).json
    assert (need["starts_on"], need["ends_on"]) == (f"{year + 1}-02-01", f"{year + 1}-08-31")
    assert need["period_label"] == f"{year}–{year + 1}学年春季学期"


def test_a_teacher_posts_for_a_class_they_teach_only(call, world):
    body = need_body(class_id=world.class_a.id, grade_min=3, grade_max=3, headcount=38)
    assert call("POST", f"{API}/schools/{world.school.id}/needs", world.teacher_a, json=body).status_code == 201
    other = need_body(class_id=world.class_c.id, grade_min=5, grade_max=5)
    refused = call("POST", f"{API}/schools/{world.school.id}/needs", world.teacher_a, json=other)
    assert (refused.status_code, refused.json["code"]) == (404, "class_not_found")
    missing = call("POST", f"{API}/schools/{world.school.id}/needs", world.teacher_a, json=need_body())
    assert (missing.status_code, missing.json["code"]) == (422, "class_required")


def test_proposals_accept_confirm_check_in_and_rate(call, world, science, db):
    need = call("POST", f"{API}/schools/{world.school.id}/needs", world.school_admin, json=need_body()).json
    proposals = call("GET", f"{API}/needs/{need['id']}/proposals", world.school_admin).json
    assert proposals["total"] == 1
    top = proposals["items"][0]
    assert (top["rank"], top["key"], top["green_channel"]) == (1, f"offering:{science.id}", True)
    assert any("绿色通道" in reason for reason in top["reasons"])
    assert "每场可接待团体 40 人 ≥ 40 人" in top["reasons"]
    assert [slot["id"] for slot in top["slots"]] == [s.id for s in science.test_slots]

    slot_id = top["slots"][0]["id"]
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": slot_id, "class_id": world.class_c.id, "headcount": 38, "chaperones": 2}],
    }
    accepted = call("POST", f"{API}/needs/{need['id']}/accept", world.school_admin, json=body)
    assert accepted.status_code == 201, accepted.json
    match = accepted.json["match"]
    assert accepted.json["status"] == "matched"
    assert match["kind"] == "venue" and match["unit"]["id"] == world.venue.id
    [booking] = match["bookings"]
    assert (booking["status"], booking["headcount"], booking["code"]) == ("pending", 40, None)
    assert booking["channel"] == "general"  # 40 places do not fit the green pool of 20

    # The unit's staff see the need matched to them, with the request, and confirm it.
    staff_view = call("GET", f"{API}/resource-units/{world.venue.id}/needs", world.venue_staff).json
    assert [n["id"] for n in staff_view["items"]] == [need["id"]]
    assert staff_view["items"][0]["match"]["bookings"][0]["id"] == booking["id"]
    assert call("POST", f"{API}/venue-bookings/{booking['id']}/confirm", world.venue_staff).status_code == 200
    seen = call("GET", f"{API}/needs/{need['id']}", world.school_admin).json["match"]["bookings"][0]
    assert (seen["status"], seen["status_label"]) == ("confirmed", "已确认")
    assert seen["code"]

    early = call("POST", f"{API}/needs/{need['id']}/feedback", world.school_admin, json={"rating": 5})
    assert (early.status_code, early.json["code"]) == (422, "activity_not_done")
    db.session.execute(
        sa.update(Booking)
        .where(Booking.id == booking["id"])
        .values(status=BookingStatus.CHECKED_IN, checked_in_count=40, checked_in_at=utcnow())
    )
    db.session.commit()
    rated = call(
        "POST", f"{API}/needs/{need['id']}/feedback", world.school_admin, json={"rating": 5, "comment": "讲解员很专业"}
    )
    assert rated.status_code == 201, rated.json
    assert rated.json["status"] == "closed"
    assert rated.json["match"]["feedback"]["rating"] == 5
    again = call("POST", f"{API}/needs/{need['id']}/feedback", world.school_admin, json={"rating": 4})
    assert (again.status_code, again.json["code"]) == (409, "match_already_rated")
    unit_sees = call("GET", f"{API}/resource-units/{world.venue.id}/needs", world.venue_staff).json["items"][0]
    assert unit_sees["match"]["feedback"]["comment"] == "讲解员很专业"


def test_accepting_twice_gives_one_match(call, world, science, open_need, db):
    slot_id = science.test_slots[0].id
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": slot_id, "class_id": world.class_a.id, "headcount": 30}],
    }
    first = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body)
    assert first.status_code == 201, first.json
    second = call("POST", f"{API}/needs/{open_need.id}/accept", world.alliance_admin, json=body)
    assert (second.status_code, second.json["code"]) == (409, "need_not_open")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NeedMatch)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_same_idempotency_key_replays_the_acceptance(call, world, science, open_need, db):
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": science.test_slots[0].id, "class_id": world.class_a.id, "headcount": 30}],
    }
    headers = {"Idempotency-Key": "accept-need-0001"}
    first = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body, headers=headers)
    again = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["match"]["id"] == first.json["match"]["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_a_failed_booking_leaves_the_need_open_and_nothing_behind(call, world, science, open_need, db):
    full = science.test_slots[0]
    full.general_taken = full.capacity - full.green_capacity
    db.session.commit()
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [
            {"slot_id": science.test_slots[1].id, "class_id": world.class_a.id, "headcount": 30},
            {"slot_id": full.id, "class_id": world.class_b.id, "headcount": 30},
        ],
    }
    refused = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body)
    assert (refused.status_code, refused.json["code"]) == (409, "general_full")
    assert call("GET", f"{API}/needs/{open_need.id}", world.school_admin).json["status"] == "open"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NeedMatch)) == 0


def test_withdraw_only_while_open(call, world, open_need):
    withdrawn = call("POST", f"{API}/needs/{open_need.id}/withdraw", world.school_admin)
    assert (withdrawn.status_code, withdrawn.json["status"]) == (200, "withdrawn")
    again = call("POST", f"{API}/needs/{open_need.id}/withdraw", world.school_admin)
    assert (again.status_code, again.json["code"]) == (409, "need_not_open")


def test_a_rejected_booking_shows_on_the_need(call, world, science, open_need):
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": science.test_slots[0].id, "class_id": world.class_a.id, "headcount": 10}],
    }
    booking = call("POST", f"{API}/needs/{open_need.id}/accept", world.alliance_admin, json=body).json["match"][
        "bookings"
    ][0]
    assert booking["channel"] == "green"  # 12 places fit the green pool: the unit serves the alliance
    call("POST", f"{API}/venue-bookings/{booking['id']}/reject", world.venue_staff, json={"reason": "当天已满"})
    seen = call("GET", f"{API}/needs/{open_need.id}", world.school_admin).json["match"]["bookings"][0]
    assert (seen["status"], seen["reason"]) == ("rejected", "当天已满")


def test_slots_after_the_period_or_of_another_offering_are_refused(call, world, science, db):
    from tests.matching import helpers

    need = helpers.need(db, world.school, world.school_admin, ends_on=helpers.today() + dt.timedelta(days=1))
    other = helpers.slot(db, helpers.offering(db, world.venue, title="讲座"), days=1)
    db.session.commit()
    outside = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": science.test_slots[0].id, "class_id": world.class_a.id}],
    }
    response = call("POST", f"{API}/needs/{need.id}/accept", world.school_admin, json=outside)
    assert (response.status_code, response.json["code"]) == (422, "slot_outside_period")
    foreign = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": other.id, "class_id": world.class_a.id}],
    }
    response = call("POST", f"{API}/needs/{need.id}/accept", world.school_admin, json=foreign)
    assert (response.status_code, response.json["code"]) == (422, "slot_not_of_offering")


def test_a_need_whose_bookings_fell_through_can_be_matched_again(call, world, science, open_need, db):
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": science.test_slots[0].id, "class_id": world.class_a.id, "headcount": 30}],
    }
    booking = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body).json["match"][
        "bookings"
    ][0]
    early = call("POST", f"{API}/needs/{open_need.id}/reopen", world.school_admin)
    assert (early.status_code, early.json["code"]) == (409, "match_still_active")
    call("POST", f"{API}/venue-bookings/{booking['id']}/reject", world.venue_staff, json={"reason": "当天已满"})
    reopened = call("POST", f"{API}/needs/{open_need.id}/reopen", world.alliance_admin)
    assert (reopened.status_code, reopened.json["status"], reopened.json["match"]) == (200, "open", None)
    body["bookings"][0]["slot_id"] = science.test_slots[1].id
    again = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body)
    assert again.status_code == 201, again.json
    assert again.json["match"]["bookings"][0]["status"] == "pending"
    matches = db.session.scalars(sa.select(NeedMatch).order_by(NeedMatch.id)).all()
    assert [(m.active_key, m.released_at is not None) for m in matches] == [(None, True), (1, False)]


def test_a_group_larger_than_a_slots_pool_is_told_to_split(call, world, science, open_need):
    body = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": science.test_slots[0].id, "class_id": world.class_a.id, "headcount": 40}],
    }
    response = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=body)
    assert (response.status_code, response.json["code"]) == (422, "group_exceeds_slot")
    assert "40" in response.json["message"]


def test_a_units_staff_see_only_their_own_match_of_a_need_matched_again_elsewhere(
    call, world, science, open_need, make, db
):
    """After a rematch at another unit, the first unit's staff still see the need with their (rejected) booking,
    never the other unit's bookings and their door codes."""
    from tests.matching import helpers

    other_unit = make.resource_unit(region=world.county)
    other_staff = make.user(nickname="另一场馆员")
    make.grant(other_staff, "venue_staff", other_unit)
    other_offering = helpers.offering(db, other_unit)
    other_slot = helpers.slot(db, other_offering, days=5)
    db.session.commit()
    first = {
        "kind": "venue",
        "offering_id": science.id,
        "bookings": [{"slot_id": science.test_slots[0].id, "class_id": world.class_a.id, "headcount": 10}],
    }
    booking = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=first).json["match"][
        "bookings"
    ][0]
    call("POST", f"{API}/venue-bookings/{booking['id']}/reject", world.venue_staff, json={"reason": "当天已满"})
    assert call("POST", f"{API}/needs/{open_need.id}/reopen", world.school_admin).status_code == 200
    second = {
        "kind": "venue",
        "offering_id": other_offering.id,
        "bookings": [{"slot_id": other_slot.id, "class_id": world.class_a.id, "headcount": 10}],
    }
    rematched = call("POST", f"{API}/needs/{open_need.id}/accept", world.school_admin, json=second)
    assert rematched.status_code == 201, rematched.json
    other_booking = rematched.json["match"]["bookings"][0]
    assert call("POST", f"{API}/venue-bookings/{other_booking['id']}/confirm", other_staff).status_code == 200
    listed = call("GET", f"{API}/resource-units/{world.venue.id}/needs", world.venue_staff).json["items"]
    detail = call("GET", f"{API}/needs/{open_need.id}", world.venue_staff).json
    needs = call("GET", f"{API}/needs", world.venue_staff).json["items"]
    for seen in (listed[0], detail, needs[0]):
        assert seen["match"]["unit"]["id"] == world.venue.id
        assert [b["id"] for b in seen["match"]["bookings"]] == [booking["id"]]
    # the other unit's staff see theirs; the school sees the standing match
    theirs = call("GET", f"{API}/needs/{open_need.id}", other_staff).json["match"]
    assert [b["id"] for b in theirs["bookings"]] == [other_booking["id"]]
    school = call("GET", f"{API}/needs/{open_need.id}", world.school_admin).json["match"]
    assert [b["id"] for b in school["bookings"]] == [other_booking["id"]]
