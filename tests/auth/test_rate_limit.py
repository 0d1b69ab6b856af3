"""Sign-in is rate-limited per client address."""

import time

import pytest

from jlt_family.wechat.fake_server import CODE2SESSION
from tests.auth.conftest import wechat_login


@pytest.fixture
def limit_of_two(configure):
    # The limit counts per clock minute: do not start a test in the last two seconds of one.
    if time.time() % 60 > 58:
        time.sleep(60 - time.time() % 60)
    configure(LOGIN_RATE_LIMIT_PER_MINUTE=2)


def test_dev_login_past_the_limit_answers_429_with_retry_after(client, limit_of_two):
    answers = [client.post("/api/v1/auth/dev-login", json={"openid": "demo-1"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60


def test_wechat_login_past_the_limit_does_not_reach_wechat(client, wechat_mode, limit_of_two):
    answers = [wechat_login(client, wechat_mode.code_for("parent-1")) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Retry-After" in answers[2].headers
    assert wechat_mode.calls[CODE2SESSION] == 2


def test_the_limit_is_per_client_address(client, limit_of_two):
    for _ in range(2):
        client.post("/api/v1/auth/dev-login", json={"openid": "demo-1"})
    other = client.post("/api/v1/auth/dev-login", json={"openid": "demo-1"},
                        environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 200
