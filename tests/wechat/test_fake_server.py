"""The fake WeChat server itself: what its switches promise the tests that use it."""

import requests

from jlt_family.devtools.fake_wechat import CODE2SESSION, STABLE_TOKEN, SUBSCRIBE_SEND, FakeWeChat


def _login(fake, code):
    return requests.get(
        fake.base_url + CODE2SESSION,
        timeout=2,
        params={"appid": fake.appid, "secret": fake.secret, "js_code": code, "grant_type": "authorization_code"},
    ).json()


def _token(fake, force=False):
    return requests.post(
        fake.base_url + STABLE_TOKEN,
        timeout=2,
        json={"grant_type": "client_credential", "appid": fake.appid, "secret": fake.secret, "force_refresh": force},
    ).json()


def _send(fake, token):
    return requests.post(
        f"{fake.base_url}{SUBSCRIBE_SEND}?access_token={token}",
        timeout=2,
        json={"touser": "openid-1", "template_id": "tpl-1", "data": {"thing1": {"value": "家长会"}}},
    ).json()


def test_faults_answer_the_next_calls_in_order_then_stop(fake):
    fake.fail(CODE2SESSION, 45011, times=2)
    fake.fail(CODE2SESSION, -1)
    answers = [_login(fake, fake.code_for("parent-1")).get("errcode") for _ in range(4)]
    assert answers == [45011, 45011, -1, None]
    assert fake.calls[CODE2SESSION] == 4


def test_the_same_user_gets_the_same_openid_from_every_code(fake):
    first, second = _login(fake, fake.code_for("parent-1")), _login(fake, fake.code_for("parent-1"))
    assert first["openid"] == second["openid"] != _login(fake, fake.code_for("parent-2"))["openid"]
    assert first["session_key"] != second["session_key"]


def test_normal_mode_keeps_the_token_and_force_mode_replaces_it(fake):
    token = _token(fake)["access_token"]
    assert _token(fake)["access_token"] == token
    fresh = _token(fake, force=True)["access_token"]
    assert fresh != token
    assert _send(fake, token)["errcode"] == 40001
    assert _send(fake, fresh)["errcode"] == 0
    assert fake.token_calls == 3


def test_a_token_past_its_lifetime_answers_42001():
    with FakeWeChat(token_ttl=0) as fake:
        token = _token(fake)["access_token"]
        assert _send(fake, token)["errcode"] == 42001
        assert _token(fake)["access_token"] != token


def test_invalidated_and_expired_tokens_answer_40001_and_42001(fake):
    token = _token(fake)["access_token"]
    fake.expire_token()
    assert _send(fake, token)["errcode"] == 42001
    token = _token(fake)["access_token"]
    fake.invalidate_token()
    assert _send(fake, token)["errcode"] == 40001
    assert fake.sent_messages == []


def test_http_errors_have_no_json_body(fake):
    fake.http_error(STABLE_TOKEN, 502)
    reply = requests.post(fake.base_url + STABLE_TOKEN, json={}, timeout=2)
    assert (reply.status_code, reply.headers["Content-Type"].split(";")[0]) == (502, "text/plain")


def test_unknown_paths_and_methods_are_not_found(fake):
    assert requests.get(fake.base_url + "/sns/JSCODE2SESSION", timeout=2).status_code == 404
    assert requests.post(fake.base_url + CODE2SESSION, json={}, timeout=2).status_code == 404


def test_reset_forgets_switches_and_records(fake):
    fake.fail(CODE2SESSION, 40226)
    _send(fake, _token(fake)["access_token"])
    fake.reset()
    assert "errcode" not in _login(fake, fake.code_for("parent-1"))
    assert (fake.sent_messages, fake.token_calls, fake.current_token) == ([], 0, None)
