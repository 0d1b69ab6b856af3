"""Sign-in limits: per person (the openid WeChat names for the code), refused codes per client address, and a
generous ceiling of attempts per client address, so that a parents' meeting behind one school NAT address signs
everyone in."""

import time

import pytest

from config import Config
from jlt_family.devtools.fake_wechat import CODE2SESSION
from tests.auth.conftest import bearer, wechat_login

SCHOOL_WIFI = {"REMOTE_ADDR": "10.20.30.40"}


@pytest.fixture
def same_minute():
    # The limits count per clock minute: do not start a test in the last two seconds of one.
    if time.time() % 60 > 58:
        time.sleep(60 - time.time() % 60)


@pytest.fixture
def production_limits(configure, same_minute):
    """The limits a deployment gets by default (the testing settings raise them)."""
    configure(
        LOGIN_RATE_LIMIT_PER_MINUTE=Config.LOGIN_RATE_LIMIT_PER_MINUTE,
        LOGIN_FAILURES_PER_ADDRESS_MINUTE=Config.LOGIN_FAILURES_PER_ADDRESS_MINUTE,
        LOGIN_ATTEMPTS_PER_ADDRESS_MINUTE=Config.LOGIN_ATTEMPTS_PER_ADDRESS_MINUTE,
    )


def test_two_hundred_parents_behind_one_address_all_sign_in(client, wechat_mode, production_limits):
    """家长会: 200 parents on the school Wi-Fi, a few of them retrying with a code already used."""
    answers = []
    for n in range(200):
        code = wechat_mode.code_for(f"parent-{n}")
        if n % 20 == 0:  # the mini-program sent a stale code first: WeChat refuses it (40029), the parent retries
            wechat_login(client, code, environ_base=SCHOOL_WIFI)
            assert wechat_login(client, code, environ_base=SCHOOL_WIFI).status_code == 400
            code = wechat_mode.code_for(f"parent-{n}")
        answers.append(wechat_login(client, code, environ_base=SCHOOL_WIFI))
    assert [a.status_code for a in answers] == [200] * 200, [a.json for a in answers if a.status_code != 200][:3]
    assert len({a.json["user"]["id"] for a in answers}) == 200
    assert client.get("/api/v1/me", headers=bearer(answers[-1])).status_code == 200


def test_one_person_past_the_limit_is_refused_and_the_others_behind_the_address_are_not(
    client, wechat_mode, configure, same_minute
):
    configure(LOGIN_RATE_LIMIT_PER_MINUTE=2)
    answers = [wechat_login(client, wechat_mode.code_for("parent-1"), environ_base=SCHOOL_WIFI) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json["code"] == "rate_limited" and 1 <= int(answers[2].headers["Retry-After"]) <= 60
    other = wechat_login(client, wechat_mode.code_for("parent-2"), environ_base=SCHOOL_WIFI)
    assert other.status_code == 200


def test_refused_codes_past_the_limit_do_not_reach_wechat(client, wechat_mode, configure, same_minute):
    configure(LOGIN_FAILURES_PER_ADDRESS_MINUTE=2)
    wechat_mode.fail(CODE2SESSION, 40029, times=2)  # guessed codes: WeChat does not know them
    for n in range(2):
        assert wechat_login(client, f"guessed-{n}", environ_base=SCHOOL_WIFI).status_code == 400
    calls = wechat_mode.calls[CODE2SESSION]
    refused = wechat_login(client, wechat_mode.code_for("parent-1"), environ_base=SCHOOL_WIFI)
    assert (refused.status_code, refused.json["code"]) == (429, "rate_limited")
    assert "Retry-After" in refused.headers
    assert wechat_mode.calls[CODE2SESSION] == calls
    # another address is not held back by this one's failures
    elsewhere = wechat_login(client, wechat_mode.code_for("parent-1"), environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert elsewhere.status_code == 200


def test_a_wechat_outage_does_not_count_as_failed_sign_ins(client, wechat_mode, configure, same_minute):
    configure(LOGIN_FAILURES_PER_ADDRESS_MINUTE=1)
    wechat_mode.fail(CODE2SESSION, -1, times=3)
    for _ in range(3):
        assert wechat_login(client, wechat_mode.code_for("parent-1"), environ_base=SCHOOL_WIFI).status_code == 503
    assert wechat_login(client, wechat_mode.code_for("parent-1"), environ_base=SCHOOL_WIFI).status_code == 200


def test_every_attempt_counts_against_the_address_ceiling(client, wechat_mode, configure, same_minute):
    configure(LOGIN_ATTEMPTS_PER_ADDRESS_MINUTE=3)
    answers = [wechat_login(client, wechat_mode.code_for(f"parent-{n}"), environ_base=SCHOOL_WIFI) for n in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert wechat_mode.calls[CODE2SESSION] == 3
    elsewhere = wechat_login(client, wechat_mode.code_for("parent-9"), environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert elsewhere.status_code == 200


def test_dev_login_past_the_limit_answers_429_with_retry_after(client, configure, same_minute):
    configure(LOGIN_RATE_LIMIT_PER_MINUTE=2)
    answers = [client.post("/api/v1/auth/dev-login", json={"openid": "demo-1"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
    assert client.post("/api/v1/auth/dev-login", json={"openid": "demo-2"}).status_code == 200
