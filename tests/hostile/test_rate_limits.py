"""Per-user booking limit (venue bookings, group bookings and course enrolments share one counter) and the
sign-in limit on failed attempts per client address: 429 ``rate_limited`` with Retry-After, counted before any work."""

import time

import pytest
import sqlalchemy as sa

from jlt_family.devtools.fake_wechat import CODE2SESSION
from jlt_family.venues.models import Booking
from tests.courses import matrix as courses_matrix
from tests.venues import matrix as venues_matrix

API = "/api/v1"


@pytest.fixture
def limit_of_three(configure):
    # The limits count per clock minute: do not start in the last two seconds of one.
    if time.time() % 60 > 57:
        time.sleep(60 - time.time() % 60)
    configure(BOOKING_ATTEMPTS_PER_MINUTE=3, LOGIN_FAILURES_PER_ADDRESS_MINUTE=2)


def _book(call, world, user, child):
    slot = venues_matrix._slot(world)
    return call(
        "POST",
        f"{API}/venue-slots/{slot.id}/bookings",
        user,
        json={"channel": "general", "child_ids": [child.id], "adults": 1},
    )


def test_bookings_past_the_limit_answer_429_with_retry_after(call, world, limit_of_three):
    answers = [_book(call, world, world.guardian_a, world.child_a) for _ in range(4)]
    assert answers[0].status_code == 201, answers[0].json
    refused = answers[3]
    assert (refused.status_code, refused.json["code"]) == (429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert set(refused.json) == {"code", "message", "errors"}


def test_refused_attempts_write_nothing(call, world, db, limit_of_three):
    for _ in range(3):
        _book(call, world, world.guardian_a, world.child_a)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Booking))
    assert _book(call, world, world.guardian_a, world.child_a).status_code == 429
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == before


def test_enrolments_and_bookings_share_the_counter_per_user(call, world, limit_of_three):
    for _ in range(3):
        _book(call, world, world.guardian_a, world.child_a)
    session = courses_matrix._cast(world).upcoming
    response = call("POST", f"{API}/course-sessions/{session.id}/enrolments", world.guardian_a, json={})
    assert (response.status_code, response.json["code"]) == (429, "rate_limited")
    # another family is not held back by guardian_a's attempts
    assert _book(call, world, world.guardian_b, world.child_b).status_code != 429


def test_group_bookings_count_too(call, world, limit_of_three):
    slot = venues_matrix._slot(world)
    body = {"class_id": world.class_a.id, "channel": "general", "headcount": 20, "chaperones": 2}
    answers = [
        call("POST", f"{API}/venue-slots/{slot.id}/group-bookings", world.teacher_a, json=body) for _ in range(4)
    ]
    assert answers[0].status_code == 201, answers[0].json
    assert (answers[3].status_code, answers[3].json["code"]) == (429, "rate_limited")


def test_failed_login_attempts_are_limited_per_address(client, wechat_mode, limit_of_three):
    used = wechat_mode.code_for("parent-1")
    answers = [client.post(f"{API}/auth/wechat-login", json={"code": used}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 400, 400]  # a used code is refused by WeChat (40029)
    refused = client.post(f"{API}/auth/wechat-login", json={"code": wechat_mode.code_for("parent-1")})
    assert (refused.status_code, refused.json["code"]) == (429, "rate_limited")
    assert "Retry-After" in refused.headers
    assert wechat_mode.calls[CODE2SESSION] == 3  # the refused attempt never reached WeChat
