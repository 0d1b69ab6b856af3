"""Idempotency-Key on creating POSTs: a retry with the same key and body gets the first answer, once."""

import threading

import pytest
import sqlalchemy as sa

from jlt_family.families.models import FamilyInvite

INVITES = "/api/v1/family/invites"


def _invite_count(db):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(FamilyInvite))


def test_a_retry_with_the_same_key_replays_the_first_answer(client, make, world, db):
    headers = {**make.login(world.guardian_a), "Idempotency-Key": "retry-key-0001"}
    first = client.post(INVITES, headers=headers)
    again = client.post(INVITES, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _invite_count(db) == 1


def test_without_a_key_each_post_creates(client, make, world, db):
    headers = make.login(world.guardian_a)
    client.post(INVITES, headers=headers)
    client.post(INVITES, headers=headers)
    assert _invite_count(db) == 2


def test_the_same_key_for_another_body_is_refused(client, make, world, db):
    headers = {**make.login(world.guardian_a), "Idempotency-Key": "retry-key-0002"}
    assert client.patch("/api/v1/family", json={"home_address": "甲"}, headers=headers).status_code == 200
    body = {
        "caretaker_name": "张奶奶",
        "caretaker_relation": "祖母",
        "caretaker_phone": "13900000009",
        "starts_on": "2026-09-01",
    }
    path = f"/api/v1/children/{world.child_a.id}/care-entrustments"
    assert client.post(path, json=body, headers=headers).status_code == 201
    other = client.post(path, json={**body, "caretaker_name": "李爷爷"}, headers=headers)
    assert other.status_code == 409 and other.json["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_user(client, make, world, db):
    key = {"Idempotency-Key": "shared-key-0003"}
    a = client.post(INVITES, headers={**make.login(world.guardian_a), **key})
    b = client.post(INVITES, headers={**make.login(world.guardian_b), **key})
    assert a.status_code == b.status_code == 201 and a.json["code"] != b.json["code"]


@pytest.mark.parametrize("key", ["short", "x" * 81, "has space 123"])
def test_malformed_keys_are_refused(client, make, world, key):
    response = client.post(INVITES, headers={**make.login(world.guardian_a), "Idempotency-Key": key})
    assert response.status_code == 400 and response.json["code"] == "invalid_idempotency_key"


def test_a_refused_request_is_not_remembered(client, make, world, db):
    """An error answer is not stored: the retry runs again (and succeeds once the cause is gone)."""
    headers = {**make.login(world.stranger), "Idempotency-Key": "retry-key-0004"}
    assert client.post(INVITES, headers=headers).status_code == 404  # no family yet
    make.guardian(family=world.family_a, user=world.stranger)
    db.session.commit()
    assert client.post(INVITES, headers=headers).status_code == 201


def test_racing_retries_with_one_key_create_exactly_once(app, make, world, db):
    headers = {**make.login(world.guardian_a), "Idempotency-Key": "race-key-00005"}
    barrier = threading.Barrier(6)
    answers = []

    def send():
        client = app.test_client()
        barrier.wait()
        response = client.post(INVITES, headers=headers)
        answers.append((response.status_code, (response.get_json() or {}).get("code")))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _invite_count(db) == 1
    assert {status for status, _ in answers} == {201}
    assert len({code for _, code in answers}) == 1


def test_replays_of_a_stored_answer_do_not_count_against_the_rate_limit(call, world, configure):
    """A phone retrying one booking on a flaky network gets its first answer every time, not 429; the limit
    still holds for new attempts."""
    import time

    from tests.courses import matrix as courses_matrix
    from tests.venues import matrix as venues_matrix

    if time.time() % 60 > 55:  # the limit counts per clock minute: not across the end of one
        time.sleep(60 - time.time() % 60)
    configure(BOOKING_ATTEMPTS_PER_MINUTE=2)
    slot = venues_matrix._slot(world)
    booking = (
        f"/api/v1/venue-slots/{slot.id}/bookings",
        {"channel": "general", "child_ids": [world.child_a.id], "adults": 1},
    )
    headers = {"Idempotency-Key": "flaky-wifi-booking-01"}
    first = call("POST", booking[0], world.guardian_a, json=booking[1], headers=headers)
    assert first.status_code == 201, first.json
    retries = [call("POST", booking[0], world.guardian_a, json=booking[1], headers=headers) for _ in range(5)]
    assert [(r.status_code, r.headers.get("Idempotent-Replayed")) for r in retries] == [(201, "true")] * 5
    assert all(r.json == first.json for r in retries)
    session = courses_matrix._cast(world).upcoming
    enrol = f"/api/v1/course-sessions/{session.id}/enrolments"
    assert call("POST", enrol, world.guardian_a, json={}).status_code == 201  # the second attempt of the minute
    refused = call("POST", enrol, world.guardian_a, json={}, headers={"Idempotency-Key": "another-attempt-02"})
    assert (refused.status_code, refused.json["code"]) == (429, "rate_limited")
